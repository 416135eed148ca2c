#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

// Go's rune classification and literal rules, reimplemented so that template errors read
// exactly as text/template prints them. Internal to the gotemplate checker.
namespace promwatch::validate::gotemplate::detail {

inline constexpr char32_t rune_error = 0xFFFD;

/// One UTF-8 decoding step as Go's utf8.DecodeRuneInString: invalid input yields
/// U+FFFD with width 1; an empty input yields width 0.
struct decoded_rune {
  char32_t rune = rune_error;
  std::size_t width = 0;
};
decoded_rune decode_rune(std::string_view s);
/// The last rune of `s`, as utf8.DecodeLastRuneInString.
decoded_rune decode_last_rune(std::string_view s);
void append_utf8(std::string& out, char32_t r);

/// unicode.IsLetter || unicode.IsDigit || '_' (text/template's identifier runes).
bool is_alphanumeric(char32_t r);
/// strconv.IsPrint.
bool is_print(char32_t r);
/// unicode.IsSpace (used where Go trims text with bytes.TrimSpace).
bool is_unicode_space(char32_t r);

/// fmt's `%q` of a string (strconv.Quote); `max_runes` mimics a `%.Nq` precision.
std::string go_quote(std::string_view s, std::size_t max_runes = std::string_view::npos);
/// fmt's `%#U` of a rune: `U+007D '}'`, or just `U+0001` when not printable.
std::string go_unicode(char32_t r);

/// strconv.Unquote for "…", `…` and '…' literals; nullopt means Go's "invalid syntax".
std::optional<std::string> go_unquote(std::string_view literal);
/// strconv.UnquoteChar's validity check on a character literal's body; returns the rest
/// after one (possibly escaped) character, or nullopt for "invalid syntax".
std::optional<std::string_view> go_unquote_char_tail(std::string_view body, char quote);

/// Why text/template's number node constructor rejects `text`, or nullopt when it
/// accepts it (e.g. `illegal number syntax: "-"`, `integer overflow: "089"`).
std::optional<std::string> go_number_error(std::string_view text, bool is_complex);

}  // namespace promwatch::validate::gotemplate::detail
