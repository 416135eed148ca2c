// Differential test: the PromQL checker against the promtool that is installed, on several
// hundred generated expressions (valid and invalid, covering every supported feature).
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

#include "validate/promql/parser.hpp"

namespace {

constexpr const char* promtool_path = "/usr/bin/promtool";

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
  return out;
}

std::string yaml_quote(const std::string& s) {
  std::string out = "\"";
  for (const unsigned char c : s) {
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        if (c < 0x20) {
          std::array<char, 8> buf{};
          std::snprintf(buf.data(), buf.size(), "\\x%02x", c);
          out += buf.data();
        } else {
          out += static_cast<char>(c);
        }
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

}  // namespace

TEST_CASE("promql: verdicts agree with promtool check rules on generated expressions") {
  if (!std::filesystem::exists(promtool_path)) {
    MESSAGE("skipped: " << promtool_path << " is not installed");
    return;
  }
  const auto exprs = generate_expressions();
  const auto dir = std::filesystem::temp_directory_path() /
                   ("promwatch-promql-oracle-" + std::to_string(getpid()));
  std::filesystem::create_directories(dir);
  const auto file = dir / "rules.yml";
  {
    std::ofstream out(file);
    out << "groups:\n- name: g\n  rules:\n";
    for (std::size_t i = 0; i < exprs.size(); ++i) {
      out << "  - record: r" << i << "\n    expr: " << yaml_quote(exprs[i]) << "\n";
    }
  }
  const auto output =
      run_command(std::string(promtool_path) + " check rules " + file.string() + " 2>&1");
  std::filesystem::remove_all(dir);
  const auto promtool = parse_promtool_output(output);
  REQUIRE_MESSAGE(!promtool.empty(), "promtool reported no errors at all: " << output);

  std::size_t verdicts_agree = 0;
  std::size_t messages_agree = 0;
  std::size_t invalid = 0;
  for (std::size_t i = 0; i < exprs.size(); ++i) {
    const auto ours = promwatch::validate::promql::check_expression(exprs[i]);
    const auto theirs = promtool.find(i);
    const bool promtool_valid = theirs == promtool.end();
    invalid += promtool_valid ? 0 : 1;
    const std::string ours_text = ours ? std::to_string(ours->line) + ":" +
                                             std::to_string(ours->column) + ": " + ours->message
                                       : "valid";
    const std::string theirs_text = promtool_valid ? "valid" : theirs->second;
    if (promtool_valid == !ours.has_value()) {
      ++verdicts_agree;
    }
    if (ours_text == theirs_text) {
      ++messages_agree;
    } else {
      MESSAGE("disagreement on `" << exprs[i] << "`\n  promtool: " << theirs_text
                                  << "\n  ours:     " << ours_text);
    }
  }
  const double agreement = static_cast<double>(verdicts_agree) / static_cast<double>(exprs.size());
  MESSAGE(exprs.size() << " expressions (" << invalid
                       << " invalid per promtool): verdicts agree on " << verdicts_agree
                       << ", exact messages on " << messages_agree);
  CHECK(exprs.size() >= 300);
  CHECK(agreement >= 0.995);
}
