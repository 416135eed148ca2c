#pragma once
#include <cstddef>
#include <string>
#include <string_view>

#include "validate/profile.hpp"

namespace promwatch::validate::promql {

/// Token kinds of the PromQL lexer, grouped as in Prometheus (operators, aggregators,
/// keywords) because the parser's messages describe each group differently.
enum class token_kind {
  eof,
  error,
  comment,
  identifier,
  metric_identifier,
  number,
  string,
  duration,
  left_paren,
  right_paren,
  left_brace,
  right_brace,
  left_bracket,
  right_bracket,
  comma,
  eql,
  colon,
  // operators
  add,
  sub,
  mul,
  div,
  mod,
  pow,
  eqlc,
  neq,
  lte,
  lss,
  gte,
  gtr,
  trim_upper,  ///< `</` (3.11)
  trim_lower,  ///< `>/` (3.11)
  eql_regex,
  neq_regex,
  land,
  lor,
  lunless,
  at,
  atan2,
  // aggregators
  avg,
  bottomk,
  count,
  count_values,
  group,
  max,
  min,
  quantile,
  limitk,       ///< 2.54, experimental
  limit_ratio,  ///< 2.54, experimental
  stddev,
  stdvar,
  sum,
  topk,
  // keywords
  kw_bool,
  by,
  group_left,
  group_right,
  ignoring,
  offset,
  on,
  anchored,    ///< 3.7
  smoothed,    ///< 3.7
  fill,        ///< 3.10, a keyword only before '('
  fill_left,   ///< 3.10
  fill_right,  ///< 3.10
  without,
  // @ preprocessors
  start,
  end,
  // duration-expression keywords
  step,    ///< 3.6
  range,   ///< 3.10
  max_of,  ///< 3.13
  min_of,  ///< 3.13
};

bool is_operator(token_kind k);
bool is_aggregator(token_kind k);
bool is_keyword(token_kind k);
bool is_comparison_operator(token_kind k);
bool is_set_operator(token_kind k);

/// The canonical spelling of a token kind ("and", "group_left", "(" …), as Prometheus'
/// ItemTypeStr; empty for kinds without one (identifiers, numbers, …).
std::string_view canonical_text(token_kind k);

/// One lexed token. `text` points into the lexed input; `message` is set for `error` only.
struct token {
  token_kind kind = token_kind::eof;
  std::size_t pos = 0;
  std::string_view text;
  std::string message;
};

/// How Prometheus names a token in "unexpected …" messages, e.g. `identifier "foo"`,
/// `<op:+>`, `end of input`.
std::string describe(const token& t);

/// Context-sensitive PromQL lexer with the state machine of Prometheus `version` (keywords
/// ignored inside braces, durations or duration expressions after '[', parenthesis balance
/// checks); the default is 2.42. Produces comments too; after an error token only `eof` follows.
class lexer {
 public:
  explicit lexer(std::string_view input, prometheus_version version = {})
      : input_(input), version_(version) {}

  /// The next token. Never throws.
  token next();

 private:
  enum class state { statements, inside_braces, done };

  long next_rune() {
    // Inline for ASCII, which is nearly all of PromQL; the rest decodes out of line.
    if (pos_ < input_.size()) {
      if (const auto b = static_cast<unsigned char>(input_[pos_]); b < 0x80) {
        width_ = 1;
        ++pos_;
        return b;
      }
    }
    return next_rune_slow();
  }
  long next_rune_slow();
  long peek_rune();
  void backup() { pos_ -= width_; }
  bool accept(std::string_view valid);
  void accept_run(std::string_view valid);
  token emit(token_kind k);
  token error(std::string message);

  bool lex_statements(token& out);
  bool lex_inside_braces(token& out);
  token lex_string(char quote);
  token lex_raw_string();
  token lex_line_comment();
  token lex_duration();
  token lex_duration_expr();
  bool scan_duration_keyword(token& out);
  bool scan_number_v254();
  token lex_number_or_duration();
  token lex_identifier();
  token lex_keyword_or_identifier();
  bool scan_number();
  bool accept_remaining_duration();
  void skip_spaces();
  bool followed_by_left_paren() const;

  bool at_least(int major, int minor) const { return version_ >= prometheus_version{major, minor}; }

  std::string_view input_;
  prometheus_version version_;
  std::size_t pos_ = 0;
  std::size_t start_ = 0;
  std::size_t width_ = 0;
  state state_ = state::statements;
  int paren_depth_ = 0;
  bool brace_open_ = false;
  bool bracket_open_ = false;
  bool got_colon_ = false;
  bool pending_duration_ = false;
  bool pending_duration_expr_ = false;  ///< 3.4+: the state after '[' or a ':' lexed there
  bool got_duration_ = false;
};

}  // namespace promwatch::validate::promql
