#include "server/json_writer.hpp"

#include <cstdint>
#include <limits>
#include <stdexcept>
#include <string>

#include <doctest/doctest.h>

using promwatch::server::json_writer;

namespace {

std::string quoted(std::string_view s) {
  json_writer w;
  w.value(s);
  return std::move(w).take();
}

}  // namespace

TEST_CASE("objects and arrays nest with commas in the right places") {
  json_writer w;
  w.begin_object()
      .member("name", "promwatch")
      .key("files")
      .begin_array()
      .begin_object()
      .member("path", "rules.yml")
      .member("ok", true)
      .end_object()
      .begin_object()
      .end_object()
      .end_array()
      .key("empty")
      .begin_array()
      .end_array()
      .key("last_reload")
      .null()
      .end_object();
  CHECK(
      w.str() ==
      R"({"name":"promwatch","files":[{"path":"rules.yml","ok":true},{}],"empty":[],"last_reload":null})");
}

TEST_CASE("scalars are written as JSON literals") {
  const auto one = [](auto v) {
    json_writer w;
    w.value(v);
    return w.str();
  };
  CHECK(one(true) == "true");
  CHECK(one(false) == "false");
  CHECK(one(0) == "0");
  CHECK(one(-42) == "-42");
  CHECK(one(std::numeric_limits<std::int64_t>::min()) == "-9223372036854775808");
  CHECK(one(std::numeric_limits<std::uint64_t>::max()) == "18446744073709551615");
  CHECK(one(1.5) == "1.5");
  CHECK(one(0.1) == "0.1");
  CHECK(one(1e300) == "1e+300");
  CHECK(one(2.0) == "2");
  CHECK(one(std::numeric_limits<double>::quiet_NaN()) == "null");
  CHECK(one(std::numeric_limits<double>::infinity()) == "null");
  CHECK(one("text") == R"("text")");
  CHECK(one(std::string("s")) == R"("s")");
}

TEST_CASE("strings escape quotes, backslashes and every control character") {
  CHECK(quoted(R"(a"b\c)") == R"("a\"b\\c")");
  CHECK(quoted("\b\f\n\r\t") == R"("\b\f\n\r\t")");
  CHECK(quoted(std::string_view("\0\x01\x1f", 3)) == R"("\u0000\u0001\u001f")");
  CHECK(quoted("/ and \x7f stay") == "\"/ and \x7f stay\"");
  CHECK(quoted("") == R"("")");
}

TEST_CASE("valid UTF-8 passes through unchanged") {
  for (const char* s : {"caf\xC3\xA9", "\xE2\x82\xAC", "\xF0\x9F\x98\x80", "\xED\x9F\xBF",
                        "\xEE\x80\x80", "\xF4\x8F\xBF\xBF", "\xEF\xBF\xBF"}) {
    CAPTURE(s);
    CHECK(quoted(s) == "\"" + std::string(s) + "\"");
  }
}

TEST_CASE("ill-formed UTF-8 becomes U+FFFD per maximal subpart") {
  const std::string r = "\xEF\xBF\xBD";
  CHECK(quoted("a\x80z") == "\"a" + r + "z\"");              // lone continuation byte
  CHECK(quoted("\xC0\xAF") == "\"" + r + r + "\"");          // overlong lead, then stray byte
  CHECK(quoted("\xE0\x80\xAF") == "\"" + r + r + r + "\"");  // overlong 3-byte form
  CHECK(quoted("\xED\xA0\x80") == "\"" + r + r + r + "\"");  // UTF-16 surrogate
  CHECK(quoted("\xF4\x90\x80\x80") == "\"" + r + r + r + r + "\"");  // above U+10FFFF
  CHECK(quoted("\xF5\xFF") == "\"" + r + r + "\"");                  // bytes that never appear
  CHECK(quoted("\xE2\x82") == "\"" + r + "\"");                      // truncated at the end
  CHECK(quoted("\xE2\x82z") == "\"" + r + "z\"");                    // truncated before ASCII
  CHECK(quoted("\xF0\x9F\x98") == "\"" + r + "\"");                  // truncated 4-byte form
  CHECK(quoted("\xE2\x82\"") == "\"" + r + "\\\"\"");                // a quote is never swallowed
}

TEST_CASE("keys are escaped like strings") {
  json_writer w;
  w.begin_object().member("a\"\n\xFF", 1).end_object();
  CHECK(w.str() == "{\"a\\\"\\n\xEF\xBF\xBD\":1}");
}

TEST_CASE("misuse is a logic error, never a malformed document") {
  SUBCASE("a value in an object without a key") {
    json_writer w;
    w.begin_object();
    CHECK_THROWS_AS(w.value(1), std::logic_error);
  }
  SUBCASE("a key outside an object") {
    json_writer w;
    CHECK_THROWS_AS(w.key("k"), std::logic_error);
    w.begin_array();
    CHECK_THROWS_AS(w.key("k"), std::logic_error);
  }
  SUBCASE("two keys in a row") {
    json_writer w;
    w.begin_object().key("a");
    CHECK_THROWS_AS(w.key("b"), std::logic_error);
  }
  SUBCASE("an end that does not match") {
    json_writer w;
    w.begin_object();
    CHECK_THROWS_AS(w.end_array(), std::logic_error);
    w.key("dangling");
    CHECK_THROWS_AS(w.end_object(), std::logic_error);
  }
  SUBCASE("an end with nothing open") {
    json_writer w;
    CHECK_THROWS_AS(w.end_object(), std::logic_error);
  }
  SUBCASE("a second top-level value") {
    json_writer w;
    w.value(1);
    CHECK_THROWS_AS(w.value(2), std::logic_error);
  }
  SUBCASE("reading an incomplete document") {
    json_writer w;
    CHECK_FALSE(w.complete());
    CHECK_THROWS_AS((void)w.str(), std::logic_error);
    w.begin_array();
    CHECK_THROWS_AS((void)w.str(), std::logic_error);
    w.end_array();
    CHECK(w.str() == "[]");
  }
}
