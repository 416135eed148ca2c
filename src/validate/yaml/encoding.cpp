#include "validate/yaml/encoding.hpp"

#include <cstdint>
#include <string>

#include "validate/yaml/byte_scan.hpp"

namespace promwatch::validate::yaml {

namespace {

bool is_allowed(std::uint32_t c) {
  return c == 0x09 || c == 0x0A || c == 0x0D || (c >= 0x20 && c <= 0x7E) || c == 0x85 ||
         (c >= 0xA0 && c <= 0xD7FF) || (c >= 0xE000 && c <= 0xFFFD) ||
         (c >= 0x10000 && c <= 0x10FFFF);
}

// Decodes the character at `content[at]` as readerc.go does. Returns its problem in Go's
// wording with `at` moved to the offending byte, or nullptr with `at` moved past it.
const char* decode(std::string_view content, std::size_t& at) {
  auto byte = [&](std::size_t k) { return static_cast<unsigned char>(content[k]); };
  const unsigned char lead = byte(at);
  std::size_t width = 4;
  std::uint32_t value = lead & 0x07u;
  if (lead < 0x80) {
    width = 1;
    value = lead;
  } else if ((lead & 0xE0) == 0xC0) {
    width = 2;
    value = lead & 0x1Fu;
  } else if ((lead & 0xF0) == 0xE0) {
    width = 3;
    value = lead & 0x0Fu;
  } else if ((lead & 0xF8) != 0xF0) {
    return "invalid leading UTF-8 octet";
  }
  if (width > content.size() - at) return "incomplete UTF-8 octet sequence";
  for (std::size_t k = 1; k < width; ++k) {
    if ((byte(at + k) & 0xC0) != 0x80) {
      at += k;
      return "invalid trailing UTF-8 octet";
    }
    value = (value << 6) | (byte(at + k) & 0x3Fu);
  }
  if ((width == 2 && value < 0x80) || (width == 3 && value < 0x800) ||
      (width == 4 && value < 0x10000)) {
    return "invalid length of a UTF-8 sequence";
  }
  if ((value >= 0xD800 && value <= 0xDFFF) || value > 0x10FFFF) return "invalid Unicode character";
  if (!is_allowed(value)) return "control characters are not allowed";
  at += width;
  return nullptr;
}

}  // namespace

std::optional<core::diagnostic> check_encoding(std::string_view path, std::string_view content) {
  // A UTF-16 byte order mark makes Go decode UTF-16; yaml-cpp does too, so leave it to it.
  if (content.starts_with("\xFF\xFE") || content.starts_with("\xFE\xFF")) return std::nullopt;
  int line = 1;
  std::size_t line_start = 0;
  for (std::size_t i = 0; i < content.size();) {
    if (content.size() - i >= byte_scan::word_size) {  // the common case: printable ASCII
      const auto w = byte_scan::load(content, i);
      if (!byte_scan::has_byte_below(w, 0x20) && !byte_scan::has_byte(w, 0x7F) &&
          !byte_scan::has_high_byte(w)) {
        i += byte_scan::word_size;
        continue;
      }
    }
    const char c = content[i];
    if (c >= 0x20 && c <= 0x7E) {
      ++i;
      continue;
    }
    if (c == '\n') {
      ++line;
      line_start = ++i;
      continue;
    }
    if (const char* problem = decode(content, i)) {
      return core::diagnostic{std::string(path), line, static_cast<int>(i - line_start) + 1,
                              std::string("yaml: ") + problem};
    }
  }
  return std::nullopt;
}

}  // namespace promwatch::validate::yaml
