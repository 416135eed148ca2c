#include "validate/promql/parser.hpp"

#include <string>

#include <doctest/doctest.h>

#include "validate/promql/ast.hpp"
#include "validate/promql/functions.hpp"

namespace promql = promwatch::validate::promql;

namespace {

promql::value_type type_of(std::string_view expr) {
  const auto result = promql::parse(expr);
  REQUIRE_MESSAGE(!result.error, (result.error ? result.error->message : std::string()));
  REQUIRE(result.root);
  return result.root->type();
}

std::string repeat(std::string_view s, int n) {
  std::string out;
  for (int i = 0; i < n; ++i) {
    out += s;
  }
  return out;
}

}  // namespace

TEST_CASE("promql: the result type follows Prometheus' typing rules") {
  using promql::value_type;
  CHECK(type_of("1") == value_type::scalar);
  CHECK(type_of("-1 + 2 * time()") == value_type::scalar);
  CHECK(type_of("\"text\"") == value_type::string);
  CHECK(type_of("foo") == value_type::vector);
  CHECK(type_of("foo + 1") == value_type::vector);
  CHECK(type_of("foo[5m]") == value_type::matrix);
  CHECK(type_of("rate(foo[5m])[30m:1m]") == value_type::matrix);
  CHECK(type_of("scalar(foo)") == value_type::scalar);
  CHECK(type_of("sum by (job) (rate(foo[5m]))") == value_type::vector);
  CHECK(type_of("(((1)))") == value_type::scalar);
}

TEST_CASE("promql: the tree records selectors, modifiers and aggregation details") {
  SUBCASE("vector selector with matchers, offset and @") {
    const auto r = promql::parse(R"(foo{a="b", c=~"d.*"} offset -5m @ 100.5)");
    REQUIRE(!r.error);
    const auto& n = *r.root;
    CHECK(n.kind == promql::node_kind::vector_selector);
    CHECK(n.name == "foo");
    REQUIRE(n.matchers.size() == 3);
    CHECK(n.matchers[1]->type == promql::match_type::regexp);
    CHECK(n.offset_ms == -300000);
    REQUIRE(n.timestamp_ms);
    CHECK(*n.timestamp_ms == 100500);
  }
  SUBCASE("subquery with range and step") {
    const auto r = promql::parse("max_over_time(rate(x[1m])[1h30m:30s])");
    REQUIRE(!r.error);
    const auto& sub = *r.root->args.at(0);
    CHECK(sub.kind == promql::node_kind::subquery);
    CHECK(sub.range_ms == 5400000);
    CHECK(sub.step_ms == 30000);
  }
  SUBCASE("aggregation with parameter and trailing grouping") {
    const auto r = promql::parse("topk(3, foo) without (instance, job)");
    REQUIRE(!r.error);
    const auto& n = *r.root;
    CHECK(n.kind == promql::node_kind::aggregate);
    CHECK(n.op == promql::token_kind::topk);
    CHECK(n.without);
    CHECK(n.grouping == std::vector<std::string>{"instance", "job"});
    CHECK(n.param->number == 3);
  }
  SUBCASE("binary matching") {
    const auto r = promql::parse("a * on(x) group_left(y, z) b");
    REQUIRE(!r.error);
    const auto& n = *r.root;
    CHECK(n.card == promql::cardinality::many_to_one);
    CHECK(n.on);
    CHECK(n.matching_labels == std::vector<std::string>{"x"});
    CHECK(n.include_labels == std::vector<std::string>{"y", "z"});
  }
  SUBCASE("power is right-associative and unary minus binds below it") {
    const auto r = promql::parse("-a ^ b ^ c");
    REQUIRE(!r.error);
    const auto& n = *r.root;
    REQUIRE(n.kind == promql::node_kind::unary);
    REQUIRE(n.expr->kind == promql::node_kind::binary);
    CHECK(n.expr->lhs->name == "a");
    CHECK(n.expr->rhs->kind == promql::node_kind::binary);
  }
  SUBCASE("a negated number literal is folded") {
    const auto r = promql::parse("-  2.5");
    REQUIRE(!r.error);
    CHECK(r.root->kind == promql::node_kind::number_literal);
    CHECK(r.root->number == -2.5);
  }
}

TEST_CASE("promql: positions count lines and bytes like Prometheus") {
  const auto e = promql::check_expression("sum(\n  rate(foo[5m])\n) by (\n  a:b\n)");
  REQUIRE(e);
  CHECK(e->line == 4);
  CHECK(e->column == 3);
  CHECK(e->message ==
        "parse error: unexpected metric identifier \"a:b\" in grouping opts, "
        "expected label");
}

TEST_CASE("promql: absurd nesting is rejected instead of exhausting the stack") {
  SUBCASE("parentheses") {
    const std::string deep = repeat("(", 5000) + "1" + repeat(")", 5000);
    const auto e = promql::check_expression(deep);
    REQUIRE(e);
    CHECK(e->message.find("nesting too deep") != std::string::npos);
  }
  SUBCASE("unary operators") {
    const auto e = promql::check_expression(repeat("-", 100000) + "foo");
    REQUIRE(e);
    CHECK(e->message.find("nesting too deep") != std::string::npos);
  }
  SUBCASE("left-associative chains beyond the tree-height bound") {
    const auto e = promql::check_expression("foo" + repeat(" + foo", 20000));
    REQUIRE(e);
    CHECK(e->message.find("nesting too deep") != std::string::npos);
  }
  SUBCASE("chained subqueries") {
    const auto e = promql::check_expression("foo" + repeat("[1m:]", 20000));
    REQUIRE(e);
    CHECK(e->message.find("nesting too deep") != std::string::npos);
  }
  SUBCASE("nesting below the bound is fine") {
    CHECK_FALSE(promql::check_expression(repeat("(", 200) + "1" + repeat(")", 200)));
    CHECK_FALSE(promql::check_expression("foo" + repeat(" or foo", 500)));
  }
}

TEST_CASE("promql: the function table is Prometheus 2.42's") {
  CHECK(promql::find_function("rate") != nullptr);
  CHECK(promql::find_function("histogram_fraction") != nullptr);
  CHECK(promql::find_function("label_join")->variadic == -1);
  CHECK(promql::find_function("round")->variadic == 1);
  CHECK(promql::find_function("sort_by_label") == nullptr);
  CHECK(promql::find_function("Rate") == nullptr);
  const char* names[] = {"abs",
                         "absent",
                         "absent_over_time",
                         "acos",
                         "acosh",
                         "asin",
                         "asinh",
                         "atan",
                         "atanh",
                         "avg_over_time",
                         "ceil",
                         "changes",
                         "clamp",
                         "clamp_max",
                         "clamp_min",
                         "cos",
                         "cosh",
                         "count_over_time",
                         "day_of_month",
                         "day_of_week",
                         "day_of_year",
                         "days_in_month",
                         "deg",
                         "delta",
                         "deriv",
                         "exp",
                         "floor",
                         "histogram_count",
                         "histogram_fraction",
                         "histogram_quantile",
                         "histogram_sum",
                         "holt_winters",
                         "hour",
                         "idelta",
                         "increase",
                         "irate",
                         "label_join",
                         "label_replace",
                         "last_over_time",
                         "ln",
                         "log10",
                         "log2",
                         "max_over_time",
                         "min_over_time",
                         "minute",
                         "month",
                         "pi",
                         "predict_linear",
                         "present_over_time",
                         "quantile_over_time",
                         "rad",
                         "rate",
                         "resets",
                         "round",
                         "scalar",
                         "sgn",
                         "sin",
                         "sinh",
                         "sort",
                         "sort_desc",
                         "sqrt",
                         "stddev_over_time",
                         "stdvar_over_time",
                         "sum_over_time",
                         "tan",
                         "tanh",
                         "time",
                         "timestamp",
                         "vector",
                         "year"};
  for (const char* name : names) {
    INFO(name);
    CHECK(promql::find_function(name) != nullptr);
  }
}

TEST_CASE("promql: arbitrary bytes never throw and always yield a verdict") {
  const std::string inputs[] = {std::string("\0", 1),
                                "\xff\xfe",
                                "{\xff",
                                "\"\xc3\"",
                                "`\xe2\x82`",
                                "foo[\xff]",
                                "#\xff",
                                "sum(\x80)",
                                std::string(1000, '{'),
                                std::string(1000, '['),
                                std::string(1000, '"')};
  for (const auto& in : inputs) {
    CHECK_NOTHROW((void)promql::check_expression(in));
  }
}
