#include "validate/yaml/block_subset.hpp"

#include <algorithm>
#include <cstddef>
#include <string>

#include <yaml-cpp/emitterstyle.h>
#include <yaml-cpp/eventhandler.h>
#include <yaml-cpp/mark.h>

#include "core/utf8.hpp"
#include "validate/yaml/byte_scan.hpp"

// Every decision below mirrors yaml-cpp 0.7 (src/scanner.cpp, scantoken.cpp, scanscalar.cpp,
// exp.cpp, singledocparser.cpp); where the subset ends, or yaml-cpp would report an error, the
// parser gives up and yaml-cpp runs instead, so its messages stay the only ones users see.

namespace promwatch::validate::yaml {

namespace {

// Leaves the subset; caught in parse_block_subset.
struct outside_subset {};

// yaml-cpp's Stream answers this past the end of its input. Control bytes never reach the
// parser (the input falls back), so it cannot be mistaken for content.
constexpr char end_of_input = '\x04';

// Deeper nesting than this is left to yaml-cpp, whose own guard stops at 500 levels.
constexpr int max_nesting = 400;

// yaml-cpp verifies a simple key only if its ':' is at most 1024 bytes after the key's start.
constexpr std::size_t max_simple_key_bytes = 1000;

enum class scalar_end { plain, single_quote, double_quote, input_end };
enum class fold_style { none, block, flow };
enum class chomping { strip, clip, keep };

// yaml-cpp's ScanScalarParams for the cases the subset uses (no tabs, so no tab handling).
struct scalar_params {
  scalar_end end = scalar_end::input_end;
  bool eat_end = false;
  int indent = 0;
  bool detect_indent = false;
  bool eat_leading_whitespace = false;
  char escape = 0;
  fold_style fold = fold_style::none;
  bool trim_trailing_spaces = false;
  chomping chomp = chomping::clip;
  bool leading_spaces = false;  // out: the scalar ended because a line was less indented
  bool ended_by_match = false;  // out: the scalar ended at its end indicator (a closing quote)
};

bool is_blank_break_or_end(char c) {
  return c == ' ' || c == '\n' || c == end_of_input;
}

// Bytes that never end a scalar, start an escape or a line, or count as whitespace.
bool is_ordinary(char c) {
  return c != ' ' && c != '\n' && c != ':' && c != '\'' && c != '"' && c != '\\';
}

bool is_null_string(const std::string& s) {
  if (s.size() > 4) return false;  // most scalars: no comparison needed
  return s.empty() || s == "~" || s == "null" || s == "Null" || s == "NULL";
}

bool is_doc_indicator_at(std::string_view s, std::size_t i) {
  if (s.size() - i < 3) return false;
  std::string_view three = s.substr(i, 3);
  if (three != "---" && three != "...") return false;
  if (i + 3 == s.size()) return true;
  char next = s[i + 3];
  return next == ' ' || next == '\t' || next == '\n' || next == '\r';
}

// Bytes the subset never handles: control characters (tabs and carriage returns included,
// whose treatment in yaml-cpp depends on context), DEL, a first byte that could make yaml-cpp
// guess another encoding, and document markers other than a leading `---`.
bool plain_text(std::string_view s) {
  if (s.empty()) return false;
  auto first = static_cast<unsigned char>(s[0]);
  if (first < 0x20 || first >= 0x7F) return false;
  if (s[0] == '.' && is_doc_indicator_at(s, 0)) return false;
  bool line_start = false;
  for (std::size_t i = 0; i < s.size(); ++i) {
    // Skip eight bytes at once while none of them is a control byte (newlines included).
    while (!line_start && s.size() - i >= byte_scan::word_size) {
      const auto w = byte_scan::load(s, i);
      if (byte_scan::has_byte_below(w, 0x20) || byte_scan::has_byte(w, 0x7F)) break;
      i += byte_scan::word_size;
    }
    if (i >= s.size()) break;
    auto c = static_cast<unsigned char>(s[i]);
    if (c < 0x20) {
      if (c != '\n') return false;
      line_start = true;
      continue;
    }
    if (c == 0x7F) return false;
    if (line_start && (c == '-' || c == '.') && is_doc_indicator_at(s, i)) return false;
    line_start = false;
  }
  return true;
}

class block_parser {
 public:
  block_parser(std::string_view source, YAML::EventHandler& out)
      : s_(source), out_(out), taker_(dynamic_cast<scalar_taking_handler*>(&out)) {}

  void parse_document() {
    YAML::Mark start = mark();
    const bool explicit_start = s_.substr(0, 3) == "---" && is_blank_break_or_end(peek(3));
    if (explicit_start) {
      advance(3);
      // yaml-cpp allows no key on the `---` line; only a comment may follow it there.
      skip_spaces();
      skip_comment();
      if (!at_end() && peek() != '\n') throw outside_subset{};
    }
    skip_to_next_token();
    if (at_end()) throw outside_subset{};  // an empty document: yaml-cpp's business
    if (!explicit_start) start = mark();
    out_.OnDocumentStart(start);
    parse_node(-1, 0);
    if (!at_end()) throw outside_subset{};
    out_.OnDocumentEnd();
  }

 private:
  // ---- input -------------------------------------------------------------------------------

  char peek(std::size_t k = 0) const { return pos_ + k < s_.size() ? s_[pos_ + k] : end_of_input; }
  bool at_end() const { return pos_ >= s_.size(); }
  int column() const { return static_cast<int>(pos_ - line_start_); }
  void get() {
    if (s_[pos_] == '\n') {
      ++line_;
      line_start_ = pos_ + 1;
    }
    ++pos_;
  }
  void advance(std::size_t n) {
    for (std::size_t i = 0; i < n && !at_end(); ++i)
      get();
  }

  YAML::Mark mark() const {
    YAML::Mark m;
    m.pos = static_cast<int>(pos_);
    m.line = line_;
    m.column = column();
    return m;
  }
  // Where the end token of the innermost collection (at `col`) sits once the stream ended:
  // Scanner::PopIndentToHere ends the collections indented at least as far as the last line,
  // a mapping only if more, at the current column; Scanner::EndStream ends the rest at
  // column 0.
  YAML::Mark end_mark(int col, bool sequence) const {
    YAML::Mark m = mark();
    if (!(col > m.column || (sequence && col == m.column))) m.column = 0;
    return m;
  }

  void skip_spaces() {
    while (peek() == ' ')
      get();
  }
  void skip_comment() {
    if (peek() != '#') return;
    while (!at_end() && peek() != '\n')
      get();
  }
  // Scanner::ScanToNextToken: spaces, comments and line breaks.
  void skip_to_next_token() {
    for (;;) {
      skip_spaces();
      skip_comment();
      if (peek() != '\n') return;
      get();
    }
  }

  bool at_block_entry() const { return peek() == '-' && is_blank_break_or_end(peek(1)); }
  bool at_value_indicator() const { return peek() == ':' && is_blank_break_or_end(peek(1)); }

  // Exp::PlainScalar in the block context, after the scanner's earlier branches.
  bool at_plain_scalar_start() const {
    switch (peek()) {
      case ',':
      case '[':
      case ']':
      case '{':
      case '}':
      case '#':
      case '&':
      case '*':
      case '!':
      case '|':
      case '>':
      case '\'':
      case '"':
      case '%':
      case '@':
      case '`':
      case ' ':
      case '\n':
        return false;
      case '-':
      case '?':
      case ':':
        return !is_blank_break_or_end(peek(1));
      default:
        return !at_end();
    }
  }

  // ---- scalars -------------------------------------------------------------------------------

  // params.end->Match(INPUT) >= 0, and its length.
  int end_match(const scalar_params& p) const {
    switch (p.end) {
      case scalar_end::plain:
        if (peek() == ':' && is_blank_break_or_end(peek(1))) return peek(1) == end_of_input ? 1 : 2;
        if ((peek() == ' ' || peek() == '\n') && peek(1) == '#') return 2;
        return -1;
      case scalar_end::single_quote:
        return peek() == '\'' && peek(1) != '\'' ? 1 : -1;
      case scalar_end::double_quote:
        return peek() == '"' ? 1 : -1;
      case scalar_end::input_end:
        return at_end() ? 0 : -1;
    }
    return -1;
  }

  unsigned hex_escape(int digits) {
    unsigned value = 0;
    for (int i = 0; i < digits; ++i) {
      char c = peek();
      if (at_end()) throw outside_subset{};
      get();
      int d = 0;
      if (c >= '0' && c <= '9') {
        d = c - '0';
      } else if (c >= 'a' && c <= 'f') {
        d = c - 'a' + 10;
      } else if (c >= 'A' && c <= 'F') {
        d = c - 'A' + 10;
      } else {
        throw outside_subset{};  // yaml-cpp: invalid hex
      }
      value = (value << 4) + static_cast<unsigned>(d);
    }
    if ((value >= 0xD800 && value <= 0xDFFF) || value > 0x10FFFF) throw outside_subset{};
    return value;
  }

  // Exp::Escape: the escape character and what follows it.
  void append_escape(std::string& out, char escape) {
    get();
    if (at_end()) throw outside_subset{};
    char c = peek();
    get();
    if (escape == '\'') {
      if (c != '\'') throw outside_subset{};
      out += '\'';
      return;
    }
    switch (c) {
      case '0':
        out += '\0';
        return;
      case 'a':
        out += '\x07';
        return;
      case 'b':
        out += '\x08';
        return;
      case 't':
        out += '\x09';
        return;
      case 'n':
        out += '\x0A';
        return;
      case 'v':
        out += '\x0B';
        return;
      case 'f':
        out += '\x0C';
        return;
      case 'r':
        out += '\x0D';
        return;
      case 'e':
        out += '\x1B';
        return;
      case ' ':
        out += ' ';
        return;
      case '"':
        out += '"';
        return;
      case '\'':
        out += '\'';
        return;
      case '\\':
        out += '\\';
        return;
      case '/':
        out += '/';
        return;
      case 'N':
        out += '\x85';
        return;
      case '_':
        out += '\xA0';
        return;
      case 'L':
        out += "\xE2\x80\xA8";
        return;
      case 'P':
        out += "\xE2\x80\xA9";
        return;
      case 'x':
        core::append_utf8(out, hex_escape(2));
        return;
      case 'u':
        core::append_utf8(out, hex_escape(4));
        return;
      case 'U':
        core::append_utf8(out, hex_escape(8));
        return;
      default:
        throw outside_subset{};  // yaml-cpp: unknown escape character
    }
  }

  // YAML::ScanScalar, step for step.
  std::string scan_scalar(scalar_params& p) {
    constexpr auto npos = std::string::npos;
    bool found_non_empty_line = false;
    bool past_opening_break = p.fold == fold_style::flow;
    bool empty_line = false, more_indented = false;
    int folded_newline_count = 0;
    bool folded_newline_started_more_indented = false;
    std::size_t last_escaped_char = npos;
    std::string scalar;
    p.leading_spaces = false;

    while (!at_end()) {
      // 1. up to the end of the line
      std::size_t last_non_whitespace = scalar.size();
      bool escaped_newline = false;
      while (end_match(p) < 0 && peek() != '\n') {
        if (at_end()) break;
        // A document indicator at column 0 never gets here: plain_text() refused it.
        found_non_empty_line = true;
        past_opening_break = true;
        if (is_ordinary(s_[pos_])) {
          // A run that no end, escape, break or space can interrupt: one append.
          std::size_t run = pos_ + 1;
          while (run < s_.size() && is_ordinary(s_[run]))
            ++run;
          scalar.append(s_.data() + pos_, run - pos_);
          pos_ = run;
          last_non_whitespace = scalar.size();
          continue;
        }
        if (p.escape == '\\' && peek() == '\\' && peek(1) == '\n') {
          get();
          last_non_whitespace = scalar.size();
          last_escaped_char = scalar.size();
          escaped_newline = true;
          break;
        }
        if (p.escape != 0 && peek() == p.escape) {
          append_escape(scalar, p.escape);
          last_non_whitespace = scalar.size();
          last_escaped_char = scalar.size();
          continue;
        }
        char c = peek();
        get();
        scalar += c;
        if (c != ' ') last_non_whitespace = scalar.size();
      }
      if (at_end()) {
        if (p.eat_end) throw outside_subset{};  // yaml-cpp: end of stream in a quoted scalar
        break;
      }
      if (int n = end_match(p); n >= 0) {
        if (p.eat_end) advance(static_cast<std::size_t>(n));
        p.ended_by_match = true;
        break;
      }
      if (p.fold == fold_style::flow) scalar.erase(last_non_whitespace);

      // 2. the line break
      get();

      // 3. the indentation of the next line
      while (peek() == ' ' && (column() < p.indent || (p.detect_indent && !found_non_empty_line)) &&
             end_match(p) < 0) {
        get();
      }
      if (p.detect_indent && !found_non_empty_line) p.indent = std::max(p.indent, column());
      while (peek() == ' ') {
        if (!p.eat_leading_whitespace || end_match(p) >= 0) break;
        get();
      }

      const bool next_empty_line = peek() == '\n';
      const bool next_more_indented = peek() == ' ';
      if (p.fold == fold_style::block && folded_newline_count == 0 && next_empty_line) {
        folded_newline_started_more_indented = more_indented;
      }
      if (past_opening_break) {
        switch (p.fold) {
          case fold_style::none:
            scalar += '\n';
            break;
          case fold_style::block:
            if (!empty_line && !next_empty_line && !more_indented && !next_more_indented &&
                column() >= p.indent) {
              scalar += ' ';
            } else if (next_empty_line) {
              ++folded_newline_count;
            } else {
              scalar += '\n';
            }
            if (!next_empty_line && folded_newline_count > 0) {
              scalar.append(static_cast<std::size_t>(folded_newline_count - 1), '\n');
              if (folded_newline_started_more_indented || next_more_indented ||
                  !found_non_empty_line) {
                scalar += '\n';
              }
              folded_newline_count = 0;
            }
            break;
          case fold_style::flow:
            if (next_empty_line) {
              scalar += '\n';
            } else if (!empty_line && !escaped_newline) {
              scalar += ' ';
            }
            break;
        }
      }
      empty_line = next_empty_line;
      more_indented = next_more_indented;
      past_opening_break = true;
      if (!empty_line && column() < p.indent) {
        p.leading_spaces = true;
        break;
      }
    }

    if (p.trim_trailing_spaces) {
      std::size_t pos = scalar.find_last_not_of(' ');
      if (last_escaped_char != npos && (pos < last_escaped_char || pos == npos)) {
        pos = last_escaped_char;
      }
      if (pos < scalar.size()) scalar.erase(pos + 1);
    }
    if (p.chomp != chomping::keep) {
      std::size_t pos = scalar.find_last_not_of('\n');
      if (last_escaped_char != npos && (pos < last_escaped_char || pos == npos)) {
        pos = last_escaped_char;
      }
      if (pos == npos) {
        scalar.clear();
      } else if (p.chomp == chomping::clip) {
        if (pos + 1 < scalar.size()) scalar.erase(pos + 2);
      } else if (pos < scalar.size()) {
        scalar.erase(pos + 1);
      }
    }
    return scalar;
  }

  // Scanner::ScanPlainScalar; `top` is the innermost block collection's column.
  std::string scan_plain(int top, bool& ended_by_indentation) {
    scalar_params p;
    p.end = scalar_end::plain;
    p.indent = top + 1;
    p.fold = fold_style::flow;
    p.eat_leading_whitespace = true;
    p.trim_trailing_spaces = true;
    p.chomp = chomping::strip;
    std::string value = scan_scalar(p);
    ended_by_indentation = p.leading_spaces;
    return value;
  }

  // Scanner::ScanQuotedScalar, at the opening quote.
  std::string scan_quoted() {
    const bool single = peek() == '\'';
    scalar_params p;
    p.end = single ? scalar_end::single_quote : scalar_end::double_quote;
    p.eat_end = true;
    p.escape = single ? '\'' : '\\';
    p.fold = fold_style::flow;
    p.eat_leading_whitespace = true;
    p.chomp = chomping::clip;
    get();
    std::string value = scan_scalar(p);
    // yaml-cpp lets a quoted scalar run on to the end of the input in places, which Go's
    // scanner refuses; yaml::load skips that scanner for what this parser took.
    if (!p.ended_by_match) throw outside_subset{};
    return value;
  }

  // Scanner::ScanBlockScalar, at `|` or `>`.
  std::string scan_block(int top) {
    scalar_params p;
    p.indent = 1;
    p.detect_indent = true;
    p.fold = peek() == '>' ? fold_style::block : fold_style::none;
    get();
    p.chomp = chomping::clip;
    // Exp::Chomp: an indicator and a digit in either order, or one of them.
    auto is_chomp = [](char c) { return c == '+' || c == '-'; };
    auto is_digit = [](char c) { return c >= '0' && c <= '9'; };
    std::size_t n = 0;
    if ((is_chomp(peek()) && is_digit(peek(1))) || (is_digit(peek()) && is_chomp(peek(1)))) {
      n = 2;
    } else if (is_chomp(peek()) || is_digit(peek())) {
      n = 1;
    }
    for (std::size_t i = 0; i < n; ++i) {
      char c = peek();
      get();
      if (c == '+') {
        p.chomp = chomping::keep;
      } else if (c == '-') {
        p.chomp = chomping::strip;
      } else {
        if (c == '0') throw outside_subset{};  // yaml-cpp: zero indentation
        p.indent = c - '0';
        p.detect_indent = false;
      }
    }
    skip_spaces();
    skip_comment();
    if (!at_end() && peek() != '\n') throw outside_subset{};  // yaml-cpp: bad header
    if (top >= 0) p.indent += top;
    return scan_scalar(p);
  }

  // ---- events --------------------------------------------------------------------------------

  void emit_plain(const YAML::Mark& m, std::string&& value) {
    if (is_null_string(value)) {
      out_.OnNull(m, YAML::NullAnchor);
    } else {
      emit_scalar(m, plain_tag_, std::move(value));
    }
  }
  void emit_non_plain(const YAML::Mark& m, std::string&& value) {
    emit_scalar(m, non_plain_tag_, std::move(value));
  }
  void emit_scalar(const YAML::Mark& m, const std::string& tag, std::string&& value) {
    if (taker_ != nullptr) {
      taker_->OnScalarText(m, tag, YAML::NullAnchor, std::move(value));
    } else {
      out_.OnScalar(m, tag, YAML::NullAnchor, value);
    }
  }

  // After a scalar that did not end on a later line, only a comment may share its line.
  void end_of_scalar_line(bool ended_by_indentation) {
    if (!ended_by_indentation) {
      skip_spaces();
      skip_comment();
      if (!at_end() && peek() != '\n') throw outside_subset{};
    }
    skip_to_next_token();
  }

  // ---- structure -----------------------------------------------------------------------------

  enum class key_style { plain, quoted };

  // A node whose first token is under the cursor, more indented than `top` (the innermost
  // block collection's column). Returns at the next token.
  void parse_node(int top, int depth) {
    if (depth > max_nesting) throw outside_subset{};
    if (at_block_entry()) {
      parse_sequence(depth);
      return;
    }
    const YAML::Mark m = mark();
    if (peek() == '\'' || peek() == '"') {
      std::string value = scan_quoted();
      skip_spaces();
      if (at_value_indicator()) {
        if (line_ != m.line || pos_ - static_cast<std::size_t>(m.pos) > max_simple_key_bytes) {
          throw outside_subset{};
        }
        parse_map(m, std::move(value), key_style::quoted, depth);
        return;
      }
      emit_non_plain(m, std::move(value));
      end_of_scalar_line(false);
      return;
    }
    if (peek() == '|' || peek() == '>') {
      std::string value = scan_block(top);
      emit_non_plain(m, std::move(value));
      skip_to_next_token();
      return;
    }
    if (!at_plain_scalar_start()) throw outside_subset{};
    bool ended_by_indentation = false;
    std::string value = scan_plain(top, ended_by_indentation);
    if (at_value_indicator()) {
      if (line_ != m.line || pos_ - static_cast<std::size_t>(m.pos) > max_simple_key_bytes) {
        throw outside_subset{};
      }
      parse_map(m, std::move(value), key_style::plain, depth);
      return;
    }
    emit_plain(m, std::move(value));
    end_of_scalar_line(ended_by_indentation);
  }

  // A block mapping whose first key (`first_key`, at `m`) was scanned; the cursor is at its ':'.
  void parse_map(const YAML::Mark& m, std::string first_key, key_style first_style, int depth) {
    const int col = m.column;
    out_.OnMapStart(m, plain_tag_, YAML::NullAnchor, YAML::EmitterStyle::Block);
    if (first_style == key_style::plain) {
      emit_plain(m, std::move(first_key));
    } else {
      emit_non_plain(m, std::move(first_key));
    }
    for (;;) {
      get();  // ':'
      parse_map_value(col, depth);
      if (at_end() || column() < col) break;
      if (column() > col) throw outside_subset{};
      parse_key(col);
    }
    out_.OnMapEnd();
  }

  // The next key of a mapping at column `col`, up to its ':'.
  void parse_key(int col) {
    const YAML::Mark m = mark();
    if (peek() == '\'' || peek() == '"') {
      std::string value = scan_quoted();
      skip_spaces();
      if (!at_value_indicator() || line_ != m.line ||
          pos_ - static_cast<std::size_t>(m.pos) > max_simple_key_bytes) {
        throw outside_subset{};
      }
      emit_non_plain(m, std::move(value));
      return;
    }
    if (at_block_entry() || !at_plain_scalar_start()) throw outside_subset{};
    bool ended_by_indentation = false;
    std::string value = scan_plain(col, ended_by_indentation);
    if (!at_value_indicator() || line_ != m.line ||
        pos_ - static_cast<std::size_t>(m.pos) > max_simple_key_bytes) {
      throw outside_subset{};
    }
    emit_plain(m, std::move(value));
  }

  // The value after a key's ':' in a mapping at column `col`.
  void parse_map_value(int col, int depth) {
    skip_spaces();
    skip_comment();
    if (!at_end() && peek() != '\n') {
      // On the key's line: a scalar. A simple key is not allowed here, nor a block entry.
      const YAML::Mark m = mark();
      if (peek() == '|' || peek() == '>') {
        std::string value = scan_block(col);
        emit_non_plain(m, std::move(value));
        skip_to_next_token();
      } else if (peek() == '\'' || peek() == '"') {
        std::string value = scan_quoted();
        emit_non_plain(m, std::move(value));
        end_of_scalar_line(false);
      } else if (at_plain_scalar_start()) {
        bool ended_by_indentation = false;
        std::string value = scan_plain(col, ended_by_indentation);
        emit_plain(m, std::move(value));
        end_of_scalar_line(ended_by_indentation);
      } else {
        throw outside_subset{};
      }
      return;
    }
    skip_to_next_token();
    if (at_end()) {
      out_.OnNull(end_mark(col, false), YAML::NullAnchor);
    } else if (column() > col) {
      parse_node(col, depth + 1);
    } else if (column() == col && at_block_entry()) {
      parse_sequence(depth + 1);  // a sequence may sit at its key's indentation
    } else {
      // yaml-cpp reports the empty value at the next token (a key or a block end).
      out_.OnNull(mark(), YAML::NullAnchor);
    }
  }

  // A block sequence; the cursor is at its first '-'.
  void parse_sequence(int depth) {
    if (depth > max_nesting) throw outside_subset{};
    const int col = column();
    out_.OnSequenceStart(mark(), plain_tag_, YAML::NullAnchor, YAML::EmitterStyle::Block);
    for (;;) {
      get();  // '-'
      skip_spaces();
      skip_comment();
      if (!at_end() && peek() != '\n') {
        if (at_block_entry()) throw outside_subset{};  // `- - x`
        parse_node(col, depth + 1);
      } else {
        skip_to_next_token();
        if (at_end()) {
          out_.OnNull(end_mark(col, true), YAML::NullAnchor);
        } else if (column() > col) {
          parse_node(col, depth + 1);
        } else {
          out_.OnNull(mark(), YAML::NullAnchor);  // at the next entry or the sequence's end
        }
      }
      if (at_end() || column() < col) break;
      if (column() > col) throw outside_subset{};
      if (!at_block_entry()) break;  // the enclosing mapping's next key
    }
    out_.OnSequenceEnd();
  }

  std::string_view s_;
  YAML::EventHandler& out_;
  scalar_taking_handler* taker_;  // out_, when it takes scalars over
  std::size_t pos_ = 0;
  std::size_t line_start_ = 0;
  int line_ = 0;
  const std::string plain_tag_ = "?";
  const std::string non_plain_tag_ = "!";
};

}  // namespace

bool parse_block_subset(std::string_view source, YAML::EventHandler& handler) {
  if (!plain_text(source)) return false;
  try {
    block_parser(source, handler).parse_document();
  } catch (const outside_subset&) {
    return false;
  }
  return true;
}

}  // namespace promwatch::validate::yaml
