#pragma once
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

// Text helpers that reproduce the Go standard library behaviour Prometheus' messages depend on
// (utf8.DecodeRuneInString, strconv.Quote, fmt's %q and %#U), so our messages match promtool's.
namespace promwatch::validate::promql::go_text {

/// Go's utf8.RuneError: what an invalid byte decodes to.
inline constexpr char32_t rune_error = 0xFFFD;

struct decoded_rune {
  char32_t rune = rune_error;
  std::size_t width = 0;  ///< 0 only at the end of the input.
};

/// Decodes the rune at the start of `s` exactly like utf8.DecodeRuneInString: invalid or
/// overlong sequences and surrogates yield {rune_error, 1}.
decoded_rune decode_rune(std::string_view s);

/// Appends the UTF-8 encoding of `r` (rune_error when `r` is not a valid scalar value).
void append_utf8(std::string& out, char32_t r);

/// strconv.Quote: a double-quoted Go string literal for `s`.
std::string quote(std::string_view s);

/// fmt's "%.Nq": quote at most `max_runes` runes of `s`.
std::string quote_truncated(std::string_view s, std::size_t max_runes);

/// strconv.QuoteRune; negative values (end of input) print as the replacement character.
std::string quote_rune(long r);

/// fmt's "%#U", e.g. "U+0063 'c'".
std::string unicode_notation(char32_t r);

/// strutil.Unquote for '..', ".." and `..` literals; std::nullopt when the text is invalid.
std::optional<std::string> unquote(std::string_view literal);

}  // namespace promwatch::validate::promql::go_text
