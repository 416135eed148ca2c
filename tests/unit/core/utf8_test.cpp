#include "core/utf8.hpp"

#include <string>

#include <doctest/doctest.h>

using namespace promwatch::core;

TEST_CASE("decode_rune follows Go's utf8.DecodeRuneInString") {
  SUBCASE("well-formed sequences decode to their rune and width") {
    CHECK(decode_rune("a").rune == U'a');
    CHECK(decode_rune("\xC3\xA9x").rune == U'\u00E9');
    CHECK(decode_rune("\xC3\xA9x").width == 2);
    CHECK(decode_rune("\xE2\x82\xAC").rune == U'\u20AC');
    CHECK(decode_rune("\xF0\x9F\x98\x80").rune == U'\U0001F600');
    CHECK(decode_rune("\xF0\x9F\x98\x80").width == 4);
    CHECK(decode_rune("\xEF\xBF\xBD").width == 3);
    CHECK_FALSE(decode_rune("\xEF\xBF\xBD").invalid());
  }
  SUBCASE("ill-formed input is one invalid byte") {
    for (const char* s : {"\x80", "\xC0\xAF", "\xE0\x80\xAF", "\xED\xA0\x80", "\xF4\x90\x80\x80",
                          "\xF5\x80\x80", "\xE2\x82"}) {
      CAPTURE(s);
      CHECK(decode_rune(s).invalid());
    }
  }
  SUBCASE("empty input has width 0") {
    CHECK(decode_rune("").width == 0);
  }
}

TEST_CASE("append_utf8 encodes scalar values and replaces the rest") {
  std::string out;
  append_utf8(out, U'\u00E9');
  append_utf8(out, U'\U0001F600');
  append_utf8(out, 0xD800);
  append_utf8(out, 0x110000);
  CHECK(out == "\xC3\xA9\xF0\x9F\x98\x80\xEF\xBF\xBD\xEF\xBF\xBD");
  CHECK(valid_utf8(out));
  CHECK_FALSE(valid_utf8("ok\xFF"));
}

TEST_CASE("ill_formed_length measures the maximal subpart one U+FFFD replaces") {
  CHECK(ill_formed_length("") == 0);
  CHECK(ill_formed_length("a") == 0);
  CHECK(ill_formed_length("\xE2\x82\xAC") == 0);
  CHECK(ill_formed_length("\x80") == 1);
  CHECK(ill_formed_length("\xE0\x80") == 1);
  CHECK(ill_formed_length("\xE2\x82z") == 2);
  CHECK(ill_formed_length("\xF0\x9F\x98") == 3);
}
