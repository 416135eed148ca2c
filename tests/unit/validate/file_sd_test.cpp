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
