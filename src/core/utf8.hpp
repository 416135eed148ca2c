#pragma once
#include <cstddef>
#include <string>
#include <string_view>

// UTF-8 decoding and encoding with Go's semantics (unicode/utf8), shared by every component
// that walks or writes text: the PromQL and template checkers, the JSON and YAML parsers and
// the JSON writer.
namespace promwatch::core {

/// Go's utf8.RuneError (U+FFFD): what an invalid byte decodes to.
inline constexpr char32_t rune_error = 0xFFFD;

/// One decoding step. An invalid sequence yields {rune_error, 1}; an empty input {rune_error, 0}.
struct decoded_rune {
  char32_t rune = rune_error;
  std::size_t width = 0;

  /// True for the {rune_error, 1} of an ill-formed byte (a real U+FFFD has width 3).
  bool invalid() const { return rune == rune_error && width == 1; }
};

/// utf8.ValidRune: a Unicode scalar value (not a surrogate, at most U+10FFFF).
constexpr bool valid_rune(char32_t r) {
  return r < 0xD800 || (r > 0xDFFF && r <= 0x10FFFF);
}

/// utf8.DecodeRuneInString: the rune at the start of `s`; overlong forms, surrogates and
/// values above U+10FFFF are invalid.
decoded_rune decode_rune(std::string_view s);

/// utf8.ValidString.
bool valid_utf8(std::string_view s);

/// utf8.AppendRune: appends the encoding of `r`, or of rune_error when `r` is not valid.
void append_utf8(std::string& out, char32_t r);

/// For `s` starting with an ill-formed sequence: the length of its maximal subpart (Unicode
/// 3.9, "U+FFFD substitution of maximal subparts"), at least 1, which one U+FFFD replaces.
/// Returns 0 when `s` starts with a well-formed sequence or is empty.
std::size_t ill_formed_length(std::string_view s);

}  // namespace promwatch::core
