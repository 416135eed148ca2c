#include "validate/go_text.hpp"

#include <re2/re2.h>

#include "core/utf8.hpp"

namespace promwatch::validate::go_text {
namespace {

constexpr char lower_hex[] = "0123456789abcdef";

/// Matches one rune against a Unicode class; RE2 knows the same tables Go's unicode
/// package does, which is what keeps `function "é" not defined` and friends faithful.
bool rune_in_class(char32_t r, const re2::RE2& cls) {
  std::string s;
  core::append_utf8(s, r);
  return re2::RE2::FullMatch(s, cls);
}

void append_hex(std::string& out, char32_t v, int digits) {
  for (int shift = (digits - 1) * 4; shift >= 0; shift -= 4) {
    out += lower_hex[(v >> shift) & 0xF];
  }
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return 16;
}

/// strconv's appendEscapedRune for a valid rune inside a literal quoted with `quote`.
void append_escaped(std::string& out, char32_t r, char quote) {
  if (r == static_cast<char32_t>(quote) || r == U'\\') {
    out += '\\';
    out += static_cast<char>(r);
    return;
  }
  if (is_print(r)) {
    core::append_utf8(out, r);
    return;
  }
  switch (r) {
    case U'\a':
      out += "\\a";
      return;
    case U'\b':
      out += "\\b";
      return;
    case U'\f':
      out += "\\f";
      return;
    case U'\n':
      out += "\\n";
      return;
    case U'\r':
      out += "\\r";
      return;
    case U'\t':
      out += "\\t";
      return;
    case U'\v':
      out += "\\v";
      return;
    default:
      break;
  }
  if (r < U' ' || r == 0x7F) {
    out += "\\x";
    append_hex(out, r, 2);
  } else if (r < 0x10000) {
    out += "\\u";
    append_hex(out, r, 4);
  } else {
    out += "\\U";
    append_hex(out, r, 8);
  }
}

/// strconv.Unquote (`prometheus` false) or strutil.Unquote (`prometheus` true).
std::optional<std::string> unquote_with(std::string_view literal, bool prometheus) {
  if (literal.size() < 2 || literal.front() != literal.back()) return std::nullopt;
  const char q = literal.front();
  std::string_view body = literal.substr(1, literal.size() - 2);
  if (q == '`') {
    if (body.find('`') != std::string_view::npos) return std::nullopt;
    if (prometheus) return std::string(body);
    std::string out;
    for (const char c : body) {
      if (c != '\r') out += c;
    }
    return out;
  }
  if ((q != '"' && q != '\'') || body.find('\n') != std::string_view::npos) return std::nullopt;
  if (body.find('\\') == std::string_view::npos && body.find(q) == std::string_view::npos) {
    // Go returns such a body as it is, after checking that strconv's is valid UTF-8 (or
    // exactly one rune between single quotes); otherwise the general path decides.
    if (prometheus || (q == '"' && core::valid_utf8(body))) return std::string(body);
    if (q == '\'') {
      const auto d = core::decode_rune(body);
      if (d.width > 0 && d.width == body.size() && !d.invalid()) return std::string(body);
    }
  }
  std::string out;
  std::size_t chars = 0;
  while (!body.empty()) {
    const auto c = unquote_char(body, q);
    if (!c) return std::nullopt;
    if (c->value < 0x80 || !c->multibyte) {
      out += static_cast<char>(c->value);
    } else {
      core::append_utf8(out, c->value);
    }
    body = c->tail;
    ++chars;
  }
  if (!prometheus && q == '\'' && chars != 1) return std::nullopt;
  return out;
}

}  // namespace

bool is_print(char32_t r) {
  if (r < 0x80) return r >= 0x20 && r < 0x7F;
  if (r == 0xAD || !core::valid_rune(r)) return false;
  // Immutable once built; RE2 matching is thread-safe.
  static const re2::RE2 graphic(R"([\pL\pM\pN\pP\pS])");
  return rune_in_class(r, graphic);
}

bool is_non_ascii_alphanumeric(char32_t r) {
  static const re2::RE2 letter_or_digit(R"(\pL|\p{Nd})");
  return rune_in_class(r, letter_or_digit);
}

bool is_unicode_space(char32_t r) {
  switch (r) {
    case '\t':
    case '\n':
    case '\v':
    case '\f':
    case '\r':
    case ' ':
    case 0x85:
    case 0xA0:
    case 0x1680:
    case 0x2028:
    case 0x2029:
    case 0x202F:
    case 0x205F:
    case 0x3000:
      return true;
    default:
      return r >= 0x2000 && r <= 0x200A;
  }
}

std::string quote(std::string_view s, std::size_t max_runes) {
  std::string out = "\"";
  for (std::size_t runes = 0; !s.empty() && runes < max_runes; ++runes) {
    const auto d = core::decode_rune(s);
    if (d.invalid()) {
      out += "\\x";
      append_hex(out, static_cast<unsigned char>(s[0]), 2);
    } else {
      append_escaped(out, d.rune, '"');
    }
    s.remove_prefix(d.width);
  }
  out += '"';
  return out;
}

std::string quote_rune(long r) {
  const bool valid = r >= 0 && r <= 0x10FFFF && core::valid_rune(static_cast<char32_t>(r));
  std::string out = "'";
  append_escaped(out, valid ? static_cast<char32_t>(r) : core::rune_error, '\'');
  out += '\'';
  return out;
}

std::string unicode_notation(char32_t r) {
  static constexpr char upper_hex[] = "0123456789ABCDEF";
  std::string out = "U+";
  int digits = 4;
  while (digits < 8 && (r >> (digits * 4)) != 0) {
    ++digits;
  }
  for (int shift = (digits - 1) * 4; shift >= 0; shift -= 4) {
    out += upper_hex[(r >> shift) & 0xF];
  }
  if (is_print(r)) {
    out += " '";
    core::append_utf8(out, r);
    out += '\'';
  }
  return out;
}

std::optional<unquoted_char> unquote_char(std::string_view s, char quote) {
  if (s.empty()) return std::nullopt;
  const char c = s[0];
  if (c == quote && (quote == '\'' || quote == '"')) return std::nullopt;
  if (static_cast<unsigned char>(c) >= 0x80) {
    const auto d = core::decode_rune(s);
    return unquoted_char{d.rune, true, s.substr(d.width)};
  }
  if (c != '\\') return unquoted_char{static_cast<unsigned char>(c), false, s.substr(1)};
  if (s.size() <= 1) return std::nullopt;
  const char e = s[1];
  s.remove_prefix(2);
  switch (e) {
    case 'a':
      return unquoted_char{U'\a', false, s};
    case 'b':
      return unquoted_char{U'\b', false, s};
    case 'f':
      return unquoted_char{U'\f', false, s};
    case 'n':
      return unquoted_char{U'\n', false, s};
    case 'r':
      return unquoted_char{U'\r', false, s};
    case 't':
      return unquoted_char{U'\t', false, s};
    case 'v':
      return unquoted_char{U'\v', false, s};
    case '\\':
      return unquoted_char{U'\\', false, s};
    case 'x':
    case 'u':
    case 'U': {
      const std::size_t n = e == 'x' ? 2 : (e == 'u' ? 4 : 8);
      if (s.size() < n) return std::nullopt;
      char32_t v = 0;
      for (std::size_t j = 0; j < n; ++j) {
        const int d = hex_value(s[j]);
        if (d >= 16) return std::nullopt;
        v = (v << 4) | static_cast<char32_t>(d);
      }
      // \x is a single byte, possibly not UTF-8; \u and \U are code points.
      if (e == 'x') return unquoted_char{v, false, s.substr(n)};
      if (!core::valid_rune(v)) return std::nullopt;
      return unquoted_char{v, true, s.substr(n)};
    }
    case '0':
    case '1':
    case '2':
    case '3':
    case '4':
    case '5':
    case '6':
    case '7': {
      auto v = static_cast<char32_t>(e - '0');
      if (s.size() < 2) return std::nullopt;
      for (std::size_t j = 0; j < 2; ++j) {
        if (s[j] < '0' || s[j] > '7') return std::nullopt;
        v = (v << 3) | static_cast<char32_t>(s[j] - '0');
      }
      if (v > 255) return std::nullopt;
      return unquoted_char{v, false, s.substr(2)};
    }
    case '\'':
    case '"':
      if (e != quote) return std::nullopt;
      return unquoted_char{static_cast<char32_t>(e), false, s};
    default:
      return std::nullopt;
  }
}

std::optional<std::string> unquote(std::string_view literal) {
  return unquote_with(literal, false);
}

std::optional<std::string> unquote_prometheus(std::string_view literal) {
  return unquote_with(literal, true);
}

}  // namespace promwatch::validate::go_text
