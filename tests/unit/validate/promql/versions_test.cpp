// The PromQL checker follows the profile: each row is one expression judged by one Prometheus
// (version, judge, --enable-feature flags), with the verdict and a piece of the message that
// Prometheus' parser gives at that version. Rows for 3.6–3.14 come from promql/parser's
// parse_test.go and lex_test.go and promqltest's testdata at those tags.
#include <string>
#include <string_view>
#include <vector>

#include <doctest/doctest.h>

#include "validate/profile.hpp"
#include "validate/promql/parser.hpp"
#include "validate/validate.hpp"

namespace v = promwatch::validate;

namespace {

constexpr std::string_view experimental = "promql-experimental-functions";
constexpr std::string_view duration_expr = "promql-duration-expr";
constexpr std::string_view extended = "promql-extended-range-selectors";
constexpr std::string_view fill = "promql-binop-fill-modifiers";

struct row {
  std::string_view version;
  std::vector<std::string_view> features;
  std::string_view expr;
  bool valid;
  std::string_view message = {};  ///< a substring of the error, when invalid
};

v::profile profile_of(const row& r, v::judge by = v::judge::server) {
  std::set<std::string, std::less<>> features;
  for (auto f : r.features)
    features.emplace(f);
  return v::make_profile(*v::parse_version(r.version), by, std::move(features));
}

void check_rows(const std::vector<row>& rows) {
  for (const auto& r : rows) {
    const auto err = v::promql::check_expression(r.expr, profile_of(r));
    INFO("Prometheus " << r.version << ": `" << r.expr << "` -> "
                       << (err ? err->message : std::string("valid")));
    CHECK(!err.has_value() == r.valid);
    if (err && !r.message.empty()) {
      CHECK(err->message.find(r.message) != std::string::npos);
    }
  }
}

}  // namespace

TEST_CASE("promql versions: functions exist from the version that added them") {
  check_rows({
      {"2.46",
       {},
       "histogram_stddev(foo)",
       false,
       R"(unknown function with name "histogram_stddev" (added in Prometheus 2.47))"},
      {"2.47", {}, "histogram_stddev(foo)", true},
      {"2.47", {}, "histogram_stdvar(foo)", true},
      {"2.50", {}, "histogram_avg(foo)", false, "added in Prometheus 2.51"},
      {"2.51", {}, "histogram_avg(foo)", true},
      {"2.48", {experimental}, "mad_over_time(foo[5m])", false, "added in Prometheus 2.49"},
      {"2.49",
       {},
       "mad_over_time(foo[5m])",
       false,
       R"(function "mad_over_time" is not enabled in Prometheus 2.49 (it needs --enable-feature=promql-experimental-functions))"},
      {"2.49", {experimental}, "mad_over_time(foo[5m])", true},
      {"2.49", {experimental}, R"(sort_by_label(foo, "a", "b", "c"))", true},
      {"2.49", {experimental}, "sort_by_label(foo)", true},
      {"2.49", {experimental}, "sort_by_label()", false, "expected at least 1 argument(s)"},
      {"2.53",
       {},
       "info(foo)",
       false,
       R"(unknown function with name "info" (added in Prometheus 2.55))"},
      {"3.5",
       {},
       "info(foo)",
       false,
       R"(function "info" is not enabled in Prometheus 3.5 (it needs --enable-feature=promql-experimental-functions))"},
      {"3.5", {experimental}, "ts_of_max_over_time(foo[5m])", true},
      {"3.4", {experimental}, "ts_of_max_over_time(foo[5m])", false, "added in Prometheus 3.5"},
      {"3.6", {experimental}, "first_over_time(foo[5m])", false, "added in Prometheus 3.7"},
      {"3.7", {experimental}, "ts_of_first_over_time(foo[5m])", true},
      {"3.13", {}, "first_over_time(foo[5m])", false, "is not enabled in Prometheus 3.13"},
      {"3.14", {}, "first_over_time(foo[5m])", true},
      {"3.10",
       {experimental},
       R"(histogram_quantiles(foo, "q", 0.5))",
       false,
       "added in Prometheus 3.11"},
      {"3.11",
       {experimental},
       R"(histogram_quantiles(foo, "q", 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95))",
       true},
      {"3.11",
       {experimental},
       R"(histogram_quantiles(foo, "q", 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95, 0.99))",
       false,
       "expected at most 12 argument(s)"},
      {"3.11",
       {experimental},
       R"(histogram_quantiles(foo, "q"))",
       false,
       "expected at least 3 argument(s)"},
      {"3.13", {experimental}, "min_of(1, 2) + max_of(3, 4)", true},
      {"3.12", {experimental}, "min_of(1, 2)", false, "added in Prometheus 3.13"},
      {"3.14", {experimental}, "start_timestamp(foo)", true},
      {"3.13", {experimental}, "start_timestamp(foo)", false, "added in Prometheus 3.14"},
  });
}

TEST_CASE("promql versions: holt_winters is double_exponential_smoothing from 3.0") {
  check_rows({
      {"2.55", {}, "holt_winters(foo[5m], 0.5, 0.5)", true},
      {"3.0",
       {},
       "holt_winters(foo[5m], 0.5, 0.5)",
       false,
       R"(unknown function with name "holt_winters" (removed in Prometheus 3.0; use double_exponential_smoothing))"},
      {"2.55",
       {experimental},
       "double_exponential_smoothing(foo[5m], 0.5, 0.5)",
       false,
       "added in Prometheus 3.0"},
      {"3.0", {}, "double_exponential_smoothing(foo[5m], 0.5, 0.5)", false, "is not enabled"},
      {"3.0", {experimental}, "double_exponential_smoothing(foo[5m], 0.5, 0.5)", true},
  });
}

TEST_CASE("promql versions: info's second argument is a label selector") {
  check_rows({
      {"2.55", {experimental}, R"(info(foo, {k="v"}))", true},
      {"2.55", {experimental}, R"(info(foo, {k=""}))", true},  // the empty-matcher rule is skipped
      {"3.5",
       {experimental},
       R"(info(foo, target_info{k="v"}))",
       false,
       "expected label selectors only, got vector selector instead"},
      {"3.5", {experimental}, R"(info(foo, {k="v"} == 1))", false, "expected label selectors only"},
      {"3.5",
       {experimental},
       R"(info(foo, {k="v"}, {j="w"}))",
       false,
       "expected at most 2 argument(s)"},
      {"3.5", {experimental}, R"({k=""})", false, "at least one non-empty matcher"},
  });
}

TEST_CASE("promql versions: start, end, range and step are functions from 3.12") {
  check_rows({
      {"3.11", {experimental}, "start()", false},
      {"3.12", {}, "start()", false, R"(function "start" is not enabled in Prometheus 3.12)"},
      {"3.12", {experimental}, "start() + end() + range() + step()", true},
      {"3.12", {experimental}, "foo @ start()", true},
      {"2.42", {}, "foo @ start()", true},
      {"3.12", {experimental}, "start", true},  // still a metric name
      {"3.12", {experimental}, "step(foo)", false, "expected 0 argument(s)"},
  });
}

TEST_CASE("promql versions: limitk and limit_ratio are experimental aggregations from 2.54") {
  check_rows({
      {"2.53", {experimental}, "limitk(1, foo)", false, R"(unknown function with name "limitk")"},
      {"2.54",
       {},
       "limitk(1, foo)",
       false,
       "limitk() is experimental and must be enabled with "
       "--enable-feature=promql-experimental-functions"},
      {"2.54", {experimental}, "limitk(1, foo)", true},
      {"2.54", {experimental}, "limit_ratio(0.5, foo) by (a)", true},
      {"2.54",
       {experimental},
       "limitk(foo, bar)",
       false,
       "expected type scalar in aggregation parameter"},
      {"2.54", {experimental}, "limitk(foo)", false, "expected 2, got 1"},
      {"2.54", {}, "limitk + limit_ratio", true},  // also metric names
      {"2.54", {}, "sum by (limitk) (foo)", true},
  });
}

TEST_CASE("promql versions: quoted UTF-8 names") {
  check_rows({
      {"2.50", {}, R"({"my.metric"})", false, "unexpected string"},
      {"2.51", {}, R"({"my.metric"})", true},
      {"2.51", {}, R"({"my.metric", "my.label"="v"})", true},
      {"3.5", {}, R"(foo{"bar"})", false, "metric name must not be set twice"},
      {"2.54", {}, R"(sum by ("a.b") (foo))", false, "unexpected string"},
      {"2.55", {}, R"(sum by ("a.b") (foo))", false, "in grouping opts, expected label"},
      {"2.55", {"utf8-names"}, R"(sum by ("a.b") (foo))", true},
      {"3.0", {}, R"(sum by ("a.b") (foo))", true},
      {"3.0", {}, R"(foo / on("x") group_left("y") bar)", true},
      {"3.3", {}, R"(sum by ("") (foo))", false, "in grouping opts, expected label"},
      {"3.4", {}, R"(sum by ("") (foo))", false, R"(invalid label name for grouping: "")"},
      {"2.42", {}, "sum by (a:b) (foo)", false, "expected label"},
      {"3.0", {}, "sum by (a:b) (foo)", true},
  });
}

TEST_CASE("promql versions: numbers and durations are interchangeable from 2.54") {
  check_rows({
      {"2.53", {}, "foo[5]", false, "missing unit character in duration"},
      {"2.54", {}, "foo[5]", true},
      {"2.54", {}, "foo[4.18]", true},
      {"2.54", {}, "foo offset 5", true},
      {"2.54", {}, "foo offset -5", true},
      {"2.53", {}, "foo @ 1m", false},
      {"2.54", {}, "foo @ 1m", true},
      {"2.53", {}, "1h + 1", false},
      {"2.54", {}, "1h + 1", true},
      {"2.54", {}, "predict_linear(foo[1h], 1h)", true},
      {"2.54", {}, "foo[5m:1]", true},
      {"3.0", {}, "foo[0s]", false, "duration must be greater than 0"},
      {"3.4", {}, "foo[0s]", false, "duration must be greater than 0"},
  });
}

TEST_CASE("promql versions: digit separators from 2.54 (lex_test.go)") {
  check_rows({
      {"2.53", {}, "1_000", false},
      {"2.54", {}, "1_000", true},
      {"2.54", {}, "0x_ff", true},
      {"2.54", {}, "1e1_2", true},
      {"2.54", {}, "1e1_2_34", false, "value out of range"},  // lexes, but is 1e1234
      {"2.54", {}, "1_000.000_1", true},
      {"2.54", {}, "1_e2", false},
      {"2.54", {}, "12_", false},
      {"2.54", {}, "1__0", false},
      {"2.54", {}, "1._5", false},
      {"2.54", {}, "0x1.5", false},
      {"2.54", {}, "1e2e3", false},
      {"2.54", {}, "1..2", false},
      // Rows from lex_test.go at 3.14.
      {"3.14", {}, "00_1_23_4.56_7_8", true},
      {"3.14", {}, "0x1_2_34", true},
      {"2.42", {}, "0x1_2_34", false},
      {"3.14", {}, "00_1_23__4.56_7_8", false},
      {"3.14", {}, "00_1_23_4._56_7_8", false},
      {"3.14", {}, "0x1_2__34", false},
      {"3.14", {}, "0x1_2__34.56", false},
      {"3.14", {}, "1e+_1_2_34", false},
      {"3.14", {}, "1e", false},
      {"3.14", {}, "1ee2", false},
      {"3.14", {}, "Infoo", true},  // an identifier
  });
}

TEST_CASE("promql versions: duration expressions from 3.4 (flag), default in 3.14") {
  check_rows({
      {"3.3", {duration_expr}, "foo[1h+1m]", false, "unexpected <op:+>"},
      {"3.4", {}, "foo[1h+1m]", false, "experimental duration expression is not enabled"},
      {"3.4", {duration_expr}, "foo[1h+1m]", true},
      {"3.4", {duration_expr}, "foo[5m:1m*2] offset (1m+1m)", true},
      {"3.4", {duration_expr}, "foo[-(5m)]", false, "duration must be greater than 0"},
      {"3.4", {duration_expr}, "foo offset -(5m)", true},
      {"3.4", {duration_expr}, "foo[5m / 0]", false, "division by zero"},
      {"3.4", {duration_expr}, "foo[5m % 0]", false, "modulo by zero"},
      {"3.4", {duration_expr}, "foo[-5m]", false, "duration must be greater than 0"},
      {"3.4", {duration_expr}, "foo[(5m)^2]", true},
      {"3.4", {}, "foo[(5m)]", false, "experimental duration expression is not enabled"},
      {"3.4", {}, "foo offset 1m + 1", true},  // (foo offset 1m) + 1
      {"3.4", {}, "foo offset -2 * 2", true},
      {"3.4", {}, "foo offset (2 * 2)", false, "experimental duration expression is not enabled"},
      {"3.5", {duration_expr}, "foo[step()]", false, "unexpected character in duration expression"},
      {"3.6", {duration_expr}, "foo[step()]", true},
      {"3.6", {duration_expr}, "foo offset step()", true},
      {"3.6", {duration_expr}, "foo[step]", false},
      {"3.6", {duration_expr}, "foo[step()/0d]", false, "division by zero"},
      {"3.6", {duration_expr}, "foo offset (4d/0)", false, "division by zero"},
      {"3.6", {duration_expr}, "foo[min(5m, step())]", true},
      {"3.12", {duration_expr}, "foo[max(5m, 1h)]", true},
      {"3.13", {duration_expr}, "foo[max(5m, 1h)]", false},
      {"3.13", {duration_expr}, "foo[max_of(5m, 1h):min_of(step(), 1m)]", true},
      {"3.9", {duration_expr}, "foo[range()]", false},
      {"3.10", {duration_expr}, "foo[range()]", true},
      {"3.13", {}, "foo[step()]", false, "experimental duration expression is not enabled"},
      {"3.14", {}, "foo[step()]", true},
      {"3.14", {}, "foo[1h+1m] offset (5m*2)", true},
  });
}

TEST_CASE("promql versions: stricter brackets from 3.6") {
  check_rows({
      {"2.42", {}, "foo[5s x 5s]", true},
      {"3.5", {}, "foo[5s x 5s]", true},
      {"3.6", {}, "foo[5s x 5s]", false, "unexpected character: 'x', expected ':'"},
      {"3.6", {}, "foo[5s s 5s]", false, "unexpected character: 's', expected ':'"},
      {"3.6", {}, "foo[5m:1m]", true},
      {"3.6", {}, "foo[5m::1m]", false},
      // Rows from lex_test.go at 3.14.
      {"3.14", {}, R"(test:name{on!~"bar"}[4m:4s])", true},
      {"3.14", {}, R"(test:name{on!~"bar"}[4m:4s:4h])", false},
      {"3.14", {}, R"(test:name{on!~"bar"}[4m::])", false},
      {"3.14", {}, R"(test:name{on!~"bar"}[:4s])", false, "unexpected colon before duration"},
  });
}

TEST_CASE("promql versions: anchored and smoothed from 3.7 behind a flag") {
  check_rows({
      {"3.6", {extended}, "foo anchored", false},
      {"3.7",
       {},
       "rate(foo[5m] anchored)",
       false,
       "anchored modifier is experimental and not enabled"},
      {"3.7", {}, "foo smoothed", false, "smoothed modifier is experimental and not enabled"},
      {"3.7", {extended}, "rate(foo[5m] anchored)", true},
      {"3.7", {extended}, "foo smoothed", true},
      {"3.7",
       {extended},
       "foo[5m] anchored smoothed",
       false,
       "anchored and smoothed modifiers cannot be used together"},
      {"3.7",
       {extended},
       "foo[5m:1m] anchored",
       false,
       "anchored modifier is not supported for subqueries"},
      {"3.7", {extended}, "1[5m] anchored", false, "ranges only allowed for vector selectors"},
      {"3.7", {}, "anchored + smoothed", true},  // metric names
      {"3.7", {}, "sum by (anchored) (foo)", true},
      {"3.7", {}, R"(anchored{job="test"})", true},
  });
}

TEST_CASE("promql versions: fill modifiers from 3.10 behind a flag") {
  check_rows({
      {"3.9", {fill}, "foo + fill(0) bar", false},
      {"3.10",
       {},
       "foo + fill(0) bar",
       false,
       "binop fill modifiers are experimental and not enabled"},
      {"3.10", {fill}, "foo + fill(0) bar", true},
      {"3.10", {fill}, "foo + on(a) group_left(b) fill_left(1) fill_right(-2) bar", true},
      {"3.10", {fill}, "foo * ignoring(a) fill_right(1m) bar", true},
      {"3.10",
       {fill},
       "foo and fill(0) bar",
       false,
       "filling in missing series not allowed for set operators"},
      {"3.10",
       {fill},
       "1 + fill(0) bar",
       false,
       "filling in missing series only allowed between instant vectors"},
      {"3.10", {}, "fill + fill", true},  // a keyword only before '('
      {"3.10", {}, "fill_left * fill_right", true},
      {"3.10", {}, "sum by (fill) (foo)", true},
  });
}

TEST_CASE("promql versions: trim operators </ and >/ from 3.11") {
  check_rows({
      {"3.10", {}, "foo </ bar", false},
      {"3.11", {}, "foo </ bar", true},
      {"3.11", {}, "foo >/ 0.5", true},
      {"3.11",
       {},
       "foo </ bool bar",
       false,
       "bool modifier can only be used on comparison operators"},
      {"3.11", {}, "foo < /bar/", false},
      {"3.11", {}, "foo </ on(a) bar", true},
  });
}

TEST_CASE("promql versions: the default profile is 2.42 exactly") {
  const v::profile defaults;
  for (std::string_view expr :
       {"foo[5m x 5m]", "holt_winters(foo[5m], 1, 1)", "sort_by_label(foo, \"a\")", "foo[5]",
        "limitk(1, foo)", R"({"a.b"})", "1_000", "foo </ bar"}) {
    INFO(expr);
    const auto ours = v::promql::check_expression(expr, defaults);
    const auto explicit_242 =
        v::promql::check_expression(expr, v::make_profile({2, 42}, v::judge::server, {}));
    CHECK(ours.has_value() == explicit_242.has_value());
  }
  CHECK_FALSE(v::promql::check_expression("foo[5m x 5m]", defaults));
  CHECK_FALSE(v::promql::check_expression("holt_winters(foo[5m], 1, 1)", defaults));
  CHECK(v::promql::check_expression("sort_by_label(foo, \"a\")", defaults));
}

TEST_CASE("promql versions: promtool could enable parser options later than the server") {
  // promtool gained --enable-feature for experimental functions in 3.4, duration expressions in
  // 3.10 (prometheus-versions.md §1c).
  const row r{"3.3", {experimental}, "mad_over_time(foo[5m])", true};
  CHECK_FALSE(v::promql::check_expression(r.expr, profile_of(r, v::judge::server)));
  const auto err = v::promql::check_expression(r.expr, profile_of(r, v::judge::promtool));
  REQUIRE(err);
  CHECK(err->message.find("promtool before 3.4 cannot enable experimental functions") !=
        std::string::npos);
  const row d{"3.9", {duration_expr}, "foo[1m+1m]", true};
  CHECK_FALSE(v::promql::check_expression(d.expr, profile_of(d, v::judge::server)));
  CHECK(v::promql::check_expression(d.expr, profile_of(d, v::judge::promtool)));
}

TEST_CASE("promql versions: a target's /api/v1/features decides over the tables") {
  auto p = v::make_profile({3, 9}, v::judge::server, {});
  CHECK(v::promql::check_expression("mad_over_time(foo[5m])", p));
  p.features_api["promql_functions"]["mad_over_time"] = true;
  CHECK_FALSE(v::promql::check_expression("mad_over_time(foo[5m])", p));
  // A listed category without the name means "not enabled".
  const auto err = v::promql::check_expression("sort_by_label(foo)", p);
  REQUIRE(err);
  CHECK(err->message.find("/api/v1/features") != std::string::npos);
  CHECK_FALSE(v::promql::check_expression("rate(foo[5m])", [&] {
    auto q = p;
    q.features_api["promql_functions"]["rate"] = true;
    return q;
  }()));
  p.features_api["promql_operators"]["limitk"] = true;
  CHECK_FALSE(v::promql::check_expression("limitk(1, foo)", p));
  CHECK(v::promql::check_expression("limit_ratio(0.1, foo)", p));
  p.features_api["promql"]["anchored"] = true;
  CHECK_FALSE(v::promql::check_expression("foo[5m] anchored", p));
  CHECK(v::promql::check_expression("foo smoothed", p));
  p.features_api["promql"]["duration_expr"] = true;
  CHECK_FALSE(v::promql::check_expression("foo[1m+1m]", p));
}

TEST_CASE("promql versions: an unknown function on a newer target is only unknown to promwatch") {
  const auto newer = v::make_profile({3, 20}, v::judge::server, {});
  REQUIRE(newer.newer_than_known);
  const auto err = v::promql::check_expression("future_function(foo)", newer);
  REQUIRE(err);
  CHECK(err->unknown_to_promwatch);
  const auto known = v::promql::check_expression("future_function(foo)", v::profile{});
  REQUIRE(known);
  CHECK_FALSE(known->unknown_to_promwatch);
  // Errors that are errors in every version stay errors, and are not hidden by an unknown name.
  const auto both = v::promql::check_expression("future_function(foo) + (", newer);
  REQUIRE(both);
  CHECK_FALSE(both->unknown_to_promwatch);
  const auto syntax = v::promql::check_expression("rate(foo", newer);
  REQUIRE(syntax);
  CHECK_FALSE(syntax->unknown_to_promwatch);
}

TEST_CASE("promql versions: hostile duration expressions stay bounded") {
  const auto p = v::make_profile({3, 14}, v::judge::server, {});
  const auto repeat = [](std::string_view s, int n) {
    std::string out;
    for (int i = 0; i < n; ++i)
      out += s;
    return out;
  };
  const auto deep_parens = v::promql::check_expression(
      "foo[" + repeat("(", 100000) + "1m" + repeat(")", 100000) + "]", p);
  REQUIRE(deep_parens);
  CHECK(deep_parens->message.find("nesting too deep") != std::string::npos);
  CHECK(v::promql::check_expression("foo[" + repeat("-", 100000) + "1m]", p));
  CHECK(v::promql::check_expression("foo[2" + repeat("^2", 100000) + "]", p));
  CHECK(v::promql::check_expression("foo offset " + repeat("(", 100000) + "1m", p));
  CHECK(v::promql::check_expression("foo[" + repeat("max_of(1m, ", 100000) + "1m]", p));
  // A long left-associative chain is fine, as in Prometheus.
  CHECK_FALSE(v::promql::check_expression("foo[1m" + repeat(" + 1s", 10000) + "]", p));
  CHECK_FALSE(
      v::promql::check_expression("foo[" + repeat("(", 50) + "1m" + repeat(")", 50) + "]", p));
}

TEST_CASE(
    "promql versions: rule files turn 'unknown to promwatch' into warnings on newer targets") {
  const std::string rules =
      "groups:\n- name: g\n  rules:\n  - record: r\n    expr: future_function(foo)\n";
  const auto newer = v::make_profile({3, 99}, v::judge::server, {});
  const auto on_newer = v::check_rules("r.yml", rules, {}, newer);
  CHECK(on_newer.ok());
  REQUIRE(on_newer.warnings.size() == 1);
  CHECK(on_newer.warnings[0].line == 5);
  CHECK(on_newer.warnings[0].message.find("unknown function with name \"future_function\"") !=
        std::string::npos);
  const auto on_known =
      v::check_rules("r.yml", rules, {}, v::make_profile({3, 14}, v::judge::server, {}));
  CHECK_FALSE(on_known.ok());
  CHECK(on_known.warnings.empty());
  // A syntax error blocks on a newer target too.
  const auto broken = v::check_rules(
      "r.yml", "groups:\n- name: g\n  rules:\n  - record: r\n    expr: rate(foo\n", {}, newer);
  CHECK_FALSE(broken.ok());
}
