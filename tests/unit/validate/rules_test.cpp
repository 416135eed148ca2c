#include <string>

#include <doctest/doctest.h>

#include "validate/validate.hpp"

using promwatch::validate::check_rules;

namespace {
std::string errors_of(std::string_view content) {
  std::string all;
  for (const auto& e : check_rules("r.yml", content).errors)
    all += e.message + "\n";
  return all;
}
bool valid(std::string_view content) {
  return check_rules("r.yml", content).ok();
}

constexpr std::string_view base_head = "groups:\n- name: g\n  rules:\n";
std::string with_rule(std::string_view rule) {
  return std::string(base_head) + std::string(rule);
}
}  // namespace

TEST_CASE("rule files that promtool accepts are valid") {
  CHECK(valid(""));
  CHECK(valid("# nothing here\n"));
  CHECK(valid("groups: []\n"));
  CHECK(valid(with_rule("  - record: job:up:sum\n    expr: sum(up)\n    labels: {a: 5}\n")));
  CHECK(valid(
      with_rule("  - alert: Down\n    expr: up == 0\n    for: 5m\n"
                "    keep_firing_for: 1m\n    annotations:\n      summary: '{{ $value }}'\n")));
  CHECK(valid(with_rule("  - record: null\n    expr: null\n    for: 0s\n    annotations: {}\n")));
  CHECK(valid("groups:\n- name: g\n  interval: 30s\n  limit: 1.5\n  rules: []\n"));
  CHECK(valid("groups:\n- name: g\n---\nbogus: 1\n"));
}

TEST_CASE("rule counts include every rule of every group") {
  auto r =
      check_rules("r.yml",
                  "groups:\n- name: a\n  rules:\n  - record: a\n    expr: up\n"
                  "- name: b\n  rules:\n  - record: b\n    expr: up\n  - alert: c\n    expr: up\n");
  CHECK(r.ok());
  CHECK(r.rule_count == 3);
}

TEST_CASE("rule files that promtool rejects are invalid") {
  SUBCASE("unknown and duplicate keys") {
    CHECK(errors_of(with_rule("  - record: a\n    expr: up\n    bogus: 1\n")) ==
          "field bogus not found in type rulefmt.RuleNode\n");
    CHECK(errors_of("groups:\n- name: g\n  partial_response_strategy: warn\n") ==
          "field partial_response_strategy not found in type rulefmt.RuleGroup\n");
    CHECK(errors_of("apiVersion: v1\n") ==
          "field apiVersion not found in type rulefmt.RuleGroups\n");
    CHECK(errors_of(with_rule("  - record: a\n    expr: up\n    expr: down\n")) ==
          "mapping key \"expr\" already defined at line 5\n");
  }
  SUBCASE("types and durations") {
    CHECK(errors_of("ALERT Foo IF up == 0\n") ==
          "cannot unmarshal !!str `ALERT F...` into rulefmt.RuleGroups\n");
    CHECK_FALSE(valid("groups:\n- name: g\n  interval: 5\n"));
    CHECK_FALSE(valid("groups:\n- name: g\n  limit: '5'\n"));
    CHECK_FALSE(valid(with_rule("  - alert: a\n    expr: up\n    for: 5 minutes\n")));
    CHECK_FALSE(valid(with_rule("  - alert: a\n    expr: up\n    labels: [a]\n")));
    CHECK_FALSE(valid("groups: {}\n"));
  }
  SUBCASE("group names") {
    CHECK(errors_of("groups:\n- rules: []\n") == "Groupname must not be empty\n");
    CHECK(errors_of("groups:\n- name: a\n- name: a\n") ==
          "groupname: \"a\" is repeated in the same file\n");
  }
  SUBCASE("rule shape") {
    CHECK(errors_of(with_rule("  - record: a\n    alert: b\n    expr: up\n")) ==
          "group \"g\", rule 1, \"b\": only one of 'record' and 'alert' must be set\n");
    CHECK(errors_of(with_rule("  - expr: up\n")) ==
          "group \"g\", rule 1, \"\": one of 'record' or 'alert' must be set\n");
    CHECK(errors_of(with_rule("  - record: a\n")) ==
          "group \"g\", rule 1, \"a\": field 'expr' must be set in rule\n");
    CHECK(errors_of(with_rule("  - record: a-b\n    expr: up\n")) ==
          "group \"g\", rule 1, \"a-b\": invalid recording rule name: a-b\n");
    CHECK(errors_of(with_rule("  - record: a\n    expr: up\n    for: 1m\n")) ==
          "group \"g\", rule 1, \"a\": invalid field 'for' in recording rule\n");
    CHECK(errors_of(with_rule("  - record: a\n    expr: up\n    annotations: {x: y}\n")) ==
          "group \"g\", rule 1, \"a\": invalid field 'annotations' in recording rule\n");
    CHECK(errors_of(with_rule("  - alert: a\n    expr: up\n    labels: {__name__: x}\n")) ==
          "group \"g\", rule 1, \"a\": invalid label name: __name__\n");
    CHECK(errors_of(with_rule("  - alert: a\n    expr: up\n    labels: {a-b: x}\n")) ==
          "group \"g\", rule 1, \"a\": invalid label name: a-b\n");
    CHECK(errors_of(with_rule("  - alert: a\n    expr: up\n    annotations: {a.b: x}\n")) ==
          "group \"g\", rule 1, \"a\": invalid annotation name: a.b\n");
  }
  SUBCASE("expressions and templates") {
    CHECK_FALSE(valid(with_rule("  - record: a\n    expr: rate((\n")));
    CHECK_FALSE(
        valid(with_rule("  - alert: a\n    expr: up\n    annotations: {x: '{{ bad }}'}\n")));
  }
}

TEST_CASE("rule errors carry the position of the offending node") {
  auto r = check_rules("r.yml", with_rule("  - record: a-b\n    expr: up\n"));
  REQUIRE(r.errors.size() == 1);
  CHECK(r.errors[0].file == "r.yml");
  CHECK(r.errors[0].line == 4);
  CHECK(r.errors[0].column == 13);
  auto e =
      check_rules("r.yml", with_rule("  - record: a\n    expr: |\n      sum(\n        rate((\n"));
  REQUIRE(e.errors.size() == 1);
  CHECK(e.errors[0].line >= 6);
}
