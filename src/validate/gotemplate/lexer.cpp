#include "validate/gotemplate/lexer.hpp"

#include <algorithm>

#include "core/utf8.hpp"
#include "validate/go_text.hpp"

namespace promwatch::validate::gotemplate::detail {
namespace {

constexpr std::string_view left_delimiter = "{{";
constexpr std::string_view right_delimiter = "}}";
constexpr std::string_view left_comment = "/*";
constexpr std::string_view right_comment = "*/";
constexpr std::size_t trim_marker_len = 2;  // `-` plus one space character
constexpr char32_t eof_rune = 0xFFFFFFFF;

bool is_space(char32_t r) {
  return r == ' ' || r == '\t' || r == '\r' || r == '\n';
}

bool is_space_byte(char c) {
  return is_space(static_cast<unsigned char>(c));
}

bool has_left_trim_marker(std::string_view s) {
  return s.size() >= 2 && s[0] == '-' && is_space_byte(s[1]);
}

bool has_right_trim_marker(std::string_view s) {
  return s.size() >= 2 && is_space_byte(s[0]) && s[1] == '-';
}

std::size_t count_newlines(std::string_view s) {
  return static_cast<std::size_t>(std::count(s.begin(), s.end(), '\n'));
}

item_type keyword(std::string_view word) {
  if (word == "block") return item_type::keyword_block;
  // `break` and `continue` are keywords since Go 1.18 unless a function of that name
  // exists; neither Go nor Prometheus defines one.
  if (word == "break") return item_type::keyword_break;
  if (word == "continue") return item_type::keyword_continue;
  if (word == "define") return item_type::keyword_define;
  if (word == "else") return item_type::keyword_else;
  if (word == "end") return item_type::keyword_end;
  if (word == "if") return item_type::keyword_if;
  if (word == "range") return item_type::keyword_range;
  if (word == "nil") return item_type::keyword_nil;
  if (word == "template") return item_type::keyword_template;
  if (word == "with") return item_type::keyword_with;
  return item_type::eof;
}

/// The state machine of Go's lexer; each state function returns the next state.
class scanner {
 public:
  /// `offset` is added to every item's position.
  scanner(std::string_view input, std::size_t offset) : input_(input), offset_(offset) {
    // Roughly one item for every four bytes of a typical template: grow once or not at all.
    items_.reserve(input_.size() / 4 + 8);
  }

  std::vector<item> run() {
    state s = state::text;
    while (s != state::done)
      s = step(s);
    return std::move(items_);
  }

 private:
  enum class state {
    done,
    text,
    left_delim,
    comment,
    right_delim,
    inside_action,
    space,
    identifier,
    field,
    variable,
    character,
    number,
    quote,
    raw_quote
  };

  state step(state s) {
    switch (s) {
      case state::text:
        return lex_text();
      case state::left_delim:
        return lex_left_delim();
      case state::comment:
        return lex_comment();
      case state::right_delim:
        return lex_right_delim();
      case state::inside_action:
        return lex_inside_action();
      case state::space:
        return lex_space();
      case state::identifier:
        return lex_identifier();
      case state::field:
        return lex_field_or_variable(item_type::field);
      case state::variable:
        return lex_variable();
      case state::character:
        return lex_char();
      case state::number:
        return lex_number();
      case state::quote:
        return lex_quote();
      case state::raw_quote:
        return lex_raw_quote();
      case state::done:
        return state::done;
    }
    return state::done;
  }

  std::string_view rest() const { return input_.substr(pos_); }

  char32_t next() {
    if (pos_ >= input_.size()) {
      width_ = 0;
      return eof_rune;
    }
    if (const auto b = static_cast<unsigned char>(input_[pos_]); b < 0x80) {
      width_ = 1;
      ++pos_;
      if (b == '\n') ++line_;
      return b;
    }
    const auto d = core::decode_rune(rest());
    width_ = d.width;
    pos_ += width_;
    if (d.rune == '\n') ++line_;
    return d.rune;
  }

  void backup() {
    pos_ -= width_;
    if (width_ == 1 && input_[pos_] == '\n') --line_;
  }

  char32_t peek() {
    const char32_t r = next();
    backup();
    return r;
  }

  void emit(item_type t) {
    items_.push_back({t, offset_ + start_, input_.substr(start_, pos_ - start_), start_line_, {}});
    start_ = pos_;
    start_line_ = line_;
  }

  void ignore() {
    line_ += static_cast<int>(count_newlines(input_.substr(start_, pos_ - start_)));
    start_ = pos_;
    start_line_ = line_;
  }

  bool accept(std::string_view valid) {
    const char32_t r = next();
    if (r < 0x80 && valid.find(static_cast<char>(r)) != std::string_view::npos) {
      return true;
    }
    backup();
    return false;
  }

  void accept_run(std::string_view valid) {
    while (accept(valid)) {
    }
  }

  state error(std::string message) {
    items_.push_back({item_type::error, offset_ + start_, {}, start_line_, std::move(message)});
    return state::done;
  }

  void skip_leading_space() {
    const auto p = input_.find_first_not_of(" \t\r\n", pos_);
    pos_ = p == std::string_view::npos ? input_.size() : p;
  }

  std::pair<bool, bool> at_right_delim() const {
    if (has_right_trim_marker(rest()) &&
        rest().substr(trim_marker_len).starts_with(right_delimiter)) {
      return {true, true};
    }
    return {rest().starts_with(right_delimiter), false};
  }

  bool at_terminator() {
    const char32_t r = peek();
    if (is_space(r)) return true;
    switch (r) {
      case eof_rune:
      case '.':
      case ',':
      case '|':
      case ':':
      case ')':
      case '(':
        return true;
      default:
        return rest().starts_with(right_delimiter);
    }
  }

  state lex_text() {
    width_ = 0;
    const auto x = rest().find(left_delimiter);
    if (x != std::string_view::npos) {
      pos_ += x;
      std::size_t trim = 0;
      if (has_left_trim_marker(input_.substr(pos_ + left_delimiter.size()))) {
        const std::string_view txt = input_.substr(start_, pos_ - start_);
        const auto last = txt.find_last_not_of(" \t\r\n");
        trim = last == std::string_view::npos ? txt.size() : txt.size() - last - 1;
      }
      pos_ -= trim;
      if (pos_ > start_) {
        line_ += static_cast<int>(count_newlines(input_.substr(start_, pos_ - start_)));
        emit(item_type::text);
      }
      pos_ += trim;
      ignore();
      return state::left_delim;
    }
    pos_ = input_.size();
    if (pos_ > start_) {
      line_ += static_cast<int>(count_newlines(input_.substr(start_, pos_ - start_)));
      emit(item_type::text);
    }
    emit(item_type::eof);
    return state::done;
  }

  state lex_left_delim() {
    pos_ += left_delimiter.size();
    const bool trim = has_left_trim_marker(rest());
    const std::size_t after_marker = trim ? trim_marker_len : 0;
    if (rest().substr(after_marker).starts_with(left_comment)) {
      pos_ += after_marker;
      ignore();
      return state::comment;
    }
    emit(item_type::left_delim);
    pos_ += after_marker;
    ignore();
    paren_depth_ = 0;
    return state::inside_action;
  }

  state lex_comment() {
    pos_ += left_comment.size();
    const auto x = rest().find(right_comment);
    if (x == std::string_view::npos) return error("unclosed comment");
    pos_ += x + right_comment.size();
    const auto [delim, trim] = at_right_delim();
    if (!delim) return error("comment ends before closing delimiter");
    if (trim) pos_ += trim_marker_len;
    pos_ += right_delimiter.size();
    if (trim) skip_leading_space();
    ignore();
    return state::text;
  }

  state lex_right_delim() {
    const bool trim = has_right_trim_marker(rest());
    if (trim) {
      pos_ += trim_marker_len;
      ignore();
    }
    pos_ += right_delimiter.size();
    emit(item_type::right_delim);
    if (trim) {
      skip_leading_space();
      ignore();
    }
    return state::text;
  }

  state lex_inside_action() {
    if (at_right_delim().first) {
      if (paren_depth_ == 0) return state::right_delim;
      return error("unclosed left paren");
    }
    const char32_t r = next();
    if (r == eof_rune) return error("unclosed action");
    if (is_space(r)) {
      backup();  // the space may start a ` -}}`
      return state::space;
    }
    switch (r) {
      case '=':
        emit(item_type::assign);
        return state::inside_action;
      case ':':
        if (next() != '=') return error("expected :=");
        emit(item_type::declare);
        return state::inside_action;
      case '|':
        emit(item_type::pipe);
        return state::inside_action;
      case '"':
        return state::quote;
      case '`':
        return state::raw_quote;
      case '$':
        return state::variable;
      case '\'':
        return state::character;
      case '(':
        emit(item_type::left_paren);
        ++paren_depth_;
        return state::inside_action;
      case ')':
        // Go 1.19 hands the parser the paren before the error, so the parser's
        // `unexpected ")"` is what users see.
        emit(item_type::right_paren);
        if (--paren_depth_ < 0)
          return error("unexpected right paren " + go_text::unicode_notation(r));
        return state::inside_action;
      default:
        break;
    }
    if (r == '.') {
      if (pos_ < input_.size() && (input_[pos_] < '0' || input_[pos_] > '9')) {
        return state::field;
      }
      backup();
      return state::number;
    }
    if (r == '+' || r == '-' || (r >= '0' && r <= '9')) {
      backup();
      return state::number;
    }
    if (go_text::is_alphanumeric(r)) {
      backup();
      return state::identifier;
    }
    if (r < 0x80 && go_text::is_print(r)) {
      emit(item_type::character);
      return state::inside_action;
    }
    return error("unrecognized character in action: " + go_text::unicode_notation(r));
  }

  state lex_space() {
    int spaces = 0;
    while (is_space(peek())) {
      next();
      ++spaces;
    }
    // A space followed by `-}}` belongs to the trim-marked delimiter.
    if (has_right_trim_marker(input_.substr(pos_ - 1)) &&
        input_.substr(pos_ - 1 + trim_marker_len).starts_with(right_delimiter)) {
      backup();
      if (spaces == 1) return state::right_delim;
    }
    emit(item_type::space);
    return state::inside_action;
  }

  state lex_identifier() {
    for (;;) {
      const char32_t r = next();
      if (go_text::is_alphanumeric(r)) continue;
      backup();
      const std::string_view word = input_.substr(start_, pos_ - start_);
      if (!at_terminator()) return error("bad character " + go_text::unicode_notation(r));
      if (const auto k = keyword(word); k != item_type::eof) {
        emit(k);
      } else if (word == "true" || word == "false") {
        emit(item_type::boolean);
      } else {
        emit(item_type::identifier);
      }
      return state::inside_action;
    }
  }

  state lex_variable() {
    if (at_terminator()) {
      emit(item_type::variable);
      return state::inside_action;
    }
    return lex_field_or_variable(item_type::variable);
  }

  state lex_field_or_variable(item_type type) {
    if (at_terminator()) {
      emit(type == item_type::variable ? item_type::variable : item_type::keyword_dot);
      return state::inside_action;
    }
    char32_t r;
    for (;;) {
      r = next();
      if (!go_text::is_alphanumeric(r)) {
        backup();
        break;
      }
    }
    if (!at_terminator()) return error("bad character " + go_text::unicode_notation(r));
    emit(type);
    return state::inside_action;
  }

  state lex_char() {
    for (;;) {
      char32_t r = next();
      if (r == '\\') {
        r = next();
        if (r != eof_rune && r != '\n') continue;
        return error("unterminated character constant");
      }
      if (r == eof_rune || r == '\n') return error("unterminated character constant");
      if (r == '\'') break;
    }
    emit(item_type::char_constant);
    return state::inside_action;
  }

  bool scan_number() {
    accept("+-");
    std::string_view digits = "0123456789_";
    if (accept("0")) {
      // A leading 0 alone does not mean octal here; strconv decides later.
      if (accept("xX")) {
        digits = "0123456789abcdefABCDEF_";
      } else if (accept("oO")) {
        digits = "01234567_";
      } else if (accept("bB")) {
        digits = "01_";
      }
    }
    accept_run(digits);
    if (accept(".")) accept_run(digits);
    if (digits.size() == 11 && accept("eE")) {
      accept("+-");
      accept_run("0123456789_");
    }
    if (digits.size() == 23 && accept("pP")) {
      accept("+-");
      accept_run("0123456789_");
    }
    accept("i");
    if (go_text::is_alphanumeric(peek())) {
      next();
      return false;
    }
    return true;
  }

  state lex_number() {
    if (!scan_number()) {
      return error("bad number syntax: " + go_text::quote(input_.substr(start_, pos_ - start_)));
    }
    if (const char32_t sign = peek(); sign == '+' || sign == '-') {
      if (!scan_number() || input_[pos_ - 1] != 'i') {
        return error("bad number syntax: " + go_text::quote(input_.substr(start_, pos_ - start_)));
      }
      emit(item_type::complex_number);
    } else {
      emit(item_type::number);
    }
    return state::inside_action;
  }

  state lex_quote() {
    for (;;) {
      char32_t r = next();
      if (r == '\\') {
        r = next();
        if (r != eof_rune && r != '\n') continue;
        return error("unterminated quoted string");
      }
      if (r == eof_rune || r == '\n') return error("unterminated quoted string");
      if (r == '"') break;
    }
    emit(item_type::string);
    return state::inside_action;
  }

  state lex_raw_quote() {
    for (;;) {
      const char32_t r = next();
      if (r == eof_rune) return error("unterminated raw quoted string");
      if (r == '`') break;
    }
    emit(item_type::raw_string);
    return state::inside_action;
  }

  std::string_view input_;
  std::size_t offset_ = 0;
  std::size_t pos_ = 0;
  std::size_t start_ = 0;
  std::size_t width_ = 0;
  int line_ = 1;
  int start_line_ = 1;
  int paren_depth_ = 0;
  std::vector<item> items_;
};

}  // namespace

std::string describe(const item& i) {
  switch (i.type) {
    case item_type::eof:
      return "EOF";
    case item_type::error:
      return i.message;
    default:
      break;
  }
  if (i.type >= item_type::keyword_block) return "<" + std::string(i.value) + ">";
  if (i.value.size() > 10) return go_text::quote(i.value, 10) + "...";
  return go_text::quote(i.value);
}

std::vector<item> lex(std::string_view input, std::size_t offset) {
  return scanner(input, offset).run();
}

}  // namespace promwatch::validate::gotemplate::detail
