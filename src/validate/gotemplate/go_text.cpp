#include "validate/gotemplate/go_text.hpp"

#include <cerrno>
#include <cmath>
#include <cstdlib>

#include <re2/re2.h>

namespace promwatch::validate::gotemplate::detail {
namespace {

constexpr char hex_digits[] = "0123456789abcdef";

std::string utf8_of(char32_t r) {
  std::string s;
  append_utf8(s, r);
  return s;
}

/// Matches one rune against a Unicode class; RE2 knows the same tables Go's unicode
/// package does, which is what keeps `function "é" not defined` and friends faithful.
bool rune_in_class(char32_t r, const re2::RE2& cls) {
  return re2::RE2::FullMatch(utf8_of(r), cls);
}

char lower(char c) {
  return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
}

bool is_hex(char c) {
  return (c >= '0' && c <= '9') || (lower(c) >= 'a' && lower(c) <= 'f');
}

int hex_value(char c) {
  return (c >= '0' && c <= '9') ? c - '0' : lower(c) - 'a' + 10;
}

bool valid_rune(char32_t r) {
  return r < 0xD800 || (r > 0xDFFF && r <= 0x10FFFF);
}

bool valid_utf8(std::string_view s) {
  while (!s.empty()) {
    auto d = decode_rune(s);
    if (d.rune == rune_error && d.width == 1) return false;
    s.remove_prefix(d.width);
  }
  return true;
}

/// strconv's underscoreOK: `_` only between digits (a base prefix counts as a digit).
bool underscore_ok(std::string_view s) {
  char saw = '^';
  std::size_t i = 0;
  if (!s.empty() && (s[0] == '-' || s[0] == '+')) s.remove_prefix(1);
  bool hex = false;
  if (s.size() >= 2 && s[0] == '0' &&
      (lower(s[1]) == 'b' || lower(s[1]) == 'o' || lower(s[1]) == 'x')) {
    i = 2;
    saw = '0';
    hex = lower(s[1]) == 'x';
  }
  for (; i < s.size(); ++i) {
    if ((s[i] >= '0' && s[i] <= '9') || (hex && is_hex(s[i]))) {
      saw = '0';
      continue;
    }
    if (s[i] == '_') {
      if (saw != '0') return false;
      saw = '_';
      continue;
    }
    if (saw == '_') return false;
    saw = '!';
  }
  return saw != '_';
}

/// strconv.ParseUint(s, 0, 64) succeeds.
bool parse_uint_ok(std::string_view s, std::uint64_t& out) {
  if (s.empty()) return false;
  const std::string_view whole = s;
  unsigned base = 10;
  if (s[0] == '0') {
    if (s.size() >= 3 && lower(s[1]) == 'b') {
      base = 2;
      s.remove_prefix(2);
    } else if (s.size() >= 3 && lower(s[1]) == 'o') {
      base = 8;
      s.remove_prefix(2);
    } else if (s.size() >= 3 && lower(s[1]) == 'x') {
      base = 16;
      s.remove_prefix(2);
    } else {
      base = 8;
      s.remove_prefix(1);
    }
  }
  std::uint64_t n = 0;
  bool underscores = false;
  for (char c : s) {
    if (c == '_') {
      underscores = true;
      continue;
    }
    unsigned d;
    if (c >= '0' && c <= '9') {
      d = static_cast<unsigned>(c - '0');
    } else if (lower(c) >= 'a' && lower(c) <= 'z') {
      d = static_cast<unsigned>(lower(c) - 'a' + 10);
    } else {
      return false;
    }
    if (d >= base) return false;
    if (n > (UINT64_MAX - d) / base) return false;
    n = n * base + d;
  }
  if (underscores && !underscore_ok(whole)) return false;
  out = n;
  return true;
}

/// strconv.ParseInt(s, 0, 64) succeeds.
bool parse_int_ok(std::string_view s) {
  if (s.empty()) return false;
  bool neg = false;
  if (s[0] == '+' || s[0] == '-') {
    neg = s[0] == '-';
    s.remove_prefix(1);
  }
  std::uint64_t u = 0;
  if (!parse_uint_ok(s, u)) return false;
  constexpr std::uint64_t cutoff = std::uint64_t{1} << 63;
  return neg ? u <= cutoff : u < cutoff;
}

/// strconv.ParseFloat(s, 64) succeeds: Go's float syntax (decimal, or hex with a
/// mandatory p exponent, underscores between digits) and no overflow to infinity.
bool parse_float_ok(std::string_view s) {
  std::size_t i = 0;
  std::string clean;
  if (i < s.size() && (s[i] == '+' || s[i] == '-')) clean += s[i++];
  bool hex = false;
  if (i + 1 < s.size() && s[i] == '0' && lower(s[i + 1]) == 'x') {
    hex = true;
    clean += "0x";
    i += 2;
  }
  bool underscores = false, saw_dot = false, saw_digits = false;
  for (; i < s.size(); ++i) {
    const char c = s[i];
    if (c == '_') {
      underscores = true;
      continue;
    }
    if (c == '.') {
      if (saw_dot) break;
      saw_dot = true;
      clean += c;
      continue;
    }
    if ((c >= '0' && c <= '9') || (hex && is_hex(c))) {
      saw_digits = true;
      clean += c;
      continue;
    }
    break;
  }
  if (!saw_digits) return false;
  if (i < s.size() && lower(s[i]) == (hex ? 'p' : 'e')) {
    clean += s[i++];
    if (i >= s.size()) return false;
    if (s[i] == '+' || s[i] == '-') clean += s[i++];
    if (i >= s.size() || s[i] < '0' || s[i] > '9') return false;
    for (; i < s.size() && ((s[i] >= '0' && s[i] <= '9') || s[i] == '_'); ++i) {
      if (s[i] == '_') {
        underscores = true;
      } else {
        clean += s[i];
      }
    }
  } else if (hex) {
    return false;
  }
  if (underscores && !underscore_ok(s.substr(0, i))) return false;
  if (i != s.size()) return false;
  // Only overflow is an error in Go; underflow quietly becomes zero.
  const double v = std::strtod(clean.c_str(), nullptr);
  return !std::isinf(v);
}

}  // namespace

decoded_rune decode_rune(std::string_view s) {
  if (s.empty()) return {rune_error, 0};
  const auto b0 = static_cast<unsigned char>(s[0]);
  if (b0 < 0x80) return {b0, 1};
  auto cont = [&](std::size_t i) {
    return i < s.size() && (static_cast<unsigned char>(s[i]) & 0xC0) == 0x80;
  };
  auto byte = [&](std::size_t i) { return static_cast<char32_t>(s[i]) & 0x3F; };
  if (b0 >= 0xC2 && b0 <= 0xDF && cont(1)) return {((b0 & 0x1Fu) << 6) | byte(1), 2};
  if (b0 >= 0xE0 && b0 <= 0xEF && cont(1) && cont(2)) {
    const char32_t r = ((b0 & 0x0Fu) << 12) | (byte(1) << 6) | byte(2);
    if (r >= 0x800 && valid_rune(r)) return {r, 3};
    return {rune_error, 1};
  }
  if (b0 >= 0xF0 && b0 <= 0xF4 && cont(1) && cont(2) && cont(3)) {
    const char32_t r = ((b0 & 0x07u) << 18) | (byte(1) << 12) | (byte(2) << 6) | byte(3);
    if (r >= 0x10000 && r <= 0x10FFFF) return {r, 4};
  }
  return {rune_error, 1};
}

decoded_rune decode_last_rune(std::string_view s) {
  if (s.empty()) return {rune_error, 0};
  std::size_t start = s.size() - 1;
  for (std::size_t back = 0; back < 3 && start > 0; ++back) {
    if ((static_cast<unsigned char>(s[start]) & 0xC0) != 0x80) break;
    --start;
  }
  auto d = decode_rune(s.substr(start));
  if (start + d.width != s.size()) return {rune_error, 1};
  return d;
}

void append_utf8(std::string& out, char32_t r) {
  if (!valid_rune(r)) r = rune_error;
  if (r < 0x80) {
    out += static_cast<char>(r);
  } else if (r < 0x800) {
    out += static_cast<char>(0xC0 | (r >> 6));
    out += static_cast<char>(0x80 | (r & 0x3F));
  } else if (r < 0x10000) {
    out += static_cast<char>(0xE0 | (r >> 12));
    out += static_cast<char>(0x80 | ((r >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (r & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (r >> 18));
    out += static_cast<char>(0x80 | ((r >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((r >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (r & 0x3F));
  }
}

bool is_alphanumeric(char32_t r) {
  if (r < 0x80) {
    return r == '_' || (r >= 'a' && r <= 'z') || (r >= 'A' && r <= 'Z') || (r >= '0' && r <= '9');
  }
  // Immutable once built; RE2 matching is thread-safe.
  static const re2::RE2 letter_or_digit(R"(\pL|\p{Nd})");
  return rune_in_class(r, letter_or_digit);
}

bool is_print(char32_t r) {
  if (r < 0x80) return r >= 0x20 && r < 0x7F;
  if (r == 0xAD || !valid_rune(r)) return false;
  static const re2::RE2 graphic(R"([\pL\pM\pN\pP\pS])");
  return rune_in_class(r, graphic);
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

std::string go_quote(std::string_view s, std::size_t max_runes) {
  std::string out = "\"";
  std::size_t runes = 0;
  while (!s.empty() && runes < max_runes) {
    const auto d = decode_rune(s);
    const char32_t r = d.rune;
    ++runes;
    if (d.width == 1 && r == rune_error) {
      out += "\\x";
      out += hex_digits[static_cast<unsigned char>(s[0]) >> 4];
      out += hex_digits[static_cast<unsigned char>(s[0]) & 0xF];
    } else if (r == '"' || r == '\\') {
      out += '\\';
      out += static_cast<char>(r);
    } else if (is_print(r)) {
      out.append(s.substr(0, d.width));
    } else {
      switch (r) {
        case '\a':
          out += "\\a";
          break;
        case '\b':
          out += "\\b";
          break;
        case '\f':
          out += "\\f";
          break;
        case '\n':
          out += "\\n";
          break;
        case '\r':
          out += "\\r";
          break;
        case '\t':
          out += "\\t";
          break;
        case '\v':
          out += "\\v";
          break;
        default: {
          const bool small = r < ' ' || r == 0x7F;
          const int digits = small ? 2 : (r < 0x10000 ? 4 : 8);
          out += small ? "\\x" : (r < 0x10000 ? "\\u" : "\\U");
          for (int shift = (digits - 1) * 4; shift >= 0; shift -= 4) {
            out += hex_digits[(r >> shift) & 0xF];
          }
        }
      }
    }
    s.remove_prefix(d.width);
  }
  out += '"';
  return out;
}

std::string go_unicode(char32_t r) {
  static constexpr char upper_hex[] = "0123456789ABCDEF";
  std::string out = "U+";
  int digits = 4;
  while (digits < 8 && (r >> (digits * 4)) != 0)
    ++digits;
  for (int shift = (digits - 1) * 4; shift >= 0; shift -= 4)
    out += upper_hex[(r >> shift) & 0xF];
  if (is_print(r)) {
    out += " '";
    append_utf8(out, r);
    out += '\'';
  }
  return out;
}

std::optional<std::string_view> go_unquote_char_tail(std::string_view s, char quote) {
  if (s.empty()) return std::nullopt;
  const char c = s[0];
  if (c == quote && (quote == '\'' || quote == '"')) return std::nullopt;
  if (static_cast<unsigned char>(c) >= 0x80) return s.substr(decode_rune(s).width);
  if (c != '\\') return s.substr(1);
  if (s.size() <= 1) return std::nullopt;
  const char e = s[1];
  s.remove_prefix(2);
  switch (e) {
    case 'a':
    case 'b':
    case 'f':
    case 'n':
    case 'r':
    case 't':
    case 'v':
    case '\\':
      return s;
    case 'x':
    case 'u':
    case 'U': {
      const std::size_t n = e == 'x' ? 2 : (e == 'u' ? 4 : 8);
      if (s.size() < n) return std::nullopt;
      char32_t v = 0;
      for (std::size_t j = 0; j < n; ++j) {
        if (!is_hex(s[j])) return std::nullopt;
        v = (v << 4) | static_cast<char32_t>(hex_value(s[j]));
      }
      if (e != 'x' && !valid_rune(v)) return std::nullopt;
      return s.substr(n);
    }
    case '0':
    case '1':
    case '2':
    case '3':
    case '4':
    case '5':
    case '6':
    case '7': {
      unsigned v = static_cast<unsigned>(e - '0');
      if (s.size() < 2) return std::nullopt;
      for (std::size_t j = 0; j < 2; ++j) {
        if (s[j] < '0' || s[j] > '7') return std::nullopt;
        v = (v << 3) | static_cast<unsigned>(s[j] - '0');
      }
      if (v > 255) return std::nullopt;
      return s.substr(2);
    }
    case '\'':
    case '"':
      if (e != quote) return std::nullopt;
      return s;
    default:
      return std::nullopt;
  }
}

std::optional<std::string> go_unquote(std::string_view in) {
  if (in.size() < 2) return std::nullopt;
  const char quote = in[0];
  if (in.back() != quote) return std::nullopt;
  std::string_view body = in.substr(1, in.size() - 2);
  if (quote == '`') {
    if (body.find('`') != std::string_view::npos) return std::nullopt;
    std::string out;
    for (char c : body) {
      if (c != '\r') out += c;
    }
    return out;
  }
  if (quote != '"' && quote != '\'') return std::nullopt;
  if (body.find('\\') == std::string_view::npos && body.find('\n') == std::string_view::npos &&
      body.find(quote) == std::string_view::npos) {
    if (quote == '"') {
      if (valid_utf8(body)) return std::string(body);
    } else {
      auto d = decode_rune(body);
      if (d.width == body.size() && d.width > 0 && !(d.rune == rune_error && d.width == 1)) {
        return std::string(body);
      }
    }
  }
  // The general path only validates; the unescaped value is never needed by the checker.
  std::string_view rest = body;
  bool first = true;
  while (!rest.empty()) {
    if (rest[0] == '\n') return std::nullopt;
    if (quote == '\'' && !first) return std::nullopt;
    auto tail = go_unquote_char_tail(rest, quote);
    if (!tail) return std::nullopt;
    rest = *tail;
    first = false;
  }
  if (quote == '\'' && first) return std::nullopt;
  return std::string(body);
}

std::optional<std::string> go_number_error(std::string_view text, bool is_complex) {
  const std::string illegal = "illegal number syntax: " + go_quote(text);
  if (is_complex) {
    // fmt.Sscan reads `real±imag i`; accept exactly that shape.
    if (text.size() < 2 || text.back() != 'i') return illegal;
    for (std::size_t k = text.size() - 1; k > 0; --k) {
      if ((text[k] == '+' || text[k] == '-') && lower(text[k - 1]) != 'e' &&
          lower(text[k - 1]) != 'p') {
        if (parse_float_ok(text.substr(0, k)) &&
            parse_float_ok(text.substr(k, text.size() - k - 1))) {
          return std::nullopt;
        }
        return illegal;
      }
    }
    return illegal;
  }
  if (!text.empty() && text.back() == 'i' && parse_float_ok(text.substr(0, text.size() - 1))) {
    return std::nullopt;
  }
  std::uint64_t u = 0;
  if (parse_uint_ok(text, u) || parse_int_ok(text)) return std::nullopt;
  if (parse_float_ok(text)) {
    // A float parse of something written as an integer means it was too big.
    if (text.find_first_of(".eEpP") == std::string_view::npos) {
      return "integer overflow: " + go_quote(text);
    }
    return std::nullopt;
  }
  return illegal;
}

}  // namespace promwatch::validate::gotemplate::detail
