#include "validate/config/go_syntax.hpp"

#include <algorithm>
#include <cctype>
#include <cstdint>

#include <re2/re2.h>

namespace promwatch::validate::config {

std::optional<std::string> base64_decode(std::string_view in) {
  std::string clean;
  for (char ch : in) {
    if (ch != '\r' && ch != '\n') clean += ch;
  }
  if (clean.size() % 4 != 0) return std::nullopt;
  auto value = [](char ch) -> int {
    if (ch >= 'A' && ch <= 'Z') return ch - 'A';
    if (ch >= 'a' && ch <= 'z') return ch - 'a' + 26;
    if (ch >= '0' && ch <= '9') return ch - '0' + 52;
    if (ch == '+') return 62;
    if (ch == '/') return 63;
    return -1;
  };
  std::string out;
  for (std::size_t i = 0; i < clean.size(); i += 4) {
    const bool last = i + 4 == clean.size();
    const int pad = last ? (clean[i + 3] == '=') + (clean[i + 2] == '=') : 0;
    if (pad == 1 && clean[i + 2] == '=') return std::nullopt;
    std::uint32_t bits = 0;
    for (int k = 0; k < 4 - pad; ++k) {
      const int v = value(clean[i + static_cast<std::size_t>(k)]);
      if (v < 0) return std::nullopt;
      bits |= static_cast<std::uint32_t>(v) << (18 - 6 * k);
    }
    out += static_cast<char>((bits >> 16) & 0xff);
    if (pad < 2) out += static_cast<char>((bits >> 8) & 0xff);
    if (pad < 1) out += static_cast<char>(bits & 0xff);
  }
  return out;
}

bool go_url_parses(std::string_view u) {
  if (!u.empty() && u[0] == ':') return false;
  for (std::size_t i = 0; i < u.size(); ++i) {
    const auto ch = static_cast<unsigned char>(u[i]);
    if (ch < 0x20 || ch == 0x7f) return false;
    if (ch == '%' && (i + 2 >= u.size() || !std::isxdigit(static_cast<unsigned char>(u[i + 1])) ||
                      !std::isxdigit(static_cast<unsigned char>(u[i + 2])))) {
      return false;
    }
  }
  return true;
}

bool field_selector_ok(std::string_view s) {
  std::size_t start = 0;
  while (start <= s.size()) {
    auto comma = s.find(',', start);
    if (comma == std::string_view::npos) comma = s.size();
    const auto term = s.substr(start, comma - start);
    if (term.find('=') == std::string_view::npos) return false;
    start = comma + 1;
  }
  return true;
}

bool label_selector_ok(std::string_view s) {
  static const re2::RE2 term(
      R"(^\s*(!?\s*[A-Za-z0-9][-A-Za-z0-9_./]*|[A-Za-z0-9][-A-Za-z0-9_./]*\s*(=|==|!=)\s*[-A-Za-z0-9_.]*|[A-Za-z0-9][-A-Za-z0-9_./]*\s+(in|notin)\s*\([^)]*\)|[A-Za-z0-9][-A-Za-z0-9_./]*\s*[<>]\s*[0-9]+)\s*$)");
  int depth = 0;
  std::size_t start = 0;
  for (std::size_t i = 0; i <= s.size(); ++i) {
    if (i < s.size() && s[i] == '(') ++depth;
    if (i < s.size() && s[i] == ')') --depth;
    if (i == s.size() || (s[i] == ',' && depth == 0)) {
      if (!re2::RE2::FullMatch(s.substr(start, i - start), term)) return false;
      start = i + 1;
    }
  }
  return true;
}

bool uuid_ok(std::string_view u) {
  if (u.size() == 45 && u.starts_with("urn:uuid:")) u.remove_prefix(9);
  if (u.size() == 38 && u.front() == '{' && u.back() == '}') u = u.substr(1, 36);
  auto hex = [](char ch) { return std::isxdigit(static_cast<unsigned char>(ch)) != 0; };
  if (u.size() == 32) return std::all_of(u.begin(), u.end(), hex);
  if (u.size() != 36) return false;
  for (std::size_t i = 0; i < u.size(); ++i) {
    const bool dash = i == 8 || i == 13 || i == 18 || i == 23;
    if (dash ? u[i] != '-' : !hex(u[i])) return false;
  }
  return true;
}

}  // namespace promwatch::validate::config
