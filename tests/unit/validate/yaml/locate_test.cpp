#include "validate/yaml/locate.hpp"

#include <string>

#include <doctest/doctest.h>

namespace yaml = promwatch::validate::yaml;

namespace {
// Position in `src` of (line, col) inside the value of key `k`.
yaml::mark where(const std::string& src, std::string_view k, int line, int col) {
  auto doc = yaml::load("f.yml", src);
  REQUIRE(doc.ok());
  const auto* n = doc.root->find(k);
  REQUIRE(n != nullptr);
  yaml::source_map map(src);
  return map.locate(*n, line, col);
}
}  // namespace

TEST_CASE("positions inside a scalar map back to the file") {
  SUBCASE("plain scalar on one line") {
    auto m = where("a: 1\nexpr: sum(rate(x[5m]))\n", "expr", 1, 5);
    CHECK(m.line == 2);
    CHECK(m.column == 11);
  }
  SUBCASE("double-quoted scalar with escapes") {
    auto m = where("expr: \"a{b=\\\"c\\\"} + d\"\n", "expr", 1, 11);
    CHECK(m.line == 1);
    CHECK(m.column == 20);  // `+` after two escaped quotes
  }
  SUBCASE("single-quoted scalar with a doubled quote") {
    auto m = where("expr: 'a{b=''c''} + d'\n", "expr", 1, 11);
    CHECK(m.column == 20);
  }
  SUBCASE("literal block") {
    auto m = where("expr: |\n  sum(\n    rate(x)\n  )\n", "expr", 2, 3);
    CHECK(m.line == 3);
    CHECK(m.column == 5);
  }
  SUBCASE("folded block") {
    auto m = where("expr: >\n  sum(\n  rate(x))\n", "expr", 1, 6);
    CHECK(m.line == 3);
    CHECK(m.column == 3);
  }
  SUBCASE("multi-line plain scalar") {
    auto m = where("expr: sum(\n  rate(x))\nb: 1\n", "expr", 1, 6);
    CHECK(m.line == 2);
    CHECK(m.column == 3);
  }
}
