#include <optional>
#include <string>

#include <doctest/doctest.h>

#include "validate/names.hpp"
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

// ---- version boundaries (prometheus-versions.md §2, model/rulefmt at each tag) ----------------

namespace {
using promwatch::validate::judge;
using promwatch::validate::make_profile;
using promwatch::validate::name_scheme;
using promwatch::validate::profile;
using promwatch::validate::prometheus_version;

profile server(int major, int minor, std::optional<name_scheme> names = std::nullopt) {
  return make_profile(prometheus_version{major, minor}, judge::server, {}, names);
}
profile promtool(int major, int minor) {
  return make_profile(prometheus_version{major, minor}, judge::promtool, {});
}
std::string errors_at(const profile& p, std::string_view content) {
  std::string all;
  for (const auto& e : check_rules("r.yml", content, {}, p).errors)
    all += e.message + "\n";
  return all;
}
bool valid_at(const profile& p, std::string_view content) {
  return check_rules("r.yml", content, {}, p).ok();
}
}  // namespace

TEST_CASE("group query_offset is a field from 2.53 on, and a duration") {
  const std::string offset = "groups:\n- name: g\n  query_offset: 1m\n  rules: []\n";
  CHECK(errors_at(server(2, 52), offset) ==
        "field query_offset not found in type rulefmt.RuleGroup\n");
  CHECK(errors_at(profile{}, offset) == "field query_offset not found in type rulefmt.RuleGroup\n");
  CHECK(valid_at(server(2, 53), offset));
  CHECK(valid_at(server(3, 14), offset));
  CHECK(valid_at(server(2, 53), "groups:\n- name: g\n  query_offset: null\n"));
  CHECK_FALSE(valid_at(server(2, 53), "groups:\n- name: g\n  query_offset: 5\n"));
  CHECK_FALSE(valid_at(server(2, 53), "groups:\n- name: g\n  query_offset: -1m\n"));
  CHECK_FALSE(valid_at(server(3, 5), "groups:\n- name: g\n  query_offset: [1m]\n"));
}

TEST_CASE("group labels are a field from 3.0 on, checked like rule labels") {
  const std::string labels = "groups:\n- name: g\n  labels: {team: a}\n  rules: []\n";
  CHECK(errors_at(server(2, 55), labels) == "field labels not found in type rulefmt.RuleGroup\n");
  CHECK(valid_at(server(3, 0), labels));
  CHECK(valid_at(promtool(3, 5), "groups:\n- name: g\n  labels: {team.name: a, région: b}\n"));
  CHECK(errors_at(promtool(3, 5), "groups:\n- name: g\n  labels: {__name__: a}\n") ==
        "invalid label name: __name__\n");
  CHECK(errors_at(promtool(3, 5), "groups:\n- name: g\n  labels: {\"\": a}\n") ==
        "invalid label name: \n");
  CHECK(errors_at(promtool(3, 5), "groups:\n- name: g\n  labels: {a: \"\\xff\"}\n") == "");
  CHECK_FALSE(valid_at(promtool(3, 5), "groups:\n- name: g\n  labels: [a]\n"));
  // A server told to use legacy names (3.7+) checks group labels as legacy names.
  CHECK(errors_at(server(3, 7, name_scheme::legacy), "groups:\n- name: g\n  labels: {a-b: x}\n") ==
        "invalid label name: a-b\n");
}

TEST_CASE("record, label and annotation names follow the version's scheme") {
  const std::string dotted = with_rule("  - record: my.metric\n    expr: up\n");
  const std::string label = with_rule("  - record: a\n    expr: up\n    labels: {ins-tance: x}\n");
  const std::string annotation =
      with_rule("  - alert: a\n    expr: up\n    annotations: {ins-tance: x}\n");
  SUBCASE("2.x: legacy names") {
    for (const auto& p : {profile{}, server(2, 53), promtool(2, 53)}) {
      CHECK(errors_at(p, dotted) ==
            "group \"g\", rule 1, \"my.metric\": invalid recording rule name: my.metric\n");
      CHECK_FALSE(valid_at(p, label));
      CHECK_FALSE(valid_at(p, annotation));
    }
  }
  SUBCASE("3.0-3.6: UTF-8 names in every binary, whatever prometheus.yml says") {
    for (const auto& p : {promtool(3, 0), server(3, 5), server(3, 6, name_scheme::legacy)}) {
      CHECK(valid_at(p, dotted));
      CHECK(valid_at(p, with_rule("  - record: 'a b région'\n    expr: up\n")));
      CHECK(valid_at(p, label));
      CHECK(valid_at(p, annotation));
      CHECK_FALSE(valid_at(p, with_rule("  - record: a\n    expr: up\n    labels: {\"\": x}\n")));
    }
  }
  SUBCASE("3.7+: the scheme is a parameter (promtool: UTF-8; server: prometheus.yml's)") {
    CHECK(valid_at(promtool(3, 14), dotted));
    CHECK(valid_at(server(3, 7), label));
    const auto legacy = server(3, 7, name_scheme::legacy);
    CHECK_FALSE(valid_at(legacy, dotted));
    CHECK_FALSE(valid_at(legacy, label));
    // upstream model/rulefmt/testdata/legacy_validation_annotation.{bad,good}.yaml (3.7+)
    CHECK(errors_at(legacy,
                    "groups:\n  - name: yolo\n    rules:\n      - alert: hola\n        expr: 1\n"
                    "        annotations:\n          ins-tance: localhost\n") ==
          "group \"yolo\", rule 1, \"hola\": invalid annotation name: ins-tance\n");
    CHECK(valid_at(legacy,
                   "groups:\n  - name: yolo\n    rules:\n      - alert: hola\n        expr: 1\n"
                   "        annotations:\n          ins_tance: localhost\n"));
  }
}

TEST_CASE("record names with braces are rejected from 3.2 on") {
  // upstream model/rulefmt/testdata/invalid_record_name.bad.yaml
  const std::string braces =
      "groups:\n  - name: yolo\n    rules:\n      - record: strawberry{flavor=\"sweet\"}\n"
      "        expr: 1\n";
  CHECK(valid_at(promtool(3, 1), braces));
  CHECK(errors_at(promtool(3, 2), braces) ==
        "group \"yolo\", rule 1, \"strawberry{flavor=\"sweet\"}\": braces present in the recording "
        "rule name; should it be in expr?: strawberry{flavor=\"sweet\"}\n");
  CHECK_FALSE(valid_at(server(3, 14), with_rule("  - record: a}\n    expr: up\n")));
  // 2.x rejected them as invalid names already.
  CHECK(errors_at(profile{}, braces) ==
        "group \"yolo\", rule 1, \"strawberry{flavor=\"sweet\"}\": invalid recording rule name: "
        "strawberry{flavor=\"sweet\"}\n");
}

TEST_CASE("from 3.3 record, alert and expr are strings, not YAML nodes") {
  const std::string null_record = with_rule("  - record: ~\n    expr: up\n");
  CHECK(errors_at(profile{}, null_record) ==
        "group \"g\", rule 1, \"~\": invalid recording rule name: ~\n");
  CHECK(valid_at(promtool(3, 2), null_record));  // the text "~" is a valid UTF-8 name
  CHECK(errors_at(promtool(3, 3), null_record) ==
        "group \"g\", rule 1, \"\": one of 'record' or 'alert' must be set\n");
  CHECK(valid_at(profile{}, with_rule("  - record: a\n    expr: null\n")));
  CHECK(errors_at(promtool(3, 5), with_rule("  - record: a\n    expr: null\n")) ==
        "group \"g\", rule 1, \"a\": field 'expr' must be set in rule\n");
  CHECK(errors_at(profile{}, with_rule("  - record: [a]\n    expr: up\n")) ==
        "group \"g\", rule 1, \"\": one of 'record' or 'alert' must be set\n");
  CHECK(errors_at(promtool(3, 5), with_rule("  - record: [a]\n    expr: up\n")) ==
        "cannot unmarshal !!seq into string\n");
}

TEST_CASE("template functions follow the version") {
  auto annotated = [](std::string_view summary) {
    return with_rule("  - alert: a\n    expr: up\n    annotations:\n      summary: '" +
                     std::string(summary) + "'\n");
  };
  CHECK_FALSE(valid_at(profile{}, annotated("{{ now }}")));
  CHECK_FALSE(valid_at(promtool(3, 5), annotated("{{ now | toDuration }}")));
  CHECK(valid_at(promtool(3, 6), annotated("{{ now }}")));
  CHECK(valid_at(promtool(3, 6), annotated("{{ $value | toDuration }}")));
  CHECK_FALSE(valid_at(promtool(3, 7), annotated("{{ urlQueryEscape $labels.a }}")));
  CHECK(valid_at(promtool(3, 8), annotated("{{ urlQueryEscape $labels.a }}")));
  CHECK(errors_at(promtool(3, 5), annotated("{{ now }}")) ==
        "group \"g\", rule 1, \"a\": template: __alert_a:1: function \"now\" not defined\n");
}

TEST_CASE("a target's /api/v1/features decides which template functions exist") {
  auto p = server(3, 14);
  p.features_api["templating_functions"] = {{"humanize", true}, {"now", false}};
  const auto annotated = [](std::string_view f) {
    return with_rule("  - alert: a\n    expr: up\n    annotations: {s: '{{ " + std::string(f) +
                     " 1 }}'}\n");
  };
  CHECK(valid_at(p, annotated("humanize")));
  CHECK_FALSE(valid_at(p, annotated("now")));
  CHECK_FALSE(valid_at(p, annotated("toDuration")));  // absent from the list: not there
  CHECK(valid_at(p, annotated("printf \"%v\"")));     // Go builtins are not listed, always there
}

TEST_CASE("3.12 warns about a second YAML document and still reads only the first") {
  // upstream model/rulefmt/rulefmt_test.go TestMultiDocParse (3.12+)
  const std::string one = "groups:\n- name: example\n  rules:\n  - alert: I\n    expr: up == 0\n";
  const std::string multi = one + "---\ngroups:\n- name: example2\n  rules: []\n";
  const std::string multi_empty = one + "---\n";
  const std::string warning =
      "Multiple document yaml rules files are not supported, only the first document is processed";
  CHECK(check_rules("r.yml", one + "...\nfoo: bar\n", {}, server(3, 12)).warnings.size() == 1);
  for (const auto& text : {multi, multi_empty}) {
    auto r = check_rules("r.yml", text, {}, server(3, 12));
    CHECK(r.ok());
    REQUIRE(r.warnings.size() == 1);
    CHECK(r.warnings[0].message == warning);
    CHECK(r.warnings[0].line == 6);
    CHECK(check_rules("r.yml", text, {}, server(3, 11)).warnings.empty());
    CHECK(check_rules("r.yml", text).warnings.empty());
  }
  for (const auto& text : {one, "---\n" + one, "---\n" + one + "...\n# end\n", std::string()}) {
    CHECK(check_rules("r.yml", text, {}, server(3, 14)).warnings.empty());
  }
  // The second document is not decoded: its errors do not count.
  auto bad_second = check_rules("r.yml", one + "---\nbogus: [\n", {}, server(3, 14));
  CHECK(bad_second.ok());
  CHECK(bad_second.warnings.size() == 1);
}

TEST_CASE("a target newer than promwatch makes unknown fields warnings") {
  auto p = make_profile(prometheus_version{3, 99}, judge::server, {});
  REQUIRE(p.newer_than_known);
  auto r = check_rules("r.yml",
                       "groups:\n- name: g\n  new_group_field: 1\n  rules:\n"
                       "  - record: a\n    expr: up\n    new_rule_field: x\n",
                       {}, p);
  CHECK(r.ok());
  REQUIRE(r.warnings.size() == 2);
  CHECK(r.warnings[0].message == "field new_group_field not found in type rulefmt.RuleGroup");
  CHECK(r.warnings[1].message == "field new_rule_field not found in type rulefmt.RuleNode");
  // So are template functions it does not know; other template errors stay errors.
  auto templated = check_rules("r.yml",
                               "groups:\n- name: g\n  rules:\n  - alert: a\n    expr: up\n"
                               "    annotations: {s: '{{ brandNewFunction 1 }}'}\n",
                               {}, p);
  CHECK(templated.ok());
  REQUIRE(templated.warnings.size() == 1);
  CHECK(templated.warnings[0].message ==
        "group \"g\", rule 1, \"a\": template: __alert_a:1: function \"brandNewFunction\" not "
        "defined");
  CHECK_FALSE(check_rules("r.yml",
                          "groups:\n- name: g\n  rules:\n  - alert: a\n    expr: up\n"
                          "    annotations: {s: '{{ $nope }}'}\n",
                          {}, p)
                  .ok());
  // Real errors stay errors.
  CHECK_FALSE(
      check_rules("r.yml", "groups:\n- name: g\n  bogus: 1\n  rules:\n  - record: a-b\n", {}, p)
          .ok());
  // Known versions keep unknown fields as errors.
  CHECK_FALSE(check_rules("r.yml", "groups:\n- name: g\n  bogus: 1\n", {}, server(3, 14)).ok());
}

TEST_CASE("Go YAML scanner errors yaml-cpp lets pass make a rule file invalid") {
  // Each verdict was checked with promtool check rules 2.42, 2.53 and 3.5 (yaml.v3).
  struct row {
    const char* content;
    const char* error;  // empty: valid
  };
  const row rows[] = {
      {"groups: []\n\t\n", "yaml: found character that cannot start any token"},
      {"groups: []\n  \t\n", "yaml: found character that cannot start any token"},
      {"groups: []\n\t# c\n", "yaml: found character that cannot start any token"},
      {"\t\ngroups: []\n", "yaml: found character that cannot start any token"},
      {"groups:\n\t[]\n", "yaml: found character that cannot start any token"},
      {"groups:\n- name: a\n  rules:\n  -\t{record: a, expr: up}\n",
       "yaml: found character that cannot start any token"},
      {"? \tgroups\n: []\n", "yaml: found character that cannot start any token"},
      {"groups:\n- name: a\n  rules: []\n\t\n",
       "yaml: found character that cannot start any token"},
      // yaml.v3 reads the first tokens of the next document too.
      {"groups: []\n---\n\tfoo: 1\n", "yaml: found character that cannot start any token"},
      {"groups: []\n---\n\t\n", "yaml: found character that cannot start any token"},
      {"groups: []\n...\n\tfoo\n", "yaml: found character that cannot start any token"},
      {"groups: []\n---\n\"abc\n", "yaml: found unexpected end of stream"},
      {"groups: []\n---\n'abc\n\n", "yaml: found unexpected end of stream"},
      {"groups: []\n--- \"abc\n", "yaml: found unexpected end of stream"},
      {"groups: []\n---\n\"abc\"\n\tfoo\n", "yaml: found character that cannot start any token"},
      // Accepted by Go.
      {"# c\n\t# c\ngroups: []\n", ""},
      {"groups: [\n\t]\n", ""},
      {"groups: []   \t\n", ""},
      {"groups:\t[]\n", ""},
      {"groups:\n- name: \"a\n\tb\"\n  rules: []\n", ""},
      {"groups:\n- name: a\n  rules:\n  - record: a\n    expr: up\n     \t+ 1\n", ""},
      {"groups:\n- name: a\n  rules:\n  - {record: a,\n\texpr: up}\n", ""},
      {"groups: []\n---\nfoo:\n\t- 1\n", ""},
      {"groups: []\n---\nx: \"abc\n", ""},
      {"groups: []\n---\n- 'abc\n", ""},
      {"groups: []\n---\n\"ab\nc\"\n", ""},
      {"groups: []\n--- \tfoo\n", ""},
  };
  for (const auto& r : rows) {
    CAPTURE(r.content);
    const auto got = errors_of(r.content);
    CHECK(got == (*r.error ? std::string(r.error) + "\n" : std::string()));
  }
}

TEST_CASE("metric and label names under the legacy and the UTF-8 scheme") {
  using promwatch::validate::is_valid_label_name;
  using promwatch::validate::is_valid_metric_name;
  constexpr auto legacy = name_scheme::legacy;
  constexpr auto utf8 = name_scheme::utf8;
  // model.ValidationScheme.IsValidMetricName / IsValidLabelName (prometheus/common).
  CHECK(is_valid_metric_name("job:up:sum", legacy));
  CHECK_FALSE(is_valid_metric_name("my.metric", legacy));
  CHECK(is_valid_metric_name("my.metric", utf8));
  CHECK(is_valid_metric_name("a b r\xc3\xa9gion {}", utf8));
  CHECK_FALSE(is_valid_metric_name("", utf8));
  CHECK_FALSE(is_valid_metric_name("\xff", utf8));
  CHECK_FALSE(is_valid_label_name("a:b", legacy));
  CHECK(is_valid_label_name("a:b", utf8));
  CHECK_FALSE(is_valid_label_name("1a", legacy));
  CHECK(is_valid_label_name("1a", utf8));
  CHECK_FALSE(is_valid_label_name("", utf8));
  CHECK_FALSE(is_valid_label_name("a\xc3", utf8));
  // The 2.42 functions are the legacy scheme.
  CHECK(is_valid_metric_name("a:b") == is_valid_metric_name("a:b", legacy));
  CHECK(is_valid_label_name("a_b") == is_valid_label_name("a_b", legacy));
}
