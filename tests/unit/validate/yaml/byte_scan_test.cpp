#include "validate/yaml/byte_scan.hpp"

#include <string>

#include <doctest/doctest.h>

namespace scan = promwatch::validate::yaml::byte_scan;

// Every byte value at every position of a word whose other bytes are ordinary text, and next
// to bytes that make the subtraction borrow: the word-wide answers must equal the byte-wise
// ones.
TEST_CASE("byte_scan answers exactly what a byte-wise scan answers") {
  for (const char filler : {'a', ' ', '~', '\x7f', '\x80', '\xff', '\x00', '\x1f'}) {
    for (std::size_t at = 0; at < scan::word_size; ++at) {
      for (int b = 0; b < 256; ++b) {
        std::string text(scan::word_size, filler);
        text[at] = static_cast<char>(b);
        CAPTURE(static_cast<int>(static_cast<unsigned char>(filler)));
        CAPTURE(at);
        CAPTURE(b);
        bool below_space = false, del = false, high = false;
        for (const char c : text) {
          const auto u = static_cast<unsigned char>(c);
          below_space = below_space || u < 0x20;
          del = del || u == 0x7F;
          high = high || u >= 0x80;
        }
        const auto w = scan::load(text, 0);
        CHECK(scan::has_byte_below(w, 0x20) == below_space);
        CHECK(scan::has_byte(w, 0x7F) == del);
        CHECK(scan::has_high_byte(w) == high);
      }
    }
  }
}
