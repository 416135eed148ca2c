#include "core/utf8.hpp"

namespace promwatch::core {
namespace {

/// The length and allowed second-byte range of the sequence a lead byte starts, from the
/// Unicode Standard, table 3-7 "Well-Formed UTF-8 Byte Sequences"; length 0 when `lead`
/// never starts one.
struct sequence_shape {
  std::size_t length = 0;
  unsigned char lo = 0x80;
  unsigned char hi = 0xBF;
};

sequence_shape shape_of(unsigned char lead) {
  if (lead >= 0xC2 && lead <= 0xDF) return {2};
  if (lead >= 0xE0 && lead <= 0xEF) {
    if (lead == 0xE0) return {3, 0xA0, 0xBF};  // overlong
    if (lead == 0xED) return {3, 0x80, 0x9F};  // surrogates
    return {3};
  }
  if (lead >= 0xF0 && lead <= 0xF4) {
    if (lead == 0xF0) return {4, 0x90, 0xBF};  // overlong
    if (lead == 0xF4) return {4, 0x80, 0x8F};  // beyond U+10FFFF
    return {4};
  }
  return {};
}

/// How many bytes of `s` follow the table-3-7 pattern of the sequence started by `shape`.
std::size_t matching_prefix(std::string_view s, const sequence_shape& shape) {
  std::size_t k = 1;
  for (; k < shape.length && k < s.size(); ++k) {
    const auto b = static_cast<unsigned char>(s[k]);
    const bool in_range = k == 1 ? b >= shape.lo && b <= shape.hi : b >= 0x80 && b <= 0xBF;
    if (!in_range) break;
  }
  return k;
}

}  // namespace

decoded_rune decode_rune(std::string_view s) {
  if (s.empty()) return {rune_error, 0};
  const auto b0 = static_cast<unsigned char>(s[0]);
  if (b0 < 0x80) return {b0, 1};
  const sequence_shape shape = shape_of(b0);
  if (shape.length == 0 || matching_prefix(s, shape) != shape.length) return {rune_error, 1};
  char32_t r = b0 & (0x7Fu >> shape.length);
  for (std::size_t k = 1; k < shape.length; ++k) {
    r = (r << 6) | (static_cast<unsigned char>(s[k]) & 0x3Fu);
  }
  return {r, shape.length};
}

bool valid_utf8(std::string_view s) {
  while (!s.empty()) {
    const auto d = decode_rune(s);
    if (d.invalid()) return false;
    s.remove_prefix(d.width);
  }
  return true;
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

std::size_t ill_formed_length(std::string_view s) {
  if (s.empty() || static_cast<unsigned char>(s[0]) < 0x80) return 0;
  const sequence_shape shape = shape_of(static_cast<unsigned char>(s[0]));
  if (shape.length == 0) return 1;
  const std::size_t matched = matching_prefix(s, shape);
  return matched == shape.length ? 0 : matched;
}

}  // namespace promwatch::core
