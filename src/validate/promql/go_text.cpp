#include "validate/promql/go_text.hpp"

#include <array>
#include <cstdio>

namespace promwatch::validate::promql::go_text {
namespace {

// unicode.IsPrint approximated for the characters that realistically show up in queries:
// ASCII graphics and space, and any non-ASCII scalar outside the C1 controls and the
// format/separator characters Go classifies as unprintable.
bool is_print(char32_t r) {
  if (r < 0x80) {
    return r >= 0x20 && r < 0x7F;
  }
  if (r < 0xA0 || r == 0xAD || r > 0x10FFFF) {
    return false;
  }
  if ((r >= 0x2028 && r <= 0x202E) || (r >= 0x200B && r <= 0x200F) ||
      (r >= 0x2060 && r <= 0x206F) || r == 0xFEFF || (r >= 0xFFF9 && r <= 0xFFFB)) {
    return false;
  }
  if ((r >= 0xD800 && r <= 0xDFFF) || (r >= 0xE000 && r <= 0xF8FF) || r >= 0xF0000) {
    return false;
  }
  return (r & 0xFFFE) != 0xFFFE;
}

void append_hex(std::string& out, unsigned long v, int digits, bool upper) {
  std::array<char, 16> buf{};
  std::snprintf(buf.data(), buf.size(), upper ? "%0*lX" : "%0*lx", digits, v);
  out += buf.data();
}

void append_escaped(std::string& out, char32_t r, std::size_t width, char quote_char) {
  if (width == 1 && r == rune_error) {
    out += "\\x";
    return;  // the caller appends the byte value
  }
  if (r == static_cast<char32_t>(quote_char) || r == U'\\') {
    out += '\\';
    out += static_cast<char>(r);
    return;
  }
  if (is_print(r)) {
    append_utf8(out, r);
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
    append_hex(out, r, 2, false);
  } else if (r < 0x10000) {
    out += "\\u";
    append_hex(out, r, 4, false);
  } else {
    out += "\\U";
    append_hex(out, r, 8, false);
  }
}

std::string quote_with(std::string_view s, char quote_char) {
  std::string out(1, quote_char);
  while (!s.empty()) {
    const auto d = decode_rune(s);
    append_escaped(out, d.rune, d.width, quote_char);
    if (d.width == 1 && d.rune == rune_error) {
      append_hex(out, static_cast<unsigned char>(s[0]), 2, false);
    }
    s.remove_prefix(d.width);
  }
  out += quote_char;
  return out;
}

int digit_value(char c) {
  if (c >= '0' && c <= '9') {
    return c - '0';
  }
  if (c >= 'a' && c <= 'f') {
    return c - 'a' + 10;
  }
  if (c >= 'A' && c <= 'F') {
    return c - 'A' + 10;
  }
  return 16;
}

}  // namespace

decoded_rune decode_rune(std::string_view s) {
  if (s.empty()) {
    return {rune_error, 0};
  }
  const auto b0 = static_cast<unsigned char>(s[0]);
  if (b0 < 0x80) {
    return {b0, 1};
  }
  std::size_t need = 0;
  char32_t r = 0;
  char32_t min = 0;
  if (b0 >= 0xC2 && b0 <= 0xDF) {
    need = 1;
    r = b0 & 0x1F;
    min = 0x80;
  } else if (b0 >= 0xE0 && b0 <= 0xEF) {
    need = 2;
    r = b0 & 0x0F;
    min = 0x800;
  } else if (b0 >= 0xF0 && b0 <= 0xF4) {
    need = 3;
    r = b0 & 0x07;
    min = 0x10000;
  } else {
    return {rune_error, 1};
  }
  if (s.size() <= need) {
    return {rune_error, 1};
  }
  for (std::size_t i = 1; i <= need; ++i) {
    const auto b = static_cast<unsigned char>(s[i]);
    if ((b & 0xC0) != 0x80) {
      return {rune_error, 1};
    }
    r = (r << 6) | (b & 0x3F);
  }
  if (r < min || r > 0x10FFFF || (r >= 0xD800 && r <= 0xDFFF)) {
    return {rune_error, 1};
  }
  return {r, need + 1};
}

void append_utf8(std::string& out, char32_t r) {
  if (r > 0x10FFFF || (r >= 0xD800 && r <= 0xDFFF)) {
    r = rune_error;
  }
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

std::string quote(std::string_view s) {
  return quote_with(s, '"');
}

std::string quote_truncated(std::string_view s, std::size_t max_runes) {
  std::size_t bytes = 0;
  for (std::size_t n = 0; n < max_runes && bytes < s.size(); ++n) {
    bytes += decode_rune(s.substr(bytes)).width;
  }
  return quote(s.substr(0, bytes));
}

std::string quote_rune(long r) {
  char32_t rune =
      r < 0 || r > 0x10FFFF || (r >= 0xD800 && r <= 0xDFFF) ? rune_error : static_cast<char32_t>(r);
  std::string out(1, '\'');
  append_escaped(out, rune, 0, '\'');
  out += '\'';
  return out;
}

std::string unicode_notation(char32_t r) {
  std::string out = "U+";
  append_hex(out, r, 4, true);
  if (is_print(r)) {
    out += " '";
    append_utf8(out, r);
    out += '\'';
  }
  return out;
}

std::optional<std::string> unquote(std::string_view literal) {
  if (literal.size() < 2 || literal.front() != literal.back()) {
    return std::nullopt;
  }
  const char q = literal.front();
  std::string_view s = literal.substr(1, literal.size() - 2);
  if (q == '`') {
    if (s.find('`') != std::string_view::npos) {
      return std::nullopt;
    }
    return std::string(s);
  }
  if ((q != '"' && q != '\'') || s.find('\n') != std::string_view::npos) {
    return std::nullopt;
  }
  std::string out;
  out.reserve(s.size());
  while (!s.empty()) {
    const char c = s[0];
    if (c == q) {
      return std::nullopt;
    }
    if (c != '\\') {
      const auto d = decode_rune(s);
      out.append(s.substr(0, d.width));
      s.remove_prefix(d.width);
      continue;
    }
    if (s.size() < 2) {
      return std::nullopt;
    }
    const char e = s[1];
    s.remove_prefix(2);
    switch (e) {
      case 'a':
        out += '\a';
        continue;
      case 'b':
        out += '\b';
        continue;
      case 'f':
        out += '\f';
        continue;
      case 'n':
        out += '\n';
        continue;
      case 'r':
        out += '\r';
        continue;
      case 't':
        out += '\t';
        continue;
      case 'v':
        out += '\v';
        continue;
      case '\\':
        out += '\\';
        continue;
      default:
        break;
    }
    if (e == q) {
      out += e;
      continue;
    }
    std::size_t digits = 0;
    unsigned base = 16;
    if (e == 'x') {
      digits = 2;
    } else if (e == 'u') {
      digits = 4;
    } else if (e == 'U') {
      digits = 8;
    } else if (e >= '0' && e <= '7') {
      digits = 2;
      base = 8;
    } else {
      return std::nullopt;
    }
    unsigned long v = base == 8 ? static_cast<unsigned long>(e - '0') : 0;
    if (s.size() < digits) {
      return std::nullopt;
    }
    for (std::size_t i = 0; i < digits; ++i) {
      const int d = digit_value(s[i]);
      if (d >= static_cast<int>(base)) {
        return std::nullopt;
      }
      v = v * base + static_cast<unsigned long>(d);
    }
    s.remove_prefix(digits);
    // \x and octal escapes are single bytes; \u and \U are code points.
    if (e == 'x' || base == 8) {
      if (v > 255) {
        return std::nullopt;
      }
      out += static_cast<char>(v);
    } else {
      if (v > 0x10FFFF || (v >= 0xD800 && v < 0xE000)) {
        return std::nullopt;
      }
      append_utf8(out, static_cast<char32_t>(v));
    }
  }
  return out;
}

}  // namespace promwatch::validate::promql::go_text
