// Hostile inputs: every validator ends quickly with a clear diagnostic instead of crashing,
// hanging or recursing without bound. Sizes are just past each bound, to prove it cheaply.
#include <string>
#include <string_view>

#include <doctest/doctest.h>

#include "core/diagnostic.hpp"
#include "validate/gotemplate/check.hpp"
#include "validate/promql/parser.hpp"
#include "validate/validate.hpp"

namespace validate = promwatch::validate;
namespace promql = promwatch::validate::promql;
namespace gotemplate = promwatch::validate::gotemplate;
using promwatch::core::format;

namespace {

std::string repeat(std::string_view s, int n) {
  std::string out;
  out.reserve(s.size() * static_cast<std::size_t>(n));
  for (int i = 0; i < n; ++i)
    out += s;
  return out;
}

// The only diagnostic of `r`, formatted as `file:line:col: message`.
std::string only_error(const validate::report& r) {
  REQUIRE(r.errors.size() == 1);
  return format(r.errors[0]);
}

std::string where(const promql::parse_error& e) {
  return std::to_string(e.line) + ":" + std::to_string(e.column) + ": " + e.message;
}

std::string where(const gotemplate::template_error& e) {
  return std::to_string(e.line) + ":" + std::to_string(e.column) + ": " + e.message;
}

std::string rule_file(std::string_view expr) {
  return "groups:\n- name: g\n  rules:\n  - record: r\n    expr: " + std::string(expr) + "\n";
}

}  // namespace

TEST_CASE("limits: YAML nested 10k levels deep stops at the depth limit, with its position") {
  SUBCASE("flow sequences") {
    const auto r = validate::check_rules("r.yml", repeat("[", 10000) + repeat("]", 10000));
    CHECK(only_error(r) == "r.yml:1:101: yaml: nesting deeper than 100 levels");
  }
  SUBCASE("flow mappings") {
    const auto r = validate::check_config("p.yml", repeat("{a: ", 10000) + repeat("}", 10000));
    CHECK(only_error(r) == "p.yml:1:401: yaml: nesting deeper than 100 levels");
  }
  SUBCASE("unclosed flow sequences") {
    const auto r = validate::check_file_sd("t.yml", repeat("[", 10000));
    CHECK(format(r.errors.at(0)).find("nesting deeper than 100 levels") != std::string::npos);
  }
  SUBCASE("block sequences on one line") {
    const auto r = validate::check_rules("r.yml", repeat("- ", 10000) + "x\n");
    CHECK(only_error(r) == "r.yml:1:201: yaml: nesting deeper than 100 levels");
  }
  SUBCASE("indented block mappings") {
    std::string text;
    for (int i = 0; i < 150; ++i)
      text += std::string(2 * static_cast<std::size_t>(i), ' ') + "a:\n";
    const auto r = validate::check_rules("r.yml", text);
    CHECK(only_error(r) == "r.yml:101:201: yaml: nesting deeper than 100 levels");
  }
  SUBCASE("the bound is the configured one") {
    validate::limits lim;
    lim.max_depth = 10;
    const auto at_bound = validate::check_file_sd("t.yml", repeat("[", 10) + repeat("]", 10), lim);
    CHECK(only_error(at_bound).find("nesting") == std::string::npos);  // a type error instead
    const auto r = validate::check_file_sd("t.yml", repeat("[", 11) + repeat("]", 11), lim);
    CHECK(only_error(r) == "t.yml:1:11: yaml: nesting deeper than 10 levels");
  }
}

TEST_CASE("limits: JSON arrays nested 100k deep stop at the depth limit") {
  const std::string open = repeat("[", 100000);
  CHECK(only_error(validate::check_file_sd("t.json", open)) ==
        "t.json:1:101: nesting deeper than 100 levels");
  CHECK(only_error(validate::check_file_sd("t.json", open + repeat("]", 100000))) ==
        "t.json:1:101: nesting deeper than 100 levels");
  CHECK(only_error(validate::check_file_sd("t.json", repeat("{\"a\":", 100000))) ==
        "t.json:1:501: nesting deeper than 100 levels");
}

TEST_CASE("limits: PromQL nesting beyond 256 levels is an error, not a stack overflow") {
  const std::string too_deep = "parse error: expression nesting too deep (more than 256 levels)";
  SUBCASE("100k parentheses") {
    const auto e = promql::check_expression(repeat("(", 100000) + "1" + repeat(")", 100000));
    REQUIRE(e);
    CHECK(where(*e) == "1:257: " + too_deep);
  }
  SUBCASE("100k unary minus") {
    const auto e = promql::check_expression(repeat("-", 100000) + "up");
    REQUIRE(e);
    CHECK(where(*e) == "1:257: " + too_deep);
  }
  SUBCASE("100k nested function calls") {
    const auto e = promql::check_expression(repeat("abs(", 100000) + "up" + repeat(")", 100000));
    REQUIRE(e);
    CHECK(where(*e) == "1:1025: " + too_deep);
  }
  SUBCASE("a 100k-term binary chain is bounded by the tree height") {
    const auto e = promql::check_expression("up" + repeat(" or up", 100000));
    REQUIRE(e);
    CHECK(e->message == "parse error: expression nesting too deep (more than 10000 levels)");
  }
  SUBCASE("a 5000-term or-chain is valid, as in Prometheus (generated rules write these)") {
    CHECK_FALSE(promql::check_expression("up" + repeat(" or up", 5000)));
    CHECK_FALSE(promql::check_expression("up" + repeat(" + up", 5000)));
  }
  SUBCASE("a 100k-term right-associative power chain (regression: stack overflow)") {
    const auto e = promql::check_expression("2" + repeat("^2", 100000));
    REQUIRE(e);
    CHECK(where(*e) == "1:513: " + too_deep);
  }
  SUBCASE("chains below the bound are fine") {
    CHECK_FALSE(promql::check_expression("up" + repeat(" + up", 500)));
    CHECK_FALSE(promql::check_expression("2" + repeat("^2", 250)));
    CHECK_FALSE(promql::check_expression(repeat("-", 250) + "up"));
  }
  SUBCASE("inside a rule file the error is positioned in the file") {
    const auto r = validate::check_rules("r.yml", rule_file("2" + repeat("^2", 5000)));
    CHECK(only_error(r) ==
          "r.yml:5:523: group \"g\", rule 1, \"r\": could not parse expression: "
          "1:513: " +
              too_deep);
  }
}

TEST_CASE("limits: Go templates nested beyond 1000 levels are an error") {
  SUBCASE("nested if") {
    const auto e =
        gotemplate::check_template("__alert_A", repeat("{{if 1}}", 2000) + repeat("{{end}}", 2000));
    REQUIRE(e);
    CHECK(where(*e) == "1:8003: max expression depth exceeded");
    CHECK(gotemplate::to_promtool_message("__alert_A", *e) ==
          "template: __alert_A:1: max expression depth exceeded");
  }
  SUBCASE("nested range and with") {
    auto e = gotemplate::check_template("t", repeat("{{range .}}", 2000) + repeat("{{end}}", 2000));
    REQUIRE(e);
    CHECK(e->message == "max expression depth exceeded");
    e = gotemplate::check_template("t", repeat("{{with .}}", 2000) + repeat("{{end}}", 2000));
    REQUIRE(e);
    CHECK(e->message == "max expression depth exceeded");
  }
  SUBCASE("nested parentheses") {
    const auto e =
        gotemplate::check_template("t", "{{" + repeat("(", 2000) + "1" + repeat(")", 2000) + "}}");
    REQUIRE(e);
    CHECK(where(*e) == "1:1003: max expression depth exceeded");
  }
  SUBCASE("a long pipeline is not nesting") {
    CHECK_FALSE(gotemplate::check_template("t", "{{ 1" + repeat(" | printf \"%v\"", 2000) + " }}"));
  }
}

TEST_CASE("limits: YAML alias bombs stop at the expansion limit") {
  SUBCASE("billion laughs") {
    std::string text = "a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n";
    for (char c = 'b'; c <= 'i'; ++c) {
      text += std::string(1, c) + ": &" + c + " [";
      for (int k = 0; k < 9; ++k)
        text += std::string(k == 0 ? "" : ", ") + "*" + static_cast<char>(c - 1);
      text += "]\n";
    }
    CHECK(only_error(validate::check_rules("r.yml", text)) ==
          "r.yml:6:8: yaml: document expands aliases to more than 100000 nodes (alias bomb?)");
  }
  SUBCASE("merge keys") {
    validate::limits lim;
    lim.max_alias_expansion = 1000;
    std::string text = "a: &a {x: 1, y: 2}\n";
    for (char c = 'b'; c <= 't'; ++c) {
      const char prev = static_cast<char>(c - 1);
      text += std::string(1, c) + ": &" + c + " {<<: [*" + prev + "], " + c + "1: *" + prev + ", " +
              c + "2: *" + prev + "}\n";
    }
    const auto r = validate::check_config("p.yml", text, lim);
    CHECK(format(r.errors.at(0)).find("expands aliases to more than 1000 nodes") !=
          std::string::npos);
  }
}

TEST_CASE("limits: a file just over max_file_bytes is rejected before parsing") {
  const validate::limits defaults;
  const std::string huge(defaults.max_file_bytes + 1, ' ');
  // A whole-file error is placed at 1:1, so it still reads file:line:col.
  const std::string message = ":1:1: file is " + std::to_string(huge.size()) +
                              " bytes, more than the limit of " +
                              std::to_string(defaults.max_file_bytes);
  CHECK(only_error(validate::check_rules("r.yml", huge)) == "r.yml" + message);
  CHECK(only_error(validate::check_config("p.yml", huge)) == "p.yml" + message);
  CHECK(only_error(validate::check_file_sd("t.yml", huge)) == "t.yml" + message);
  CHECK(only_error(validate::check_file_sd("t.json", huge)) == "t.json" + message);

  validate::limits small;
  small.max_file_bytes = 4;
  CHECK(validate::check_file_sd("t.json", "[  ]", small).ok());
  CHECK_FALSE(validate::check_file_sd("t.json", "[   ]", small).ok());
}

TEST_CASE("limits: very long lines keep exact columns") {
  const std::string long_value(100000, 'x');
  SUBCASE("an unknown field after a long scalar") {
    const auto r =
        validate::check_rules("r.yml", "groups: [{name: \"" + long_value + "\", bad: 1}]");
    CHECK(only_error(r) == "r.yml:1:100021: field bad not found in type rulefmt.RuleGroup");
  }
  SUBCASE("a PromQL error after a long label value") {
    const auto r = validate::check_rules("r.yml", rule_file("up{a=\"" + long_value + "\"} +"));
    CHECK(only_error(r) ==
          "r.yml:5:100021: group \"g\", rule 1, \"r\": could not parse "
          "expression: 1:100011: parse error: unexpected end of input");
  }
  SUBCASE("a long valid rule file line") {
    CHECK(validate::check_rules("r.yml", rule_file("up{a=\"" + long_value + "\"}")).ok());
  }
}

TEST_CASE("limits: NUL bytes and invalid UTF-8 are errors where Go rejects them") {
  using namespace std::string_literals;
  SUBCASE("YAML: Go's reader rejects control characters anywhere (regression: accepted)") {
    CHECK(only_error(validate::check_rules("r.yml", "groups: []\n\0\n"s)) ==
          "r.yml:2:1: yaml: control characters are not allowed");
    CHECK(only_error(validate::check_rules("r.yml", "groups: [{name: \"a\0b\"}]\n"s)) ==
          "r.yml:1:19: yaml: control characters are not allowed");
    CHECK(only_error(validate::check_config("p.yml", "# \x7f\n")) ==
          "p.yml:1:3: yaml: control characters are not allowed");
    CHECK(only_error(validate::check_file_sd("t.yml", "- targets: [\"\xc2\x80\"]\n")) ==
          "t.yml:1:14: yaml: control characters are not allowed");
  }
  SUBCASE("YAML: Go's reader rejects invalid UTF-8 anywhere (regression: accepted)") {
    CHECK(only_error(validate::check_rules("r.yml", "groups: [{name: \"a\xff\"}]\n")) ==
          "r.yml:1:19: yaml: invalid leading UTF-8 octet");
    CHECK(only_error(validate::check_rules("r.yml", "groups: [{name: a\xc3, rules: []}]\n")) ==
          "r.yml:1:19: yaml: invalid trailing UTF-8 octet");
    CHECK(only_error(validate::check_file_sd("t.yml", "# \xc0\x80\n")) ==
          "t.yml:1:3: yaml: invalid length of a UTF-8 sequence");
    CHECK(only_error(validate::check_file_sd("t.yml", "# \xed\xa0\x80\n")) ==
          "t.yml:1:3: yaml: invalid Unicode character");
    CHECK(only_error(validate::check_file_sd("t.yml", "[]\n# \xe2\x82")) ==
          "t.yml:2:3: yaml: incomplete UTF-8 octet sequence");
  }
  SUBCASE("YAML: valid UTF-8, tabs, NEL and a UTF-8 byte order mark are fine") {
    CHECK(validate::check_file_sd("t.yml", "- targets: [\"h\xc3\xa9:1\", \"\xf0\x9f\x98\x80\"]\n")
              .ok());
    CHECK(validate::check_file_sd("t.yml", "\xef\xbb\xbf# \t\xc2\x85\n[]\n").ok());
  }
  SUBCASE("JSON: a NUL outside a string is a syntax error") {
    CHECK(only_error(validate::check_file_sd("t.json", "\0"s)) ==
          "t.json:1:1: invalid character '\\x00' looking for beginning of value");
  }
  SUBCASE("JSON: invalid UTF-8 inside a string is replaced, as Go does") {
    CHECK(validate::check_file_sd("t.json", "[{\"targets\": [\"a\xff:1\"]}]").ok());
  }
  SUBCASE("PromQL and templates name the bad character") {
    const auto nul = promql::check_expression("up\0"s);
    REQUIRE(nul);
    CHECK(where(*nul) == "1:3: parse error: unexpected character: '\\x00'");
    const auto utf8 = promql::check_expression("up{a=\"\xff\"}");
    REQUIRE(utf8);
    CHECK(where(*utf8) == "1:6: parse error: invalid UTF-8 rune");
    const auto action = gotemplate::check_template("t", "{{ \0 }}"s);
    REQUIRE(action);
    CHECK(where(*action) == "1:4: unrecognized character in action: U+0000");
  }
}

TEST_CASE("limits: CRLF line ends and a byte order mark do not shift positions") {
  const std::string lf = rule_file("up +");
  std::string crlf;
  for (char c : lf)
    crlf += c == '\n' ? std::string("\r\n") : std::string(1, c);
  const std::string expected =
      "r.yml:5:15: group \"g\", rule 1, \"r\": could not parse expression: 1:5: parse error: "
      "unexpected end of input";
  CHECK(only_error(validate::check_rules("r.yml", lf)) == expected);
  CHECK(only_error(validate::check_rules("r.yml", crlf)) == expected);
  CHECK(only_error(validate::check_rules("r.yml", "\xef\xbb\xbf" + lf)) == expected);
  CHECK(only_error(validate::check_rules("r.yml", "\xef\xbb\xbf" + crlf)) == expected);
  CHECK(validate::check_rules("r.yml", "\xef\xbb\xbf" + rule_file("up")).ok());
  SUBCASE("encoding/json does not skip a byte order mark") {
    CHECK(only_error(validate::check_file_sd("t.json", "\xef\xbb\xbf[]")) ==
          "t.json:1:1: invalid character '\xc3\xaf' looking for beginning of value");
  }
}

TEST_CASE("limits: thousands of duplicate keys give the first hundred and a count") {
  const auto r = validate::check_config("p.yml", repeat("global: {}\n", 2000));
  REQUIRE(r.errors.size() == 101);
  CHECK(format(r.errors.front()) == "p.yml:2:1: mapping key \"global\" already defined at line 1");
  CHECK(format(r.errors[99]) == "p.yml:101:1: mapping key \"global\" already defined at line 1");
  CHECK(format(r.errors.back()) == "p.yml:1:1: 1899 more errors of this kind not shown");
  SUBCASE("JSON allows duplicate keys, as Go does") {
    CHECK(validate::check_file_sd("t.json",
                                  "[{" + repeat("\"targets\": [], ", 2000) + "\"labels\": {}}]")
              .ok());
  }
}
