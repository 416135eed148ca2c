#pragma once
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

// Go's rune classes and string-literal rules (strconv, unicode, fmt's %q and %#U),
// reimplemented so that PromQL and template errors read exactly as promtool prints them.
// Shared by the PromQL and the Go template checkers.
namespace promwatch::validate::go_text {

/// strconv.IsPrint: letters, marks, numbers, punctuation, symbols and the ASCII space.
bool is_print(char32_t r);
/// Non-ASCII half of is_alphanumeric.
bool is_non_ascii_alphanumeric(char32_t r);
/// unicode.IsLetter || unicode.IsDigit || '_' (text/template's identifier runes). Inline:
/// the lexers ask it for every byte of every name.
inline bool is_alphanumeric(char32_t r) {
  if (r < 0x80) {
    return r == '_' || (r >= 'a' && r <= 'z') || (r >= 'A' && r <= 'Z') || (r >= '0' && r <= '9');
  }
  return is_non_ascii_alphanumeric(r);
}
/// unicode.IsSpace (used where Go trims text with bytes.TrimSpace).
bool is_unicode_space(char32_t r);

/// strconv.Quote, or fmt's "%.Nq" when `max_runes` is given: a double-quoted Go string
/// literal of at most `max_runes` runes of `s`.
std::string quote(std::string_view s, std::size_t max_runes = std::string_view::npos);
/// strconv.QuoteRune; negative values (end of input) print as the replacement character.
std::string quote_rune(long r);
/// fmt's "%#U": `U+007D '}'`, or just `U+0001` when not printable.
std::string unicode_notation(char32_t r);

/// One step of strconv.UnquoteChar on the body of a literal quoted with `quote`.
struct unquoted_char {
  char32_t value = 0;
  bool multibyte = false;  ///< `value` is a rune to encode, not a single byte.
  std::string_view tail;   ///< what follows the (possibly escaped) character.
};
/// std::nullopt is Go's "invalid syntax".
std::optional<unquoted_char> unquote_char(std::string_view s, char quote);

/// strconv.Unquote for "…", `…` and '…' literals; std::nullopt is Go's "invalid syntax".
std::optional<std::string> unquote(std::string_view literal);
/// Prometheus' strutil.Unquote: like strconv.Unquote, but '…' may hold any number of
/// characters and raw strings keep their carriage returns.
std::optional<std::string> unquote_prometheus(std::string_view literal);

}  // namespace promwatch::validate::go_text
