#include <optional>
#include <string>

#include <doctest/doctest.h>

#include "validate/validate.hpp"

using promwatch::validate::check_file_sd;

namespace {
bool valid(std::string_view path, std::string_view content) {
  return check_file_sd(path, content).ok();
}
std::string first_error(std::string_view path, std::string_view content) {
  auto r = check_file_sd(path, content);
  return r.errors.empty() ? "" : r.errors.front().message;
}
}  // namespace

TEST_CASE("file_sd accepts what Prometheus' file discovery reads") {
  SUBCASE("json") {
    CHECK(valid("t.json", R"([{"targets":["a:1"],"labels":{"job":"x"}}])"));
    CHECK(valid("t.json", "null"));
    CHECK(valid("t.json", "[]\n"));
    CHECK(valid("t.JSON", R"([{"Targets":["a"],"labels":{"a":null},"targets":[null]}])"));
    CHECK(valid("t.json", R"([{"labels":{"a":"x","a":"y"}}])"));
  }
  SUBCASE("yaml") {
    CHECK(valid("t.yml", ""));
    CHECK(valid("t.yaml", "# only a comment\n"));
    CHECK(valid("t.yml", "- targets: [a, 1, null]\n  labels: {a: 1, b: true, c: null}\n"));
    CHECK(valid("t.yml", "- {}\n"));
    CHECK(valid("t.yml", "- targets: [a]\n---\n- foo: 1\n"));
  }
}

TEST_CASE("file_sd rejects what Prometheus' file discovery rejects") {
  SUBCASE("json syntax as Go's encoding/json") {
    CHECK(first_error("t.json", "") == "unexpected end of JSON input");
    CHECK(first_error("t.json", "[{\"targets\":[\"a\"]},]") ==
          "invalid character ']' looking for beginning of value");
    CHECK(first_error("t.json", "[] []") == "invalid character '[' after top-level value");
    CHECK_FALSE(valid("t.json", "\xEF\xBB\xBF[]"));
    CHECK_FALSE(valid("t.json", "[] // comment"));
    CHECK_FALSE(valid("t.json", "['a']"));
    CHECK_FALSE(valid("t.json", "[01]"));
  }
  SUBCASE("json structure") {
    CHECK(first_error("t.json", "[null]") == "nil target group item found");
    CHECK(first_error("t.json", R"([{"foo":1}])") == "json: unknown field \"foo\"");
    CHECK_FALSE(valid("t.json", "{}"));
    CHECK_FALSE(valid("t.json", "[1]"));
    CHECK_FALSE(valid("t.json", R"([{"targets":"a"}])"));
    CHECK_FALSE(valid("t.json", R"([{"targets":[1]}])"));
    CHECK_FALSE(valid("t.json", R"([{"labels":{"a":1}}])"));
    CHECK_FALSE(valid("t.json", R"([{"labels":{"a":true}}])"));
    CHECK(first_error("t.json", R"([{"labels":{"a-b":"x"}}])") ==
          "\"a-b\" is not a valid label name");
    CHECK_FALSE(valid("t.json", R"([{"labels":{"":"x"}}])"));
  }
  SUBCASE("yaml") {
    CHECK(first_error("t.yml", "- null\n") == "nil target group item found");
    CHECK_FALSE(valid("t.yml", "-\n"));
    CHECK_FALSE(valid("t.yml", "{}\n"));
    CHECK_FALSE(valid("t.yml", "- foo: 1\n"));
    CHECK_FALSE(valid("t.yml", "- targets: a\n"));
    CHECK_FALSE(valid("t.yml", "- targets: [{a: b}]\n"));
    CHECK_FALSE(valid("t.yml", "- labels: {a: [x]}\n"));
    CHECK_FALSE(valid("t.yml", "- labels: {1a: x}\n"));
    CHECK_FALSE(valid("t.yml", "- labels: {a: 1, a: 2}\n"));
    CHECK_FALSE(valid("t.yml", "- targets: [a]\n  targets: [b]\n"));
    CHECK_FALSE(valid("t.yml", "- targets: [a\n"));
  }
  SUBCASE("other extensions") {
    CHECK_FALSE(valid("t.txt", "[]"));
  }
}

TEST_CASE("file_sd errors point at the offending line and column") {
  auto r = check_file_sd("t.json",
                         "[\n  {\"targets\": [\"a\"],\n   \"labels\": {\"bad-name\": \"x\"}}\n]");
  REQUIRE(r.errors.size() == 1);
  CHECK(r.errors[0].file == "t.json");
  CHECK(r.errors[0].line == 3);
  CHECK(r.errors[0].column == 15);
  auto y = check_file_sd("t.yml", "- targets: [a]\n- null\n");
  REQUIRE(y.errors.size() == 1);
  CHECK(y.errors[0].line == 2);
  CHECK(y.errors[0].column == 3);
}

TEST_CASE("file_sd counts target groups") {
  CHECK(check_file_sd("t.yml", "- targets: [a]\n- targets: [b]\n").target_group_count == 2);
}

namespace {
using promwatch::validate::judge;
using promwatch::validate::make_profile;
using promwatch::validate::name_scheme;
using promwatch::validate::profile;
using promwatch::validate::prometheus_version;

bool valid_at(const profile& p, std::string_view path, std::string_view content) {
  return check_file_sd(path, content, {}, p).ok();
}
profile at(int major, int minor, judge by = judge::server,
           std::optional<name_scheme> names = std::nullopt) {
  return make_profile(prometheus_version{major, minor}, by, {}, names);
}
}  // namespace

TEST_CASE("file_sd label names are UTF-8 in every 3.x binary and legacy in 2.x") {
  // Checked with promtool check service-discovery 2.42, 2.53 and 3.5.
  const std::string yaml = "- targets: [a]\n  labels: {team-name: x, \"région\": y, a.b: z}\n";
  const std::string json = R"([{"targets":["a"],"labels":{"a.b":"x","a\udc00":"y"}}])";
  for (const auto& p : {profile{}, at(2, 53), at(2, 53, judge::promtool)}) {
    CHECK_FALSE(valid_at(p, "t.yml", yaml));
    CHECK_FALSE(valid_at(p, "t.json", json));
  }
  // The global scheme is UTF-8 in 3.x whatever prometheus.yml says.
  for (const auto& p :
       {at(3, 0), at(3, 5, judge::promtool), at(3, 14, judge::server, name_scheme::legacy)}) {
    CHECK(valid_at(p, "t.yml", yaml));
    CHECK(valid_at(p, "t.json", json));
    CHECK_FALSE(valid_at(p, "t.yml", "- targets: [a]\n  labels: {\"\": x}\n"));
    CHECK_FALSE(valid_at(p, "t.json", R"([{"labels":{"":"x"}}])"));
  }
  // 2.55's server set the global scheme with --enable-feature=utf8-names.
  auto flagged = make_profile(prometheus_version{2, 55}, judge::server, {"utf8-names"});
  CHECK(valid_at(flagged, "t.yml", yaml));
  CHECK_FALSE(valid_at(at(2, 55), "t.yml", yaml));
}

TEST_CASE("file_sd: a target newer than promwatch makes unknown fields warnings") {
  auto p = at(4, 0);
  auto json = check_file_sd("t.json", R"([{"targets":["a"],"weight":1}])", {}, p);
  CHECK(json.ok());
  REQUIRE(json.warnings.size() == 1);
  CHECK(json.warnings[0].message == "json: unknown field \"weight\"");
  auto yaml = check_file_sd("t.yml", "- targets: [a]\n  weight: 1\n", {}, p);
  CHECK(yaml.ok());
  CHECK(yaml.warnings.size() == 1);
  CHECK_FALSE(check_file_sd("t.yml", "- targets: [a]\n  weight: 1\n", {}, at(3, 14)).ok());
}

TEST_CASE("file_sd YAML: Go yaml.v2 scanner errors yaml-cpp lets pass") {
  // Each verdict was checked with promtool check service-discovery 2.42 and 3.5 (yaml.v2).
  struct row {
    const char* content;
    bool valid;
  };
  const row rows[] = {
      {"- targets: [a]\n\t# c\n", false},
      {"- targets: [a]\n  \t\n", false},
      {"# c\n\t# c\n- targets: [a]\n", false},  // yaml.v2 has no comment lookahead
      {"- targets: [a] # c\n\t\n", false},
      {"- targets: [a]\n\t\n", false},
      {"- targets:\n  - a\n    \t\n", true},
      {"- targets:\n  - a\n     \t\n", true},
      {"- targets: [a,\n\tb]\n", true},
      {"- targets: [a]\n  labels:\n    a: \"x\n\ty\"\n", true},
      {"- targets: [a]\n  labels:\n    a: x\n      \t\n", true},
      // yaml.v2 stops at the end of the first document.
      {"- targets: [a]\n---\n\tfoo\n", true},
      {"- targets: [a]\n---\n\"abc\n", true},
      {"- targets: [a]\n...\n\tfoo\n", true},
  };
  for (const auto& r : rows) {
    CAPTURE(r.content);
    CHECK(valid("t.yml", r.content) == r.valid);
  }
}
