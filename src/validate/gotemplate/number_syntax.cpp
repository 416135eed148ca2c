#include "validate/gotemplate/number_syntax.hpp"

#include <cerrno>
#include <cmath>
#include <cstdint>
#include <cstdlib>

#include "validate/go_text.hpp"

namespace promwatch::validate::gotemplate::detail {
namespace {

char lower(char c) {
  return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
}

bool is_hex(char c) {
  return (c >= '0' && c <= '9') || (lower(c) >= 'a' && lower(c) <= 'f');
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

std::optional<std::string> go_number_error(std::string_view text, bool is_complex) {
  const std::string illegal = "illegal number syntax: " + go_text::quote(text);
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
      return "integer overflow: " + go_text::quote(text);
    }
    return std::nullopt;
  }
  return illegal;
}

}  // namespace promwatch::validate::gotemplate::detail
