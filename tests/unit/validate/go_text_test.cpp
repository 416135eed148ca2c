#include "validate/go_text.hpp"

#include <doctest/doctest.h>

namespace go_text = promwatch::validate::go_text;

TEST_CASE("quote matches strconv.Quote and fmt's %.Nq") {
  CHECK(go_text::quote("a\"b\\c\n\x01\x7f") == R"("a\"b\\c\n\x01\x7f")");
  CHECK(go_text::quote("\xFF") == R"("\xff")");
  CHECK(go_text::quote("caf\xC3\xA9") == "\"caf\xC3\xA9\"");
  CHECK(go_text::quote("\xC2\xA0\xE2\x80\xA8") == R"("\u00a0\u2028")");
  CHECK(go_text::quote("\xC3\xA9\xC3\xA9\xC3\xA9", 2) == "\"\xC3\xA9\xC3\xA9\"");
}

TEST_CASE("quote_rune and unicode_notation match strconv.QuoteRune and %#U") {
  CHECK(go_text::quote_rune('\'') == R"('\'')");
  CHECK(go_text::quote_rune(-1) == "'\xEF\xBF\xBD'");
  CHECK(go_text::unicode_notation(U'}') == "U+007D '}'");
  CHECK(go_text::unicode_notation(1) == "U+0001");
  CHECK(go_text::unicode_notation(U'\U0001F600') == "U+1F600 '\xF0\x9F\x98\x80'");
}

TEST_CASE("unquote follows strconv.Unquote, unquote_prometheus strutil.Unquote") {
  CHECK(go_text::unquote(R"("a\x41\u00e9\101")") ==
        "aA\xC3\xA9"
        "A");
  CHECK(go_text::unquote("`a\rb`") == "ab");
  CHECK(go_text::unquote_prometheus("`a\rb`") == "a\rb");
  CHECK(go_text::unquote("'ab'") == std::nullopt);
  CHECK(go_text::unquote_prometheus("'ab'") == "ab");
  CHECK(go_text::unquote_prometheus(R"('a\'b')") == "a'b");
  for (const char* bad :
       {R"("\q")", R"("\'")", "\"a\nb\"", R"("\ud800")", R"("\400")", "\"", R"("a"b")"}) {
    CAPTURE(bad);
    CHECK(go_text::unquote(bad) == std::nullopt);
    CHECK(go_text::unquote_prometheus(bad) == std::nullopt);
  }
}
