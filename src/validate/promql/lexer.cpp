#include "validate/promql/lexer.hpp"

#include <algorithm>
#include <array>
#include <utility>

#include "core/utf8.hpp"
#include "validate/go_text.hpp"

namespace promwatch::validate::promql {
namespace {

constexpr long eof_rune = -1;

bool is_space(long r) {
  return r == ' ' || r == '\t' || r == '\n' || r == '\r';
}
bool is_digit(long r) {
  return r >= '0' && r <= '9';
}
bool is_alpha(long r) {
  return r == '_' || (r >= 'a' && r <= 'z') || (r >= 'A' && r <= 'Z');
}
bool is_alpha_numeric(long r) {
  return is_alpha(r) || is_digit(r);
}
bool is_end_of_line(long r) {
  return r == '\r' || r == '\n';
}

struct keyword_entry {
  std::string_view text;
  token_kind kind;
  prometheus_version since{2, 42};
};

// Prometheus matches keywords case-insensitively; "inf" and "nan" lex as numbers. Each keyword
// entered lex.go's `key` map in the version given (prometheus-versions.md §1b).
constexpr std::array<keyword_entry, 40> keywords{{
    {"and", token_kind::land},
    {"or", token_kind::lor},
    {"unless", token_kind::lunless},
    {"atan2", token_kind::atan2},
    {"sum", token_kind::sum},
    {"avg", token_kind::avg},
    {"count", token_kind::count},
    {"min", token_kind::min},
    {"max", token_kind::max},
    {"group", token_kind::group},
    {"stddev", token_kind::stddev},
    {"stdvar", token_kind::stdvar},
    {"topk", token_kind::topk},
    {"bottomk", token_kind::bottomk},
    {"count_values", token_kind::count_values},
    {"quantile", token_kind::quantile},
    {"limitk", token_kind::limitk, {2, 54}},
    {"limit_ratio", token_kind::limit_ratio, {2, 54}},
    {"offset", token_kind::offset},
    {"smoothed", token_kind::smoothed, {3, 7}},
    {"anchored", token_kind::anchored, {3, 7}},
    {"by", token_kind::by},
    {"without", token_kind::without},
    {"on", token_kind::on},
    {"ignoring", token_kind::ignoring},
    {"group_left", token_kind::group_left},
    {"group_right", token_kind::group_right},
    {"fill", token_kind::fill, {3, 10}},
    {"fill_left", token_kind::fill_left, {3, 10}},
    {"fill_right", token_kind::fill_right, {3, 10}},
    {"bool", token_kind::kw_bool},
    {"start", token_kind::start},
    {"end", token_kind::end},
    {"step", token_kind::step, {3, 6}},
    {"range", token_kind::range, {3, 10}},
    {"max_of", token_kind::max_of, {3, 13}},
    {"min_of", token_kind::min_of, {3, 13}},
    {"inf", token_kind::number},
    {"nan", token_kind::number},
    {"", token_kind::eof},
}};

char ascii_lower(char c) {
  return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
}

// Identifiers are ASCII, so ASCII case folding is Go's strings.ToLower for them.
bool equals_lower(std::string_view word, std::string_view lower) {
  return word.size() == lower.size() &&
         std::equal(word.begin(), word.end(), lower.begin(),
                    [](char a, char b) { return ascii_lower(a) == b; });
}

constexpr std::size_t longest_keyword = [] {
  std::size_t n = 0;
  for (const auto& kw : keywords)
    n = std::max(n, kw.text.size());
  return n;
}();

// The keyword `word` spells in any case; eof when it spells none.
token_kind keyword_kind(std::string_view word, prometheus_version version) {
  if (word.size() > longest_keyword) return token_kind::eof;
  std::array<char, longest_keyword> lower{};
  std::transform(word.begin(), word.end(), lower.begin(), ascii_lower);
  const std::string_view folded(lower.data(), word.size());
  for (const auto& kw : keywords) {
    // Length and first letter rule out nearly every entry before the full comparison.
    if (kw.text.size() == folded.size() && !kw.text.empty() && kw.text[0] == folded[0] &&
        kw.text == folded && kw.since <= version) {
      return kw.kind;
    }
  }
  return token_kind::eof;
}

}  // namespace

bool is_operator(token_kind k) {
  return k >= token_kind::add && k <= token_kind::atan2;
}
bool is_aggregator(token_kind k) {
  return k >= token_kind::avg && k <= token_kind::topk;
}
bool is_keyword(token_kind k) {
  return k >= token_kind::kw_bool && k <= token_kind::without;
}

bool is_comparison_operator(token_kind k) {
  switch (k) {
    case token_kind::eqlc:
    case token_kind::neq:
    case token_kind::lte:
    case token_kind::lss:
    case token_kind::gte:
    case token_kind::gtr:
      return true;
    default:
      return false;
  }
}

bool is_set_operator(token_kind k) {
  return k == token_kind::land || k == token_kind::lor || k == token_kind::lunless;
}

std::string_view canonical_text(token_kind k) {
  switch (k) {
    case token_kind::left_paren:
      return "(";
    case token_kind::right_paren:
      return ")";
    case token_kind::left_brace:
      return "{";
    case token_kind::right_brace:
      return "}";
    case token_kind::left_bracket:
      return "[";
    case token_kind::right_bracket:
      return "]";
    case token_kind::comma:
      return ",";
    case token_kind::eql:
      return "=";
    case token_kind::colon:
      return ":";
    case token_kind::sub:
      return "-";
    case token_kind::add:
      return "+";
    case token_kind::mul:
      return "*";
    case token_kind::mod:
      return "%";
    case token_kind::div:
      return "/";
    case token_kind::eqlc:
      return "==";
    case token_kind::neq:
      return "!=";
    case token_kind::lte:
      return "<=";
    case token_kind::lss:
      return "<";
    case token_kind::gte:
      return ">=";
    case token_kind::gtr:
      return ">";
    case token_kind::trim_upper:
      return "</";
    case token_kind::trim_lower:
      return ">/";
    case token_kind::eql_regex:
      return "=~";
    case token_kind::neq_regex:
      return "!~";
    case token_kind::pow:
      return "^";
    case token_kind::at:
      return "@";
    default:
      break;
  }
  for (const auto& kw : keywords) {
    if (kw.kind == k && k != token_kind::number && k != token_kind::eof) {
      return kw.text;
    }
  }
  return {};
}

std::string describe(const token& t) {
  switch (t.kind) {
    case token_kind::eof:
      return "end of input";
    case token_kind::error:
      return t.message;
    case token_kind::identifier:
      return "identifier " + go_text::quote(t.text);
    case token_kind::metric_identifier:
      return "metric identifier " + go_text::quote(t.text);
    case token_kind::number:
    case token_kind::string:
    case token_kind::duration:
    case token_kind::comment: {
      const std::string_view kind = t.kind == token_kind::number     ? "number"
                                    : t.kind == token_kind::string   ? "string"
                                    : t.kind == token_kind::duration ? "duration"
                                                                     : "comment";
      // Go's "%.10q..." for long values.
      std::size_t runes = 0;
      for (std::size_t i = 0; i < t.text.size(); ++runes) {
        i += core::decode_rune(t.text.substr(i)).width;
      }
      if (runes > 10) {
        return std::string(kind) + " " + go_text::quote(t.text, 10) + "...";
      }
      return std::string(kind) + " " + go_text::quote(t.text);
    }
    default:
      break;
  }
  if (t.kind == token_kind::at) {
    // '@' has no entry in Prometheus' ItemTypeStr, so it is described by its raw item number.
    return "\"<Item 57385>\" <op:" + std::string(t.text) + ">";
  }
  if (is_keyword(t.kind)) {
    return "<" + std::string(t.text) + ">";
  }
  if (is_operator(t.kind)) {
    return "<op:" + std::string(t.text) + ">";
  }
  if (is_aggregator(t.kind)) {
    return "<aggr:" + std::string(t.text) + ">";
  }
  if (t.text.size() > 10) {
    return go_text::quote(t.text, 10) + "...";
  }
  return go_text::quote(t.text);
}

long lexer::next_rune_slow() {
  if (pos_ >= input_.size()) {
    width_ = 0;
    return eof_rune;
  }
  const auto d = core::decode_rune(input_.substr(pos_));
  width_ = d.width;
  pos_ += width_;
  return static_cast<long>(d.rune);
}

long lexer::peek_rune() {
  const long r = next_rune();
  backup();
  return r;
}

bool lexer::accept(std::string_view valid) {
  const long r = next_rune();
  if (r >= 0 && r < 0x80 && valid.find(static_cast<char>(r)) != std::string_view::npos) {
    return true;
  }
  backup();
  return false;
}

void lexer::accept_run(std::string_view valid) {
  while (accept(valid)) {
  }
}

token lexer::emit(token_kind k) {
  token t{k, start_, input_.substr(start_, pos_ - start_), {}};
  start_ = pos_;
  return t;
}

token lexer::error(std::string message) {
  state_ = state::done;
  return token{token_kind::error, start_, {}, std::move(message)};
}

token lexer::next() {
  if (pending_duration_ && state_ != state::done) {
    pending_duration_ = false;
    return at_least(2, 54) ? lex_number_or_duration() : lex_duration();
  }
  if (pending_duration_expr_ && state_ != state::done) {
    return lex_duration_expr();
  }
  token out;
  for (;;) {
    bool produced = false;
    switch (state_) {
      case state::done:
        return token{token_kind::eof, pos_, {}, {}};
      case state::statements:
        produced = brace_open_ ? lex_inside_braces(out) : lex_statements(out);
        break;
      case state::inside_braces:
        produced = lex_inside_braces(out);
        break;
    }
    if (produced) {
      return out;
    }
  }
}

bool lexer::lex_statements(token& out) {
  if (input_.substr(pos_).starts_with('#')) {
    out = lex_line_comment();
    return true;
  }
  const long r = next_rune();
  switch (r) {
    case eof_rune:
      if (paren_depth_ != 0) {
        out = error("unclosed left parenthesis");
      } else if (bracket_open_) {
        out = error("unclosed left bracket");
      } else {
        out = emit(token_kind::eof);
        state_ = state::done;
      }
      return true;
    case ',':
      out = emit(token_kind::comma);
      return true;
    case '*':
      out = emit(token_kind::mul);
      return true;
    case '/':
      out = emit(token_kind::div);
      return true;
    case '%':
      out = emit(token_kind::mod);
      return true;
    case '+':
      out = emit(token_kind::add);
      return true;
    case '-':
      out = emit(token_kind::sub);
      return true;
    case '^':
      out = emit(token_kind::pow);
      return true;
    case '@':
      out = emit(token_kind::at);
      return true;
    case '=': {
      const long t = peek_rune();
      if (t == '=') {
        next_rune();
        out = emit(token_kind::eqlc);
      } else if (t == '~') {
        out = error("unexpected character after '=': " + go_text::quote_rune(t));
      } else {
        out = emit(token_kind::eql);
      }
      return true;
    }
    case '!': {
      const long t = next_rune();
      out = t == '=' ? emit(token_kind::neq)
                     : error("unexpected character after '!': " + go_text::quote_rune(t));
      return true;
    }
    case '<':
      if (peek_rune() == '=') {
        next_rune();
        out = emit(token_kind::lte);
      } else if (at_least(3, 11) && peek_rune() == '/') {
        next_rune();
        out = emit(token_kind::trim_upper);
      } else {
        out = emit(token_kind::lss);
      }
      return true;
    case '>':
      if (peek_rune() == '=') {
        next_rune();
        out = emit(token_kind::gte);
      } else if (at_least(3, 11) && peek_rune() == '/') {
        next_rune();
        out = emit(token_kind::trim_lower);
      } else {
        out = emit(token_kind::gtr);
      }
      return true;
    case '"':
    case '\'':
      out = lex_string(static_cast<char>(r));
      return true;
    case '`':
      out = lex_raw_string();
      return true;
    case '(':
      out = emit(token_kind::left_paren);
      ++paren_depth_;
      return true;
    case ')':
      out = emit(token_kind::right_paren);
      if (--paren_depth_ < 0) {
        out = error("unexpected right parenthesis " + go_text::quote_rune(r));
      }
      return true;
    case '{':
      out = emit(token_kind::left_brace);
      brace_open_ = true;
      return true;
    case '[':
      if (bracket_open_) {
        out = error("unexpected left bracket " + go_text::quote_rune(r));
        return true;
      }
      got_colon_ = false;
      out = emit(token_kind::left_bracket);
      if (is_space(peek_rune())) {
        skip_spaces();
      }
      bracket_open_ = true;
      // A duration must follow (a number too from 2.54, a duration expression from 3.4); lex
      // it now as Prometheus does, so its errors come first.
      if (at_least(3, 4)) {
        pending_duration_expr_ = true;
      } else {
        pending_duration_ = true;
      }
      return true;
    case ']':
      if (!bracket_open_) {
        out = error("unexpected right bracket " + go_text::quote_rune(r));
        return true;
      }
      out = emit(token_kind::right_bracket);
      bracket_open_ = false;
      return true;
    default:
      break;
  }
  if (is_space(r)) {
    skip_spaces();
    return false;
  }
  if (is_digit(r) || (r == '.' && is_digit(peek_rune()))) {
    backup();
    out = lex_number_or_duration();
    return true;
  }
  if (is_alpha(r) || r == ':') {
    if (!bracket_open_) {
      backup();
      out = lex_keyword_or_identifier();
      return true;
    }
    if (at_least(3, 6)) {
      // 3.6 lexes only ':' and the duration keywords inside brackets.
      if (r == ':') {
        if (got_colon_) {
          out = error("unexpected colon " + go_text::quote_rune(r));
          return true;
        }
        out = emit(token_kind::colon);
        got_colon_ = true;
        return true;
      }
      if (scan_duration_keyword(out)) {
        return true;
      }
      out = error("unexpected character: " + go_text::quote_rune(r) + ", expected ':'");
      return true;
    }
    // Before 3.6 any letter inside brackets lexes as the subquery colon (a Prometheus quirk).
    if (got_colon_) {
      out = error("unexpected colon " + go_text::quote_rune(r));
      return true;
    }
    out = emit(token_kind::colon);
    got_colon_ = true;
    return true;
  }
  out = error("unexpected character: " + go_text::quote_rune(r));
  return true;
}

bool lexer::lex_inside_braces(token& out) {
  if (input_.substr(pos_).starts_with('#')) {
    out = lex_line_comment();
    return true;
  }
  const long r = next_rune();
  if (r == eof_rune) {
    out = error("unexpected end of input inside braces");
    return true;
  }
  if (is_space(r)) {
    skip_spaces();
    return false;
  }
  if (is_alpha(r)) {
    backup();
    out = lex_identifier();
    return true;
  }
  switch (r) {
    case ',':
      out = emit(token_kind::comma);
      return true;
    case '"':
    case '\'':
      out = lex_string(static_cast<char>(r));
      return true;
    case '`':
      out = lex_raw_string();
      return true;
    case '=':
      if (next_rune() == '~') {
        out = emit(token_kind::eql_regex);
        return true;
      }
      backup();
      out = emit(token_kind::eql);
      return true;
    case '!': {
      const long nr = next_rune();
      if (nr == '~') {
        out = emit(token_kind::neq_regex);
      } else if (nr == '=') {
        out = emit(token_kind::neq);
      } else {
        out = error("unexpected character after '!' inside braces: " + go_text::quote_rune(nr));
      }
      return true;
    }
    case '{':
      out = error("unexpected left brace " + go_text::quote_rune(r));
      return true;
    case '}':
      out = emit(token_kind::right_brace);
      brace_open_ = false;
      return true;
    default:
      out = error("unexpected character inside braces: " + go_text::quote_rune(r));
      return true;
  }
}

token lexer::lex_string(char quote) {
  for (;;) {
    const long r = next_rune();
    if (r == '\\') {
      // Escapes follow Go's rules; only the opening quote may be escaped.
      long ch = next_rune();
      int n = 0;
      unsigned base = 0;
      unsigned long max = 0;
      switch (ch) {
        case 'a':
        case 'b':
        case 'f':
        case 'n':
        case 'r':
        case 't':
        case 'v':
        case '\\':
          continue;
        case '0':
        case '1':
        case '2':
        case '3':
        case '4':
        case '5':
        case '6':
        case '7':
          n = 3;
          base = 8;
          max = 255;
          break;
        case 'x':
          ch = next_rune();
          n = 2;
          base = 16;
          max = 255;
          break;
        case 'u':
          ch = next_rune();
          n = 4;
          base = 16;
          max = 0x10FFFF;
          break;
        case 'U':
          ch = next_rune();
          n = 8;
          base = 16;
          max = 0x10FFFF;
          break;
        case eof_rune:
          return error("escape sequence not terminated");
        default:
          if (ch == quote) {
            continue;
          }
          return error("unknown escape sequence " +
                       go_text::unicode_notation(static_cast<char32_t>(ch)));
      }
      unsigned long x = 0;
      while (n > 0) {
        unsigned d = 16;
        if (ch >= '0' && ch <= '9') {
          d = static_cast<unsigned>(ch - '0');
        } else if (ch >= 'a' && ch <= 'f') {
          d = static_cast<unsigned>(ch - 'a' + 10);
        } else if (ch >= 'A' && ch <= 'F') {
          d = static_cast<unsigned>(ch - 'A' + 10);
        }
        if (d >= base) {
          if (ch == eof_rune) {
            return error("escape sequence not terminated");
          }
          return error("illegal character " + go_text::unicode_notation(static_cast<char32_t>(ch)) +
                       " in escape sequence");
        }
        x = x * base + d;
        if (--n > 0) {
          ch = next_rune();
        }
      }
      if (x > max || (x >= 0xD800 && x < 0xE000)) {
        return error("escape sequence is an invalid Unicode code point");
      }
      continue;
    }
    // Go compares against utf8.RuneError, so even a literal U+FFFD is rejected.
    if (r == static_cast<long>(core::rune_error)) {
      return error("invalid UTF-8 rune");
    }
    if (r == eof_rune || r == '\n') {
      return error("unterminated quoted string");
    }
    if (r == quote) {
      return emit(token_kind::string);
    }
  }
}

token lexer::lex_raw_string() {
  for (;;) {
    const long r = next_rune();
    if (r == static_cast<long>(core::rune_error)) {
      return error("invalid UTF-8 rune");
    }
    if (r == eof_rune) {
      return error("unterminated raw string");
    }
    if (r == '`') {
      return emit(token_kind::string);
    }
  }
}

token lexer::lex_line_comment() {
  pos_ += 1;
  long r = next_rune();
  while (!is_end_of_line(r) && r != eof_rune) {
    r = next_rune();
  }
  backup();
  return emit(token_kind::comment);
}

token lexer::lex_duration() {
  if (scan_number()) {
    return error("missing unit character in duration");
  }
  if (!accept_remaining_duration()) {
    return error("bad duration syntax: " + go_text::quote(input_.substr(start_, pos_ - start_)));
  }
  backup();
  return emit(token_kind::duration);
}

token lexer::lex_duration_expr() {
  // lexDurationExpr (3.4+): the state right after '[' and after a ':' lexed in it.
  for (;;) {
    const long r = next_rune();
    if (r == eof_rune) {
      return error("unexpected end of input in duration expression");
    }
    if (is_space(r)) {
      skip_spaces();
      continue;
    }
    switch (r) {
      case ']':
        pending_duration_expr_ = false;
        bracket_open_ = false;
        got_colon_ = false;
        return emit(token_kind::right_bracket);
      case ':':
        if (!got_duration_) {
          return error("unexpected colon before duration in duration expression");
        }
        if (got_colon_) {
          return error("unexpected repeated colon in duration expression");
        }
        got_colon_ = true;
        return emit(token_kind::colon);
      case '(':
        ++paren_depth_;
        return emit(token_kind::left_paren);
      case ')':
        if (--paren_depth_ < 0) {
          return error("unexpected right parenthesis " + go_text::quote_rune(r));
        }
        return emit(token_kind::right_paren);
      case '+':
        return emit(token_kind::add);
      case '-':
        return emit(token_kind::sub);
      case '*':
        return emit(token_kind::mul);
      case '/':
        return emit(token_kind::div);
      case '%':
        return emit(token_kind::mod);
      case '^':
        return emit(token_kind::pow);
      case ',':
        if (at_least(3, 6)) {
          return emit(token_kind::comma);
        }
        break;
      default:
        break;
    }
    if (is_digit(r) || (r == '.' && is_digit(peek_rune()))) {
      backup();
      got_duration_ = true;
      pending_duration_expr_ = false;
      return lex_number_or_duration();
    }
    token out;
    if (is_alpha(r) && at_least(3, 6) && scan_duration_keyword(out)) {
      return out;
    }
    return error("unexpected character in duration expression: " + go_text::quote_rune(r));
  }
}

bool lexer::scan_duration_keyword(token& out) {
  // The rune at start_ was consumed; scanDurationKeyword absorbs letters and '_'.
  const std::size_t saved = pos_;
  while (is_alpha(peek_rune())) {
    next_rune();
  }
  const std::string_view word = input_.substr(start_, pos_ - start_);
  struct entry {
    std::string_view text;
    token_kind kind;
    bool enabled;
  };
  // 3.6: step, min, max; 3.10: range; 3.13: min/max renamed to min_of/max_of.
  const entry words[] = {
      {"step", token_kind::step, true},
      {"range", token_kind::range, at_least(3, 10)},
      {"min", token_kind::min, !at_least(3, 13)},
      {"max", token_kind::max, !at_least(3, 13)},
      {"min_of", token_kind::min_of, at_least(3, 13)},
      {"max_of", token_kind::max_of, at_least(3, 13)},
  };
  for (const auto& w : words) {
    if (w.enabled && equals_lower(word, w.text)) {
      out = emit(w.kind);
      return true;
    }
  }
  pos_ = saved;
  return false;
}

token lexer::lex_number_or_duration() {
  if (scan_number()) {
    return emit(token_kind::number);
  }
  if (accept_remaining_duration()) {
    backup();
    return emit(token_kind::duration);
  }
  return error("bad number or duration syntax: " +
               go_text::quote(input_.substr(start_, pos_ - start_)));
}

bool lexer::accept_remaining_duration() {
  if (!accept("smhdwy")) {
    return false;
  }
  accept("s");  // "ms"; nonsense like "hs" is rejected when the duration is parsed
  while (accept("0123456789")) {
    accept_run("0123456789");
    // 'y' may only come first.
    if (!accept("smhdw")) {
      return false;
    }
    accept("s");
  }
  return !is_alpha_numeric(next_rune());
}

bool lexer::scan_number() {
  if (at_least(2, 54)) {
    return scan_number_v254();
  }
  std::string_view digits = "0123456789";
  if (accept("0") && accept("xX")) {
    digits = "0123456789abcdefABCDEF";
  }
  accept_run(digits);
  if (accept(".")) {
    accept_run(digits);
  }
  if (accept("eE")) {
    accept("+-");
    accept_run("0123456789");
  }
  return !is_alpha_numeric(peek_rune());
}

bool lexer::scan_number_v254() {
  // scanNumber of 2.54+: digit separators with strict placement, no fractional hex.
  const std::size_t initial = pos_;
  std::string_view digits = "0123456789";
  if (accept("0") && accept("xX")) {
    accept("_");
    digits = "0123456789abcdefABCDEF";
  }
  accept(".");
  accept(digits);
  bool dot = false;
  bool exponent = false;
  const bool hex = digits.size() > 10;
  for (;;) {
    const long r = peek_rune();
    const bool in_digits =
        r >= 0 && r < 0x80 && digits.find(static_cast<char>(r)) != std::string_view::npos;
    if (!(in_digits || r == '.' || r == '_' || r == 'e' || r == 'E')) {
      break;
    }
    if (r == '.' && dot) {
      accept(".");
      return false;
    }
    if ((r == 'e' || r == 'E') && exponent) {
      accept("eE");
      return false;
    }
    if (accept(".")) {
      dot = true;
      if (accept("_.")) {
        return false;
      }
      if (hex) {
        return false;
      }
      continue;
    }
    if (accept("eE")) {
      exponent = true;
      accept("+-");
      if (accept("._eE") || peek_rune() == eof_rune) {
        return false;
      }
      continue;
    }
    if (accept("_")) {
      if (accept("._eE") || peek_rune() == eof_rune) {
        return false;
      }
      continue;
    }
    accept_run(digits);
  }
  if (pos_ == initial) {
    return false;
  }
  return !is_alpha_numeric(peek_rune());
}

token lexer::lex_identifier() {
  while (is_alpha_numeric(next_rune())) {
  }
  backup();
  return emit(token_kind::identifier);
}

token lexer::lex_keyword_or_identifier() {
  for (;;) {
    const long r = next_rune();
    if (is_alpha_numeric(r) || r == ':') {
      continue;
    }
    backup();
    const std::string_view word = input_.substr(start_, pos_ - start_);
    if (const token_kind kind = keyword_kind(word, version_); kind != token_kind::eof) {
      // fill, fill_left and fill_right are keywords only before '(' ("fill + fill" works).
      if ((kind == token_kind::fill || kind == token_kind::fill_left ||
           kind == token_kind::fill_right) &&
          !followed_by_left_paren()) {
        return emit(token_kind::identifier);
      }
      return emit(kind);
    }
    return emit(word.find(':') == std::string_view::npos ? token_kind::identifier
                                                         : token_kind::metric_identifier);
  }
}

bool lexer::followed_by_left_paren() const {
  std::size_t p = pos_;
  while (p < input_.size() && is_space(static_cast<unsigned char>(input_[p]))) {
    ++p;
  }
  return p < input_.size() && input_[p] == '(';
}

void lexer::skip_spaces() {
  while (is_space(peek_rune())) {
    next_rune();
  }
  start_ = pos_;
}

}  // namespace promwatch::validate::promql
