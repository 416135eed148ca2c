#include <string>
#include <string_view>

#include <doctest/doctest.h>

#include "core/diagnostic.hpp"
#include "validate/validate.hpp"

using namespace promwatch;

namespace {

std::string repeat(std::string_view s, int n) {
  std::string out;
  for (int i = 0; i < n; ++i)
    out += s;
  return out;
}

}  // namespace

TEST_CASE("a flood of errors in one file gives the first hundred and a count") {
  const auto r = validate::check_rules("r.yml", "groups: [" + repeat("x, ", 5000) + "x]\n");
  REQUIRE(r.errors.size() == 101);
  CHECK(core::format(r.errors.front()).starts_with("r.yml:1:"));
  CHECK(core::format(r.errors.back()) == "r.yml:1:1: 4901 more errors in this file not shown");
  SUBCASE("every kind of file, through the dispatcher too") {
    const auto sd =
        validate::check(core::file_kind::file_sd, "t.yml", "[" + repeat("x, ", 3000) + "x]\n");
    REQUIRE(sd.errors.size() == 101);
    CHECK(sd.errors.back().message == "2901 more errors in this file not shown");
  }
}

TEST_CASE("errors quote at most a short excerpt of the file") {
  const std::string secret(200, 's');
  const auto r = validate::check_rules(
      "r.yml", "groups:\n- name: g\n  rules:\n  - record: r\n    expr: " + secret + "(up)\n");
  REQUIRE_FALSE(r.ok());
  for (const auto& e : r.errors) {
    CAPTURE(e.message);
    CHECK(e.message.find(secret.substr(0, 41)) == std::string::npos);
    CHECK(e.message.size() <= 520);
  }
  CHECK(r.errors.front().message.find(std::string(40, 's') + "\xE2\x80\xA6") != std::string::npos);
}
