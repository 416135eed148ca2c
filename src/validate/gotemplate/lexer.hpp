#pragma once
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

// The text/template lexer (Go 1.19, default delimiters), internal to the checker.
namespace promwatch::validate::gotemplate::detail {

enum class item_type {
  error,  // value is the message
  boolean,
  character,  // a printable ASCII character not otherwise meaningful: `,`, `}`, `#`…
  char_constant,
  complex_number,
  assign,   // =
  declare,  // :=
  eof,
  field,       // .Name
  identifier,  // a function name
  left_delim,
  left_paren,
  number,
  pipe,
  raw_string,
  right_delim,
  right_paren,
  space,
  string,
  text,
  variable,
  // Keywords: printed as `<word>` in errors.
  keyword_block,
  keyword_break,
  keyword_continue,
  keyword_dot,
  keyword_define,
  keyword_else,
  keyword_end,
  keyword_if,
  keyword_nil,
  keyword_range,
  keyword_template,
  keyword_with,
};

struct item {
  item_type type = item_type::eof;
  std::size_t pos = 0;     // byte offset of the item's start in the input
  std::string_view value;  // the item's text, a view of the lexed input; empty for errors
  int line = 1;            // line of the item's start
  std::string message;     // error items only
};

/// How Go's parser prints an item in `unexpected %s in %s`.
std::string describe(const item& i);

/// Scans `input` (which must outlive the items, as they view it) completely, exactly as Go's
/// goroutine lexer would hand items to the parser. The sequence ends with an `eof` or an `error`
/// item; the parser never reads past either, so scanning ahead changes nothing observable.
/// `offset` is added to every item's position: `input` as it follows a text of that many
/// bytes which ends, lexed alone, in text state on line 1 (a constant header).
std::vector<item> lex(std::string_view input, std::size_t offset = 0);

}  // namespace promwatch::validate::gotemplate::detail
