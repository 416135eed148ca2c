#pragma once
#include <cstdint>
#include <cstring>
#include <string_view>

// Eight bytes at a time ("SIMD within a register"): the scans over a whole file that run
// before parsing ask, for each stretch of text, only whether some byte needs a closer look.
// The tests are exact as yes/no answers for the whole word (which byte it is may be
// misreported, so callers look at the bytes themselves when the answer is yes).
namespace promwatch::validate::yaml::byte_scan {

constexpr std::size_t word_size = 8;
constexpr std::uint64_t ones = 0x0101010101010101ULL;
constexpr std::uint64_t highs = 0x8080808080808080ULL;

/// The eight bytes of `s` from `at`, which must leave eight bytes to read.
inline std::uint64_t load(std::string_view s, std::size_t at) {
  std::uint64_t w = 0;
  std::memcpy(&w, s.data() + at, word_size);
  return w;
}

/// Whether some byte of `w` is below `n` (1 <= n <= 128).
constexpr bool has_byte_below(std::uint64_t w, unsigned n) {
  return ((w - ones * n) & ~w & highs) != 0;
}

/// Whether some byte of `w` equals `c`.
constexpr bool has_byte(std::uint64_t w, unsigned char c) {
  return has_byte_below(w ^ (ones * c), 1);
}

/// Whether some byte of `w` is 0x80 or above.
constexpr bool has_high_byte(std::uint64_t w) {
  return (w & highs) != 0;
}

}  // namespace promwatch::validate::yaml::byte_scan
