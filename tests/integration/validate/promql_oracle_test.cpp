// Differential test: the PromQL checker against the real promtool of each reference version
// (2.42, 2.53, 3.5), judged live with the promtool profile of that version, on several hundred
// generated expressions (valid and invalid, covering every supported feature), on syntax that
// changed between versions, and on the expressions of Prometheus' own tests at that tag.
#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <string>
#include <unistd.h>
#include <vector>

#include <doctest/doctest.h>

#include "core/utf8.hpp"
#include "support/reference_tools.hpp"
#include "validate/profile.hpp"
#include "validate/promql/parser.hpp"
#include "validate/promql_upstream_cases.hpp"

namespace {

namespace v = promwatch::validate;

// Building blocks combined with the templates below; each is a complete expression.
const std::vector<std::string> atoms = {
    "foo",
    "foo:bar_total",
    "{__name__=\"foo\"}",
    "foo{__name__=\"bar\"}",
    "{a=\"\"}",
    "{a!=\"\"}",
    "foo{a=~\"x|y\",b!~\"z.*\"}",
    "foo{a=~\"(\"}",
    "foo{a=\"\\q\"}",
    "foo{a=b}",
    "foo[5m]",
    "foo[1h30m]",
    "foo[5m1h]",
    "foo[0s]",
    "foo[5m:1m]",
    "foo[5m:]",
    "foo offset 5m",
    "foo offset -1h",
    "foo @ 1700000000",
    "foo @ start()",
    "rate(foo[5m])",
    "rate(foo)",
    "sum by (job) (foo)",
    "sum(foo) without (instance)",
    "topk(3, foo)",
    "quantile(0.9, foo)",
    "count_values(\"v\", foo)",
    "histogram_quantile(0.99, sum by (le) (rate(x_bucket[5m])))",
    "label_replace(foo, \"a\", \"$1\", \"b\", \"(.*)\")",
    "round(foo, 0.5)",
    "1",
    "0x1f",
    "1e3",
    "-Inf",
    "\"str\"",
    "`raw`",
    "time()",
    "scalar(foo)",
    "sort_by_label(foo, \"a\")",
    "foo and bar",
    "foo / on(a) group_left(b) bar",
    "(foo + 1)",
};

const std::vector<std::string> templates = {
    "%",
    "-%",
    "(%)",
    "% + foo",
    "1 + %",
    "% > bool 1",
    "% == 1",
    "% and on(x) bar",
    "sum(%)",
    "sum by (a) (%)",
    "topk(2, %)",
    "count_values(%, foo)",
    "abs(%)",
    "rate(%)",
    "avg_over_time(%[10m:1m])",
    "% offset 1m",
    "% @ end()",
    "%[5m]",
};

// Hand-picked cases for grammar corners the combinations do not reach.
const std::vector<std::string> extras = {
    "sum",
    "by",
    "offset",
    "and",
    "on",
    "foo and and",
    "sum some_metric",
    "MIN keep_common (x)",
    "SUM BY (a) (foo)",
    "foo AND ON(a) bar",
    "foo[5m x]",
    "foo[5m:x]",
    "foo[5m 5m]",
    "foo[",
    "foo]",
    "foo[5m",
    "(foo",
    "foo)",
    "foo{",
    "foo}",
    "foo{,}",
    "foo{a=\"b\" c=\"d\"}",
    "sum(foo bar)",
    "rate(foo bar)",
    "abs(foo,)",
    "abs(foo, !=)",
    "sum by (a:b) (foo)",
    "sum by (5) (foo)",
    "sum by (a) foo",
    "sum()",
    "topk(foo)",
    "foo + group_left bar",
    "foo * on(a) group_left > bar",
    "foo + on(a) ignoring(b) bar",
    "foo @ 5 @ 6",
    "foo offset 1m offset 2m",
    "foo offset 1m [5m]",
    "foo @ 1 [5m]",
    "1 offset 1m",
    "1 == 1",
    "1 == bool 1",
    "1 and 1",
    "foo + bool bar",
    "foo == bool bar",
    "2 ^ 3 ^ -4",
    "-2 ^ 2",
    "1e999",
    "0x",
    "1e",
    "017",
    "09",
    "1..2",
    ".",
    "\"\\x4\"",
    "\"\\08\"",
    "\"abc",
    "`abc",
    "'it\\'s'",
    "foo # comment\n+ bar",
    "# nothing",
    "sum(\n  foo\n) by (\n  a:b\n)",
    "foo{a=~\"\\\\C\"}",
    "foo{a=~\"(?<n>x)\"}",
    "foo{a=~\"x{1001}\"}",
    "foo{a=~\"a**\"}",
    "foo[300y]",
    "foo[1y2w3d4h5m6s7ms]",
    "foo[5mm]",
    "foo[1]",
    "foo @ 1e19",
    "foo @ NaN",
    "start()",
    "end()",
    "foo @ start",
    "histogram_fraction(0, 1, foo)",
    "histogram_count(foo)",
    "histogram_sum(foo)",
    "label_join(foo, \"d\", \",\")",
    "label_join(foo, \"d\")",
    "hour()",
    "hour(foo, foo)",
    "time(foo)",
    "pi()",
    "vector(time())",
    "holt_winters(foo[5m], 0.3, 0.3)",
    "sort_desc(foo)",
    "mad_over_time(foo[5m])",
    "@ foo",
    "foo @",
    "foo ! bar",
    "foo =~ bar",
};

// Syntax whose verdict changed between 2.42 and 3.5 (prometheus-versions.md §1).
const std::vector<std::string> version_extras = {
    "histogram_stddev(foo)",
    "histogram_stdvar(foo)",
    "histogram_avg(foo)",
    "mad_over_time(foo[5m])",
    "sort_by_label(foo, \"a\", \"b\")",
    "sort_by_label_desc(foo)",
    "info(foo)",
    "info(foo, {k=\"v\"})",
    "info(foo, bar)",
    "info(foo, {k=\"\"})",
    "double_exponential_smoothing(foo[5m], 0.5, 0.5)",
    "ts_of_max_over_time(foo[5m])",
    "ts_of_last_over_time(foo[5m])",
    "first_over_time(foo[5m])",
    "limitk(2, foo)",
    "limit_ratio(0.5, foo) by (a)",
    "limitk",
    "sum by (limitk) (foo)",
    "{\"my.metric\"}",
    "{\"my.metric\", \"my.label\"=\"v\"}",
    "foo{\"a.b\"=\"v\"}",
    "foo{\"bar\"}",
    "sum by (\"a.b\") (foo)",
    "sum by (a.b) (foo)",
    "foo / on(\"x\") bar",
    "sum by (a:b) (foo)",
    "foo[5]",
    "foo[4.18]",
    "foo[0]",
    "foo offset 5",
    "foo offset -5",
    "foo @ 1m",
    "1h + 1",
    "predict_linear(foo[1h], 1h)",
    "foo[5m:1]",
    "1_000",
    "0x_ff",
    "1e1_2_34",
    "1_e2",
    "12_",
    "0x1.5",
    "1__0",
    "foo[1h+1m]",
    "foo[5m:1m*2]",
    "foo offset (1m+1m)",
    "foo offset 1m + 1",
    "foo[(5m)]",
    "foo[-5m]",
    "foo[5m / 0]",
    "foo[step()]",
    "foo[5s x 5s]",
    "foo[5s s 5s]",
    "foo </ bar",
    "foo >/ bar",
    "foo anchored",
    "rate(foo[5m] smoothed)",
    "foo + fill(0) bar",
    "fill + fill",
    "start()",
    "min_of(1, 2)",
};

std::vector<std::string> generate_expressions() {
  std::vector<std::string> out;
  for (const auto& t : templates) {
    for (const auto& a : atoms) {
      std::string e = t;
      e.replace(e.find('%'), 1, a);
      out.push_back(std::move(e));
    }
  }
  out.insert(out.end(), extras.begin(), extras.end());
  out.insert(out.end(), version_extras.begin(), version_extras.end());
  return out;
}

// YAML double-quoted scalars may only hold printable characters (yaml.v3's is_printable);
// anything else is escaped, which YAML decodes back to the same text.
bool yaml_printable(char32_t r) {
  return r == 0x0A || (r >= 0x20 && r <= 0x7E) || r == 0x85 || (r >= 0xA0 && r <= 0xD7FF) ||
         (r >= 0xE000 && r <= 0xFFFD && r != 0xFEFF) || (r >= 0x10000 && r <= 0x10FFFF);
}

std::string yaml_quote(const std::string& s) {
  std::string out = "\"";
  for (std::size_t i = 0; i < s.size();) {
    const auto d = promwatch::core::decode_rune(std::string_view(s).substr(i));
    const std::string_view bytes = std::string_view(s).substr(i, d.width);
    i += d.width;
    switch (d.rune) {
      case '"':
        out += "\\\"";
        continue;
      case '\\':
        out += "\\\\";
        continue;
      case '\n':
        out += "\\n";
        continue;
      case '\t':
        out += "\\t";
        continue;
      default:
        break;
    }
    if (yaml_printable(d.rune) && !d.invalid()) {
      out += bytes;
    } else {
      std::array<char, 16> buf{};
      std::snprintf(buf.data(), buf.size(), "\\U%08x", static_cast<unsigned>(d.rune));
      out += buf.data();
    }
  }
  return out + "\"";
}

std::string run_command(const std::string& command) {
  std::string output;
  std::unique_ptr<FILE, int (*)(FILE*)> pipe(popen(command.c_str(), "r"), pclose);
  if (!pipe) {
    return output;
  }
  std::array<char, 4096> buf{};
  while (const std::size_t n = std::fread(buf.data(), 1, buf.size(), pipe.get())) {
    output.append(buf.data(), n);
  }
  return output;
}

/// promtool's verdicts: rule index (0-based) → text after "could not parse expression: ".
std::map<std::size_t, std::string> parse_promtool_output(const std::string& out) {
  std::map<std::size_t, std::string> errors;
  const std::string marker = ": group \"g\", rule ";
  const std::string prefix = "could not parse expression: ";
  std::size_t at = out.find(marker);
  while (at != std::string::npos) {
    const std::size_t next = out.find(marker, at + marker.size());
    const std::size_t number_start = at + marker.size();
    const std::size_t rule = std::stoul(out.substr(number_start)) - 1;
    // The message runs to the end of the line before the next rule's report.
    std::size_t stop = next == std::string::npos ? out.size() : out.rfind('\n', next);
    std::size_t msg = out.find(prefix, number_start);
    std::string text = msg == std::string::npos || msg > stop
                           ? out.substr(number_start, stop - number_start)
                           : out.substr(msg + prefix.size(), stop - msg - prefix.size());
    while (!text.empty() && text.back() == '\n') {
      text.pop_back();
    }
    errors[rule] = text;
    at = next;
  }
  return errors;
}

struct oracle_input {
  std::string expr;
  bool generated = true;  ///< from the lists above (else from the upstream cases)
};

/// The upstream test expressions of the reference version's tag that YAML can carry.
std::vector<oracle_input> upstream_inputs(const std::string& version) {
  const std::string tag = version + ".0";
  std::vector<oracle_input> out;
  const auto file = promwatch::test::upstream_cases_file(tag);
  if (!std::filesystem::exists(file)) {
    MESSAGE("no upstream cases at " << file << "; only generated expressions are judged");
    return out;
  }
  for (auto& c : promwatch::test::load_upstream_cases(file)) {
    // Skipped cases are no parse verdicts; invalid UTF-8 cannot go into a YAML file.
    if (c.skip || c.from_hex || c.input.empty()) continue;
    out.push_back({std::move(c.input), false});
  }
  return out;
}

}  // namespace

TEST_CASE("promql: verdicts agree with promtool check rules of each reference version") {
  for (const auto& version : promwatch::test::reference_versions()) {
    SUBCASE(("Prometheus " + version).c_str()) {
      const auto tools = promwatch::test::find_reference(version);
      if (!tools) {
        MESSAGE("skipped: promtool " << version
                                     << " is not installed (run scripts/fetch-prometheus.sh)");
        return;
      }
      // promtool could enable experimental functions from 3.4 (prometheus-versions.md §1c).
      const auto parsed = *v::parse_version(version);
      std::set<std::string, std::less<>> features;
      std::string flags;
      if (parsed >= v::prometheus_version{3, 4}) {
        features.emplace("promql-experimental-functions");
        flags = " --enable-feature=promql-experimental-functions";
      }
      const auto prof = v::make_profile(parsed, v::judge::promtool, features);

      std::vector<oracle_input> inputs;
      for (auto& e : generate_expressions())
        inputs.push_back({std::move(e), true});
      const std::size_t generated = inputs.size();
      for (auto& in : upstream_inputs(version))
        inputs.push_back(std::move(in));

      const auto dir = std::filesystem::temp_directory_path() /
                       ("promwatch-promql-oracle-" + std::to_string(getpid()) + "-" + version);
      std::filesystem::create_directories(dir);
      const auto file = dir / "rules.yml";
      {
        std::ofstream out(file);
        out << "groups:\n- name: g\n  rules:\n";
        for (std::size_t i = 0; i < inputs.size(); ++i) {
          out << "  - record: r" << i << "\n    expr: " << yaml_quote(inputs[i].expr) << "\n";
        }
      }
      // One invocation judges every expression.
      const auto output =
          run_command(tools->promtool.string() + flags + " check rules " + file.string() + " 2>&1");
      std::filesystem::remove_all(dir);
      const auto promtool = parse_promtool_output(output);
      REQUIRE_MESSAGE(!promtool.empty(), "promtool reported no errors at all: " << output);

      std::size_t verdicts_agree = 0;
      std::size_t messages_agree = 0;
      std::size_t invalid = 0;
      for (std::size_t i = 0; i < inputs.size(); ++i) {
        const auto ours = v::promql::check_expression(inputs[i].expr, prof);
        const auto theirs = promtool.find(i);
        const bool promtool_valid = theirs == promtool.end();
        invalid += promtool_valid ? 0 : 1;
        const std::string ours_text = ours ? std::to_string(ours->line) + ":" +
                                                 std::to_string(ours->column) + ": " + ours->message
                                           : "valid";
        const std::string theirs_text = promtool_valid ? "valid" : theirs->second;
        const bool verdict_agrees = promtool_valid == !ours.has_value();
        verdicts_agree += verdict_agrees ? 1 : 0;
        if (ours_text == theirs_text) {
          ++messages_agree;
        } else if (!verdict_agrees || (inputs[i].generated && version == "2.42")) {
          MESSAGE((verdict_agrees ? "message" : "VERDICT")
                  << " disagreement (promtool " << version << ") on `" << inputs[i].expr
                  << "`\n  promtool: " << theirs_text << "\n  ours:     " << ours_text);
        }
      }
      const double agreement =
          static_cast<double>(verdicts_agree) / static_cast<double>(inputs.size());
      MESSAGE("promtool " << version << " (" << v::describe(prof) << "): " << inputs.size()
                          << " expressions (" << generated << " generated, " << invalid
                          << " invalid per promtool): verdicts agree on " << verdicts_agree
                          << ", exact messages on " << messages_agree);
      CHECK(generated >= 300);
      CHECK(agreement >= 0.995);
    }
  }
}
