#include "validate/promql/parser.hpp"

#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <limits>
#include <string>
#include <utility>
#include <vector>

#include <re2/re2.h>

#include "core/utf8.hpp"
#include "validate/go_text.hpp"
#include "validate/promql/ast.hpp"
#include "validate/promql/functions.hpp"
#include "validate/promql/lexer.hpp"

namespace promwatch::validate::promql {

std::string_view documented_name(value_type t) {
  switch (t) {
    case value_type::vector:
      return "instant vector";
    case value_type::matrix:
      return "range vector";
    default:
      return internal_name(t);
  }
}

std::string_view internal_name(value_type t) {
  switch (t) {
    case value_type::none:
      return "none";
    case value_type::scalar:
      return "scalar";
    case value_type::vector:
      return "vector";
    case value_type::matrix:
      return "matrix";
    case value_type::string:
      return "string";
  }
  return "none";
}

namespace {

/// The type of a node that is neither binary, paren nor unary (those derive theirs from
/// their operands).
value_type own_type(const node& n) {
  switch (n.kind) {
    case node_kind::aggregate:
    case node_kind::vector_selector:
      return value_type::vector;
    case node_kind::call:
      return n.func != nullptr ? n.func->return_type : value_type::none;
    case node_kind::matrix_selector:
    case node_kind::subquery:
      return value_type::matrix;
    case node_kind::number_literal:
      return value_type::scalar;
    case node_kind::string_literal:
      return value_type::string;
    case node_kind::binary:
    case node_kind::paren:
    case node_kind::unary:
      break;
  }
  return value_type::none;
}

bool passes_type_through(const node& n) {
  return n.kind == node_kind::paren || n.kind == node_kind::unary;
}

}  // namespace

// Iterative, so a tall tree (a 10,000-term `or` chain) needs no stack: parens and unary
// operators pass their operand's type through, and a binary expression is a scalar exactly
// when every operand below its chain of binary/paren/unary nodes is one.
value_type node::type() const {
  const node* n = this;
  while (passes_type_through(*n)) {
    if (!n->expr) return value_type::none;
    n = n->expr.get();
  }
  if (n->kind != node_kind::binary) return own_type(*n);
  std::vector<const node*> pending{n};
  while (!pending.empty()) {
    const node* m = pending.back();
    pending.pop_back();
    if (m == nullptr) return value_type::vector;
    if (m->kind == node_kind::binary) {
      // The right operand first: in a left-associative chain it is the short side.
      pending.push_back(m->lhs.get());
      pending.push_back(m->rhs.get());
    } else if (passes_type_through(*m)) {
      pending.push_back(m->expr.get());
    } else if (own_type(*m) != value_type::scalar) {
      return value_type::vector;
    }
  }
  return value_type::scalar;
}

// Iterative for the same reason: the default destructor would recurse once per level.
node::~node() {
  if (!lhs && !rhs && !expr && !param && args.empty()) return;
  std::vector<node_ptr> pending;
  const auto take_children = [&pending](node& n) {
    for (node_ptr* child : {&n.lhs, &n.rhs, &n.expr, &n.param}) {
      if (*child) pending.push_back(std::move(*child));
    }
    for (auto& a : n.args) {
      if (a) pending.push_back(std::move(a));
    }
    n.args.clear();
  };
  take_children(*this);
  while (!pending.empty()) {
    node_ptr n = std::move(pending.back());
    pending.pop_back();
    take_children(*n);
  }  // each node dies here without children, so no destructor recurses
}

namespace {

struct number_value {
  double value = 0;
  std::optional<std::string> error;
};

bool all_of(std::string_view s, std::string_view valid) {
  return s.find_first_not_of(valid) == std::string_view::npos;
}

std::optional<std::int64_t> parse_int(std::string_view digits, int base) {
  if (digits.empty()) {
    return std::nullopt;
  }
  std::uint64_t v = 0;
  for (const char c : digits) {
    const int d = c >= '0' && c <= '9'   ? c - '0'
                  : c >= 'a' && c <= 'f' ? c - 'a' + 10
                  : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                         : 99;
    if (d >= base) {
      return std::nullopt;
    }
    if (v > (static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max()) -
             static_cast<std::uint64_t>(d)) /
                static_cast<std::uint64_t>(base)) {
      return std::nullopt;
    }
    v = v * static_cast<std::uint64_t>(base) + static_cast<std::uint64_t>(d);
  }
  return static_cast<std::int64_t>(v);
}

// Prometheus tries strconv.ParseInt(s, 0, 64) and then strconv.ParseFloat(s, 64); only the
// token shapes the lexer can produce need handling.
// Go's strconv underscoreOK: '_' only between digits or after a base prefix.
bool underscores_ok(std::string_view s) {
  char saw = '^';
  std::size_t i = 0;
  bool hex = false;
  if (s.size() >= 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
    i = 2;
    saw = '0';
    hex = true;
  }
  for (; i < s.size(); ++i) {
    const char c = static_cast<char>(std::tolower(static_cast<unsigned char>(s[i])));
    if ((c >= '0' && c <= '9') || (hex && c >= 'a' && c <= 'f')) {
      saw = '0';
      continue;
    }
    if (c == '_') {
      if (saw != '0') {
        return false;
      }
      saw = '_';
      continue;
    }
    if (saw == '_') {
      return false;
    }
    saw = '!';
  }
  return saw != '_';
}

number_value parse_number(std::string_view text) {
  std::string lower;
  lower.reserve(text.size());
  for (const char c : text) {
    // Digit separators (2.54+ lexers produce them); Go accepts them when underscoreOK.
    if (c != '_') {
      lower += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    }
  }
  if (lower.size() != text.size() && !underscores_ok(text)) {
    return {0, "strconv.ParseFloat: parsing " + go_text::quote(text) + ": invalid syntax"};
  }
  if (lower == "inf") {
    return {std::numeric_limits<double>::infinity(), {}};
  }
  if (lower == "nan") {
    return {std::numeric_limits<double>::quiet_NaN(), {}};
  }
  const std::string prefix = "strconv.ParseFloat: parsing " + go_text::quote(text) + ": ";
  if (lower.starts_with("0x")) {
    if (auto v = parse_int(std::string_view(lower).substr(2), 16)) {
      return {static_cast<double>(*v), {}};
    }
    // Go only accepts hexadecimal floats with a 'p' exponent, which cannot be lexed.
    return {0, prefix + "invalid syntax"};
  }
  if (all_of(lower, "0123456789")) {
    const bool octal = lower.size() > 1 && lower[0] == '0';
    if (auto v = parse_int(octal ? std::string_view(lower).substr(1) : lower, octal ? 8 : 10)) {
      return {static_cast<double>(*v), {}};
    }
  }
  // Decimal float syntax: mantissa with at least one digit, optional exponent with digits.
  std::size_t i = 0;
  std::size_t mantissa_digits = 0;
  while (i < lower.size() && std::isdigit(static_cast<unsigned char>(lower[i])) != 0) {
    ++i;
    ++mantissa_digits;
  }
  if (i < lower.size() && lower[i] == '.') {
    ++i;
    while (i < lower.size() && std::isdigit(static_cast<unsigned char>(lower[i])) != 0) {
      ++i;
      ++mantissa_digits;
    }
  }
  bool ok = mantissa_digits > 0;
  if (ok && i < lower.size() && lower[i] == 'e') {
    ++i;
    if (i < lower.size() && (lower[i] == '+' || lower[i] == '-')) {
      ++i;
    }
    const std::size_t exp_start = i;
    while (i < lower.size() && std::isdigit(static_cast<unsigned char>(lower[i])) != 0) {
      ++i;
    }
    ok = i > exp_start;
  }
  if (!ok || i != lower.size()) {
    return {0, prefix + "invalid syntax"};
  }
  const double v = std::strtod(lower.c_str(), nullptr);
  if (std::isinf(v)) {
    return {v, prefix + "value out of range"};
  }
  return {v, {}};
}

struct duration_value {
  std::int64_t ms = 0;
  std::optional<std::string> error;
};

// model.ParseDuration from prometheus/common plus the parser's "> 0" rule: units
// y w d h m s ms, each at most once and in that order, with overflow detection.
// `unit_messages`: prometheus/common v0.42+ (Prometheus 2.43+) names an unknown unit.
duration_value parse_duration(std::string_view text, bool reject_zero = true,
                              bool unit_messages = false) {
  struct unit {
    std::string_view suffix;
    std::int64_t ms;
  };
  static constexpr unit units[] = {
      {"y", 365LL * 24 * 3600 * 1000},
      {"w", 7LL * 24 * 3600 * 1000},
      {"d", 24LL * 3600 * 1000},
      {"h", 3600LL * 1000},
      {"m", 60LL * 1000},
      {"s", 1000},
      {"ms", 1},
  };
  const auto invalid = [&] {
    return duration_value{0, "not a valid duration string: " + go_text::quote(text)};
  };
  if (text.empty()) {
    return {0, "empty duration string"};
  }
  if (text == "0") {
    if (!reject_zero) {
      return {0, {}};
    }
    return {0, "duration must be greater than 0"};
  }
  std::string_view rest = text;
  std::size_t next_unit = 0;
  std::uint64_t total_ns = 0;
  bool overflow = false;
  while (!rest.empty()) {
    std::size_t n = 0;
    while (n < rest.size() && rest[n] >= '0' && rest[n] <= '9') {
      ++n;
    }
    if (n == 0) {
      return invalid();
    }
    const std::string_view digits = rest.substr(0, n);
    rest.remove_prefix(n);
    if (unit_messages) {
      std::size_t u = 0;
      while (u < rest.size() && !(rest[u] >= '0' && rest[u] <= '9')) {
        ++u;
      }
      const std::string_view unit_text = rest.substr(0, u);
      bool known = false;
      for (const auto& candidate : units) {
        known = known || candidate.suffix == unit_text;
      }
      if (u > 0 && !known) {
        return {0, "unknown unit " + go_text::quote(unit_text) + " in duration " +
                       go_text::quote(text)};
      }
    }
    std::size_t matched = std::size(units);
    for (std::size_t u = next_unit; u < std::size(units); ++u) {
      // "ms" must win over "m" followed by garbage.
      if (rest.starts_with(units[u].suffix) &&
          !(units[u].suffix == "m" && rest.starts_with("ms"))) {
        matched = u;
        break;
      }
    }
    if (matched == std::size(units)) {
      return invalid();
    }
    rest.remove_prefix(units[matched].suffix.size());
    next_unit = matched + 1;
    // strconv.Atoi saturates at the int64 maximum on overflow.
    std::int64_t count = parse_int(digits, 10).value_or(std::numeric_limits<std::int64_t>::max());
    const std::int64_t limit =
        std::numeric_limits<std::int64_t>::max() / units[matched].ms / 1'000'000;
    if (count > limit) {
      overflow = true;
    }
    total_ns += static_cast<std::uint64_t>(count) * 1'000'000ULL *
                static_cast<std::uint64_t>(units[matched].ms);
    if (static_cast<std::int64_t>(total_ns) < 0) {
      overflow = true;
    }
  }
  if (overflow) {
    return {0, "duration out of range"};
  }
  const auto ns = static_cast<std::int64_t>(total_ns);
  if (ns == 0 && reject_zero) {
    return {0, "duration must be greater than 0"};
  }
  return {ns / 1'000'000, {}};
}

// Go's regexp/syntax error texts for RE2's error codes.
std::string_view go_regexp_error(RE2::ErrorCode code) {
  switch (code) {
    case RE2::ErrorBadEscape:
      return "invalid escape sequence";
    case RE2::ErrorBadCharClass:
      return "invalid character class";
    case RE2::ErrorBadCharRange:
      return "invalid character class range";
    case RE2::ErrorMissingBracket:
      return "missing closing ]";
    case RE2::ErrorMissingParen:
      return "missing closing )";
    case RE2::ErrorUnexpectedParen:
      return "unexpected )";
    case RE2::ErrorTrailingBackslash:
      return "trailing backslash at end of expression";
    case RE2::ErrorRepeatArgument:
      return "missing argument to repetition operator";
    case RE2::ErrorRepeatSize:
      return "invalid repeat count";
    case RE2::ErrorRepeatOp:
      return "invalid nested repetition operator";
    case RE2::ErrorBadPerlOp:
      return "invalid or unsupported Perl syntax";
    case RE2::ErrorBadUTF8:
      return "invalid UTF-8";
    case RE2::ErrorBadNamedCapture:
      return "invalid named capture";
    case RE2::ErrorPatternTooLarge:
      return "expression too large";
    default:
      return "invalid regular expression";
  }
}

// Constructs RE2 accepts but Go's regexp rejects: \C, and (?<name>…) before Go 1.22.
std::optional<std::string> go_only_rejection(std::string_view re, bool named_groups) {
  for (std::size_t i = 0; i + 1 < re.size(); ++i) {
    if (re[i] == '\\') {
      if (re[i + 1] == 'C') {
        return "invalid escape sequence: `\\C`";
      }
      ++i;
      continue;
    }
    if (!named_groups && re.substr(i).starts_with("(?<")) {
      return "invalid or unsupported Perl syntax: `(?<`";
    }
  }
  return std::nullopt;
}

struct compiled_matcher {
  bool matches_empty = false;
  std::optional<std::string> error;
};

// Go 1.22 spells named groups (?<name>…) too; this RE2 knows only (?P<name>…).
void spell_named_groups_for_re2(std::string& re) {
  for (std::size_t i = 0; i + 3 < re.size(); ++i) {
    if (re[i] == '\\') {
      ++i;
    } else if (re.compare(i, 3, "(?<") == 0 && re[i + 3] != '=' && re[i + 3] != '!') {
      re.insert(i + 2, 1, 'P');
    }
  }
}

/// `named_groups`: the binary's Go (1.22+) accepts `(?<name>…)`. `raw_errors`: errors quote the
/// pattern as written (2.52+ parses it before anchoring), not the anchored `^(?:…)$`.
// Literal characters, '.' and '|' only: always a valid regexp, and it matches the empty string
// exactly when one of its alternatives is empty. Most matchers in real rules look like this
// (`code=~"5.."`, `job=~"api|web"`), and compiling each one with RE2 dominated validation time.
std::optional<bool> simple_pattern_matches_empty(std::string_view value) {
  bool empty_alternative = true;  // the current alternative has no character yet
  for (const char c : value) {
    const bool literal = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                         (c >= '0' && c <= '9') || c == '_' || c == ':' || c == '/' || c == ' ' ||
                         c == '-' || c == '.';
    if (c == '|') {
      if (empty_alternative) return true;
      empty_alternative = true;
    } else if (literal) {
      empty_alternative = false;
    } else {
      return std::nullopt;
    }
  }
  return empty_alternative;
}

compiled_matcher compile_regex_matcher(const std::string& value, bool named_groups,
                                       bool raw_errors) {
  if (const auto matches_empty = simple_pattern_matches_empty(value)) {
    return {*matches_empty, std::nullopt};
  }
  std::string anchored = "^(?:" + value + ")$";
  if (auto rejected = go_only_rejection(anchored, named_groups)) {
    return {false, "error parsing regexp: " + *rejected};
  }
  if (named_groups) {
    spell_named_groups_for_re2(anchored);
  }
  RE2::Options options;
  options.set_log_errors(false);
  const RE2 re(anchored, options);
  if (!re.ok()) {
    std::string arg = re.error_arg();
    RE2::ErrorCode code = re.error_code();
    if (raw_errors) {
      // Only on failure: the raw pattern tells what Go quotes.
      std::string raw = value;
      if (named_groups) {
        spell_named_groups_for_re2(raw);
      }
      const RE2 raw_re(raw, options);
      if (!raw_re.ok()) {
        arg = raw_re.error_arg();
        code = raw_re.error_code();
      }
    }
    return {false,
            "error parsing regexp: " + std::string(go_regexp_error(code)) + ": `" + arg + "`"};
  }
  return {RE2::FullMatch("", re), std::nullopt};
}

std::string go_float_f(double v) {
  if (std::isnan(v)) {
    return "NaN";
  }
  if (std::isinf(v)) {
    return v > 0 ? "+Inf" : "-Inf";
  }
  std::vector<char> buf(400);
  std::snprintf(buf.data(), buf.size(), "%f", v);
  return buf.data();
}

bool is_label_name(std::string_view s) {
  if (s.empty() || !(s[0] == '_' || std::isalpha(static_cast<unsigned char>(s[0])) != 0)) {
    return false;
  }
  for (const char c : s) {
    if (!(c == '_' || std::isalnum(static_cast<unsigned char>(c)) != 0)) {
      return false;
    }
  }
  return true;
}

// Tokens Prometheus accepts as a metric name (grammar rule metric_identifier).
bool is_metric_identifier(token_kind k) {
  switch (k) {
    case token_kind::identifier:
    case token_kind::metric_identifier:
    case token_kind::by:
    case token_kind::land:
    case token_kind::lor:
    case token_kind::lunless:
    case token_kind::offset:
    case token_kind::without:
    case token_kind::start:
    case token_kind::end:
    case token_kind::fill:
    case token_kind::fill_left:
    case token_kind::fill_right:
    case token_kind::step:
    case token_kind::range:
    case token_kind::anchored:
    case token_kind::smoothed:
    case token_kind::max_of:
    case token_kind::min_of:
      return true;
    default:
      return is_aggregator(k);
  }
}

// Tokens Prometheus accepts as a label in grouping lists (grammar rule maybe_label).
bool is_maybe_label(token_kind k) {
  switch (k) {
    case token_kind::identifier:
    case token_kind::metric_identifier:
    case token_kind::kw_bool:
    case token_kind::by:
    case token_kind::group_left:
    case token_kind::group_right:
    case token_kind::ignoring:
    case token_kind::land:
    case token_kind::lor:
    case token_kind::lunless:
    case token_kind::offset:
    case token_kind::on:
    case token_kind::start:
    case token_kind::end:
    case token_kind::atan2:
    case token_kind::fill:
    case token_kind::fill_left:
    case token_kind::fill_right:
    case token_kind::step:
    case token_kind::range:
    case token_kind::anchored:
    case token_kind::smoothed:
    case token_kind::max_of:
    case token_kind::min_of:
      return true;
    default:
      return is_aggregator(k);
  }
}

// Tokens that can begin an expression (a duration too from 2.54).
bool starts_expression(token_kind k, bool durations_are_numbers) {
  switch (k) {
    case token_kind::duration:
      return durations_are_numbers;
    case token_kind::number:
    case token_kind::string:
    case token_kind::left_paren:
    case token_kind::left_brace:
    case token_kind::add:
    case token_kind::sub:
      return true;
    default:
      return is_metric_identifier(k);
  }
}

// Binary operator precedence, higher binds tighter; 0 for non-operators.
int precedence(token_kind k) {
  switch (k) {
    case token_kind::lor:
      return 1;
    case token_kind::land:
    case token_kind::lunless:
      return 2;
    case token_kind::eqlc:
    case token_kind::neq:
    case token_kind::lte:
    case token_kind::lss:
    case token_kind::gte:
    case token_kind::gtr:
    case token_kind::trim_upper:
    case token_kind::trim_lower:
      return 3;
    case token_kind::add:
    case token_kind::sub:
      return 4;
    case token_kind::mul:
    case token_kind::div:
    case token_kind::mod:
    case token_kind::atan2:
      return 5;
    case token_kind::pow:
      return 6;
    default:
      return 0;
  }
}

constexpr int pow_precedence = 6;

struct recorded_error {
  std::size_t pos = 0;
  std::string message;
  bool unknown_to_promwatch = false;
};

/// What the parser of one Prometheus accepts: its version and parser options, and the
/// target's /api/v1/features where it gave one (that decides over the version tables).
struct dialect {
  const profile& prof;
  prometheus_version version;

  explicit dialect(const profile& p) : prof(p), version(p.version) {}

  bool at_least(int major, int minor) const { return version >= prometheus_version{major, minor}; }
  /// Numbers and durations are interchangeable (2.54 "Deprecate duration token").
  bool durations_are_numbers() const { return at_least(2, 54); }
  /// Ranges, subquery steps and offsets are duration expressions (3.4 grammar).
  bool duration_grammar() const { return at_least(3, 4); }
  bool keyword_enabled(std::string_view name, bool table) const {
    return prof.feature_api("promql", name).value_or(table);
  }
  bool duration_expr() const { return keyword_enabled("duration_expr", prof.duration_expr); }
  /// Grouping labels are checked with UTF-8 rules (3.0's global scheme; 2.55 with utf8-names).
  bool utf8_grouping() const { return at_least(3, 0) || prof.names == name_scheme::utf8; }
  /// Prometheus 2.51+ is built with Go 1.22+, whose regexp accepts `(?<name>…)` (the 2.53.3
  /// and 3.5.3 references do; Debian's 2.42 with Go 1.19 does not).
  bool go_named_groups() const { return at_least(2, 51); }
};

std::string version_text(prometheus_version v) {
  return "Prometheus " + to_string(v);
}

/// Recursive-descent rendition of Prometheus' yacc grammar. Errors are collected in the order
/// the generated parser would raise them; the first syntax error stops parsing.
class parser {
 public:
  parser(std::string_view input, const profile& prof)
      : input_(input), dialect_(prof), lexer_(input, prof.version) {}

  parse_result run() {
    parse_result result;
    const token& first = peek();
    if (first.kind == token_kind::eof) {
      add_error(0, "no expression found in input");
    } else if (first.kind != token_kind::error) {
      node_ptr root = parse_expr(0);
      if (!failed_ && peek().kind != token_kind::eof) {
        unexpected("", "");
      }
      if (errors_.empty() && root) {
        check(*root);
      }
      result.root = std::move(root);
    }
    if (!errors_.empty()) {
      // A real error wins over "unknown to this promwatch", which must not hide it.
      const recorded_error* reported = &errors_.front();
      for (const auto& e : errors_) {
        if (!e.unknown_to_promwatch) {
          reported = &e;
          break;
        }
      }
      result.error = to_parse_error(*reported);
      result.error->unknown_to_promwatch = reported->unknown_to_promwatch;
    }
    return result;
  }

 private:
  // Token handling ---------------------------------------------------------------------------

  const token& peek() {
    if (!have_token_) {
      do {
        current_ = lexer_.next();
      } while (current_.kind == token_kind::comment);
      have_token_ = true;
      switch (current_.kind) {
        case token_kind::error:
          add_error(current_.pos, current_.message);
          failed_ = true;
          break;
        case token_kind::right_brace:
        case token_kind::right_paren:
        case token_kind::right_bracket:
        case token_kind::duration:
        case token_kind::number:
          last_closing_ = current_.pos + current_.text.size();
          break;
        default:
          break;
      }
    }
    return current_;
  }

  token consume() {
    peek();
    have_token_ = false;
    return current_;
  }

  void add_error(std::size_t pos, std::string message) {
    errors_.push_back({pos, std::move(message)});
  }

  /// A syntax error at the current token, worded like the grammar's error rules. Lexer
  /// errors were already reported when the token was read.
  void unexpected(std::string_view context, std::string_view expected) {
    if (failed_) {
      return;
    }
    failed_ = true;
    const token& t = peek();
    if (t.kind == token_kind::error) {
      return;
    }
    if (context.empty() && aggregation_depth_ > 0) {
      context = "aggregation";
    }
    std::string message = "unexpected " + describe_token(t);
    if (!context.empty()) {
      message += " in ";
      message += context;
    }
    if (!expected.empty()) {
      message += ", expected ";
      message += expected;
    }
    add_error(t.pos, std::move(message));
  }

  bool too_deep(const node_ptr& n) {
    if (n && n->height > max_tree_height) {
      fail_too_deep(max_tree_height);
      return true;
    }
    return false;
  }

  void fail_too_deep(int limit = max_nesting_depth) {
    if (!failed_) {
      failed_ = true;
      add_error(peek().pos,
                "expression nesting too deep (more than " + std::to_string(limit) + " levels)");
    }
  }

  /// describe(), except that '@', missing from Go's ItemTypeStr, shows the yacc item number
  /// of the version's grammar (the number moves as tokens are added before it).
  std::string describe_token(const token& t) const {
    if (t.kind != token_kind::at) {
      return describe(t);
    }
    const int item = dialect_.at_least(3, 11)   ? 57402
                     : dialect_.at_least(2, 55) ? 57400
                     : dialect_.at_least(2, 54) ? 57399
                     : dialect_.at_least(2, 47) ? 57398
                                                : 57385;
    return "\"<Item " + std::to_string(item) + ">\" <op:" + std::string(t.text) + ">";
  }

  parse_error to_parse_error(const recorded_error& e) const {
    int line = 1;
    std::size_t last_break = std::string_view::npos;
    const std::size_t pos = std::min(e.pos, input_.size());
    for (std::size_t i = 0; i < pos; ++i) {
      if (input_[i] == '\n') {
        ++line;
        last_break = i;
      }
    }
    const std::size_t column = last_break == std::string_view::npos ? pos + 1 : pos - last_break;
    return parse_error{line, static_cast<int>(column), "parse error: " + e.message};
  }

  static node_ptr make(node_kind kind, std::size_t start) {
    auto n = std::make_unique<node>();
    n->kind = kind;
    n->start = start;
    return n;
  }

  static int height_of(const node_ptr& n) { return n ? n->height : 0; }

  // Expressions ------------------------------------------------------------------------------

  node_ptr parse_expr(int min_precedence) {
    node_ptr lhs = parse_unary();
    while (!failed_) {
      const token& t = peek();
      const int prec = precedence(t.kind);
      if (prec == 0 || prec < min_precedence) {
        break;
      }
      auto bin = make(node_kind::binary, lhs->start);
      bin->op = consume().kind;
      if (!parse_binary_modifiers(*bin)) {
        return nullptr;
      }
      // '^' is right-associative, every other operator left-associative. A right operand
      // recurses before its height is known (`2^2^2^…`), so it counts towards the depth.
      if (++depth_ > max_nesting_depth) {
        fail_too_deep();
        return nullptr;
      }
      node_ptr rhs = parse_expr(bin->op == token_kind::pow ? prec : prec + 1);
      --depth_;
      if (failed_) {
        return nullptr;
      }
      bin->end = rhs->end;
      if (bin->fill_disabled) {
        add_error(bin->start, "binop fill modifiers are experimental and not enabled");
      }
      bin->height = 1 + std::max(height_of(lhs), height_of(rhs));
      bin->lhs = std::move(lhs);
      bin->rhs = std::move(rhs);
      lhs = std::move(bin);
      if (too_deep(lhs)) {
        return nullptr;
      }
    }
    return failed_ ? nullptr : std::move(lhs);
  }

  bool parse_binary_modifiers(node& bin) {
    if (!parse_group_modifiers(bin)) {
      return false;
    }
    return parse_fill_modifiers(bin);
  }

  static bool is_fill(token_kind k) {
    return k == token_kind::fill || k == token_kind::fill_left || k == token_kind::fill_right;
  }

  /// fill(n), fill_left(n), fill_right(n) after the other modifiers (3.10 grammar); the lexer
  /// makes them keywords only before '(' and only in versions that have them.
  bool parse_fill_modifiers(node& bin) {
    const token_kind first = peek().kind;
    if (!is_fill(first)) {
      return !failed_;
    }
    consume();
    if (!parse_fill_value()) {
      return false;
    }
    const token_kind second = peek().kind;
    if ((first == token_kind::fill_left && second == token_kind::fill_right) ||
        (first == token_kind::fill_right && second == token_kind::fill_left)) {
      consume();
      if (!parse_fill_value()) {
        return false;
      }
    }
    bin.has_fill = true;
    const bool enabled_first =
        dialect_.keyword_enabled(canonical_text(first), dialect_.prof.binop_fill_modifiers);
    const bool enabled_second =
        !is_fill(second) ||
        dialect_.keyword_enabled(canonical_text(second), dialect_.prof.binop_fill_modifiers);
    bin.fill_disabled = !enabled_first || !enabled_second;
    return !failed_;
  }

  bool parse_fill_value() {
    if (peek().kind != token_kind::left_paren) {
      unexpected("", "");
      return false;
    }
    consume();
    if (peek().kind == token_kind::add || peek().kind == token_kind::sub) {
      consume();
    }
    const token_kind k = peek().kind;
    if (k != token_kind::number && k != token_kind::duration) {
      unexpected("", "");
      return false;
    }
    literal_seconds(consume());
    if (peek().kind != token_kind::right_paren) {
      unexpected("", "");
      return false;
    }
    consume();
    return true;
  }

  bool parse_group_modifiers(node& bin) {
    if (peek().kind == token_kind::kw_bool) {
      consume();
      bin.return_bool = true;
    }
    const token_kind k = peek().kind;
    if (k != token_kind::on && k != token_kind::ignoring) {
      return true;
    }
    consume();
    bin.on = k == token_kind::on;
    if (!parse_grouping_labels(bin.matching_labels)) {
      return false;
    }
    const token_kind g = peek().kind;
    if (g != token_kind::group_left && g != token_kind::group_right) {
      return true;
    }
    consume();
    bin.card = g == token_kind::group_left ? cardinality::many_to_one : cardinality::one_to_many;
    const token_kind next = peek().kind;
    if (next == token_kind::left_paren) {
      return parse_grouping_labels(bin.include_labels);
    }
    if (!failed_ && !starts_expression(next, dialect_.durations_are_numbers()) && !is_fill(next)) {
      // The label list is optional, but the state after group_x still owns the error.
      unexpected("grouping opts", "\"(\"");
    }
    return !failed_;
  }

  bool parse_grouping_labels(std::vector<std::string>& labels) {
    if (peek().kind != token_kind::left_paren) {
      unexpected("grouping opts", "\"(\"");
      return false;
    }
    consume();
    bool expect_label = true;
    for (;;) {
      const token& t = peek();
      if (t.kind == token_kind::right_paren) {
        consume();
        return true;
      }
      if (!expect_label) {
        if (t.kind == token_kind::comma) {
          consume();
          expect_label = true;
          continue;
        }
        unexpected("grouping opts", "\",\" or \")\"");
        return false;
      }
      const bool quoted = t.kind == token_kind::string && dialect_.at_least(2, 55);
      if (!quoted && !is_maybe_label(t.kind)) {
        unexpected("grouping opts", "label");
        return false;
      }
      std::string name = quoted ? unquote(t) : std::string(t.text);
      // UTF-8 rules accept any non-empty valid UTF-8; legacy ones [a-zA-Z_][a-zA-Z0-9_]*.
      const bool valid =
          dialect_.utf8_grouping() ? !name.empty() && core::valid_utf8(name) : is_label_name(name);
      if (!valid && !dialect_.at_least(3, 4)) {
        // Before 3.4 the grammar's error rule reported it as a syntax error.
        unexpected("grouping opts", "label");
        return false;
      }
      const token label = consume();
      if (!valid) {
        add_error(quoted ? label.pos + 1 : label.pos,
                  "invalid label name for grouping: " + go_text::quote(name));
      }
      labels.push_back(std::move(name));
      expect_label = false;
    }
  }

  node_ptr parse_unary() {
    if (failed_) {
      return nullptr;
    }
    if (++depth_ > max_nesting_depth) {
      fail_too_deep();
      return nullptr;
    }
    node_ptr result;
    const token& t = peek();
    if (t.kind == token_kind::add || t.kind == token_kind::sub) {
      const token op = consume();
      // Unary operators bind like '*': only '^' (and postfix modifiers) bind tighter.
      node_ptr operand = parse_expr(pow_precedence);
      if (failed_) {
        return nullptr;
      }
      if (operand->kind == node_kind::number_literal) {
        if (op.kind == token_kind::sub) {
          operand->number = -operand->number;
        }
        operand->start = op.pos;
        result = std::move(operand);
      } else {
        result = make(node_kind::unary, op.pos);
        result->op = op.kind;
        result->end = operand->end;
        result->height = operand->height + 1;
        result->expr = std::move(operand);
      }
    } else {
      result = parse_postfix(parse_primary());
    }
    --depth_;
    if (failed_ || too_deep(result)) {
      return nullptr;
    }
    return result;
  }

  node_ptr number_node(const token& tok, double value) {
    auto n = make(node_kind::number_literal, tok.pos);
    n->end = tok.pos + tok.text.size();
    n->number = value;
    return n;
  }

  /// The value in seconds of a NUMBER or DURATION token (number_duration_literal, 2.54+).
  double literal_seconds(const token& tok) {
    if (tok.kind == token_kind::number) {
      auto v = parse_number(tok.text);
      if (v.error) {
        add_error(tok.pos, "error parsing number: " + *v.error);
      }
      return v.value;
    }
    auto d = parse_duration(tok.text, !dialect_.duration_grammar(), dialect_.at_least(2, 43));
    if (d.error) {
      add_error(tok.pos, std::move(*d.error));
    }
    return static_cast<double>(d.ms) / 1000.0;
  }

  /// Keywords that 3.12+ also accepts as function names: start(), end(), step(), range(),
  /// and 3.13's min_of(), max_of().
  bool is_function_keyword(token_kind k) const {
    switch (k) {
      case token_kind::start:
      case token_kind::end:
      case token_kind::step:
      case token_kind::range:
        return dialect_.at_least(3, 12);
      case token_kind::max_of:
      case token_kind::min_of:
        return true;
      default:
        return false;
    }
  }

  node_ptr parse_primary() {
    const token& t = peek();
    if (t.kind == token_kind::duration && dialect_.durations_are_numbers()) {
      const token tok = consume();
      return number_node(tok, literal_seconds(tok));
    }
    if (t.kind == token_kind::step || t.kind == token_kind::range || is_function_keyword(t.kind)) {
      const token name = consume();
      if (peek().kind == token_kind::left_paren) {
        if (is_function_keyword(name.kind)) {
          return parse_call(name);
        }
        // 3.6–3.11: step() and range() are duration expressions, also at the top level.
        auto d = parse_duration_call(name);
        if (!d) {
          return nullptr;
        }
        auto n = make(node_kind::number_literal, name.pos);
        n->end = last_closing_;
        return n;
      }
      return failed_ ? nullptr : parse_vector_selector(name);
    }
    switch (t.kind) {
      case token_kind::number: {
        const token tok = consume();
        auto n = make(node_kind::number_literal, tok.pos);
        n->end = tok.pos + tok.text.size();
        auto v = parse_number(tok.text);
        if (v.error) {
          add_error(tok.pos, "error parsing number: " + *v.error);
        }
        n->number = v.value;
        return n;
      }
      case token_kind::string: {
        const token tok = consume();
        auto n = make(node_kind::string_literal, tok.pos);
        n->end = tok.pos + tok.text.size();
        n->text = unquote(tok);
        return n;
      }
      case token_kind::left_paren: {
        const token open = consume();
        node_ptr inner = parse_expr(0);
        if (failed_) {
          return nullptr;
        }
        if (peek().kind != token_kind::right_paren) {
          unexpected("", "");
          return nullptr;
        }
        const token close = consume();
        auto n = make(node_kind::paren, open.pos);
        n->end = close.pos + 1;
        n->height = inner->height + 1;
        n->expr = std::move(inner);
        return n;
      }
      case token_kind::left_brace:
        return parse_vector_selector(std::nullopt);
      default:
        break;
    }
    if (t.kind == token_kind::identifier) {
      const token name = consume();
      if (peek().kind == token_kind::left_paren) {
        return parse_call(name);
      }
      return parse_vector_selector(name);
    }
    if (is_aggregator(t.kind)) {
      const token op = consume();
      const token_kind next = peek().kind;
      if (next == token_kind::left_paren || next == token_kind::by || next == token_kind::without) {
        return parse_aggregation(op);
      }
      return failed_ ? nullptr : parse_vector_selector(op);
    }
    if (is_metric_identifier(t.kind)) {
      return parse_vector_selector(consume());
    }
    unexpected("", "");
    return nullptr;
  }

  std::string unquote(const token& tok) {
    auto value = go_text::unquote_prometheus(tok.text);
    if (!value) {
      add_error(tok.pos, "error unquoting string " + go_text::quote(tok.text) + ": invalid syntax");
      return {};
    }
    return std::move(*value);
  }

  /// Parses "(args)" after a function name or aggregation operator; `closing` receives the
  /// position just past ')'.
  bool parse_call_body(std::vector<node_ptr>& args, int& height) {
    consume();  // '('
    if (peek().kind == token_kind::right_paren) {
      consume();
      return true;
    }
    for (;;) {
      node_ptr arg = parse_expr(0);
      if (failed_) {
        return false;
      }
      height = std::max(height, arg->height + 1);
      args.push_back(std::move(arg));
      const token& t = peek();
      if (t.kind == token_kind::right_paren) {
        consume();
        return true;
      }
      if (t.kind != token_kind::comma) {
        unexpected("", "");
        return false;
      }
      const token comma = consume();
      const token_kind next = peek().kind;
      if (failed_) {
        return false;
      }
      if (next == token_kind::right_paren) {
        add_error(comma.pos, "trailing commas not allowed in function call args");
        consume();
        return !failed_;
      }
      if (!starts_expression(next, dialect_.durations_are_numbers())) {
        // The grammar reduces "args ," before it notices the token cannot follow.
        add_error(comma.pos, "trailing commas not allowed in function call args");
        unexpected("", "");
        return false;
      }
    }
  }

  node_ptr parse_call(const token& name) {
    auto n = make(node_kind::call, name.pos);
    if (!parse_call_body(n->args, n->height)) {
      return nullptr;
    }
    n->end = last_closing_;
    n->func = resolve_function(name);
    return n;
  }

  /// The function `name` as the profile's Prometheus knows it; errors (unknown, removed, not
  /// enabled) carry the version when it matters, and upstream's text first.
  const function* resolve_function(const token& name) {
    const auto quoted = [&] { return go_text::quote(name.text); };
    const function* f = find_function_any_version(name.text);
    const std::optional<bool> api = dialect_.prof.feature_api("promql_functions", name.text);
    if (f == nullptr || !f->exists_in(dialect_.version)) {
      if (f == nullptr || api.value_or(false)) {
        // Unknown to this promwatch; a newer target may have it.
        errors_.push_back({name.pos, "unknown function with name " + quoted(),
                           dialect_.prof.newer_than_known || api.value_or(false)});
        return nullptr;
      }
      std::string message = "unknown function with name " + quoted();
      // The default profile keeps 2.42's text exactly; other versions say when it changed.
      if (dialect_.version != oldest_known_version) {
        message += f->removed_in && dialect_.version >= *f->removed_in
                       ? " (removed in " + version_text(*f->removed_in)
                       : " (added in " + version_text(f->since);
        if (!f->replacement.empty()) {
          message += "; use " + std::string(f->replacement);
        }
        message += ")";
      }
      add_error(name.pos, std::move(message));
      return nullptr;
    }
    const bool table_enabled =
        !f->experimental_in(dialect_.version) || dialect_.prof.experimental_functions;
    if (!api.value_or(table_enabled)) {
      const char* why = api ? " (the target's /api/v1/features says so)"
                        : dialect_.prof.by == judge::promtool && !dialect_.at_least(3, 4)
                            ? " (promtool before 3.4 cannot enable experimental functions)"
                            : " (it needs --enable-feature=promql-experimental-functions)";
      add_error(name.pos, "function " + quoted() + " is not enabled in " +
                              version_text(dialect_.version) + why);
    }
    return f;
  }

  node_ptr parse_aggregation(const token& op) {
    auto n = make(node_kind::aggregate, op.pos);
    n->op = op.kind;
    ++aggregation_depth_;
    bool modifier_first = false;
    const auto parse_modifier = [&] {
      n->without = consume().kind == token_kind::without;
      return parse_grouping_labels(n->grouping);
    };
    if (peek().kind == token_kind::by || peek().kind == token_kind::without) {
      modifier_first = true;
      if (!parse_modifier()) {
        return nullptr;
      }
      if (peek().kind != token_kind::left_paren) {
        unexpected("", "");
        return nullptr;
      }
    }
    std::vector<node_ptr> args;
    if (!parse_call_body(args, n->height)) {
      return nullptr;
    }
    --aggregation_depth_;
    if (!modifier_first) {
      // The grammar needs one token of lookahead to see whether a modifier follows.
      const token_kind next = peek().kind;
      if (failed_) {
        return nullptr;
      }
      if (next == token_kind::by || next == token_kind::without) {
        if (!parse_modifier()) {
          return nullptr;
        }
      }
    }
    n->end = last_closing_;
    if (args.empty()) {
      add_error(n->start, "no arguments for aggregate expression provided");
      return n;
    }
    const bool experimental = op.kind == token_kind::limitk || op.kind == token_kind::limit_ratio;
    const bool with_param = op.kind == token_kind::topk || op.kind == token_kind::bottomk ||
                            op.kind == token_kind::count_values ||
                            op.kind == token_kind::quantile || experimental;
    if (experimental && !dialect_.prof.feature_api("promql_operators", canonical_text(op.kind))
                             .value_or(dialect_.prof.experimental_functions)) {
      add_error(n->start, std::string(canonical_text(op.kind)) +
                              "() is experimental and must be enabled with "
                              "--enable-feature=promql-experimental-functions");
      return n;
    }
    const std::size_t desired = with_param ? 2 : 1;
    if (args.size() != desired) {
      add_error(n->start, "wrong number of arguments for aggregate expression provided, expected " +
                              std::to_string(desired) + ", got " + std::to_string(args.size()));
      return n;
    }
    if (with_param) {
      n->param = std::move(args[0]);
    }
    n->expr = std::move(args[desired - 1]);
    return n;
  }

  node_ptr parse_vector_selector(std::optional<token> name) {
    auto n = make(node_kind::vector_selector, name ? name->pos : peek().pos);
    if (name) {
      n->name = std::string(name->text);
      n->end = name->pos + name->text.size();
    }
    if (peek().kind == token_kind::left_brace) {
      if (!parse_label_matchers(*n)) {
        return nullptr;
      }
      n->end = last_closing_;
    }
    if (failed_) {
      return nullptr;
    }
    if (name) {
      label_matcher m;
      m.name = "__name__";
      m.value = n->name;
      n->matchers.emplace_back(std::move(m));
    }
    return n;
  }

  bool parse_label_matchers(node& selector) {
    consume();  // '{'
    bool expect_matcher = true;
    for (;;) {
      const token& t = peek();
      if (t.kind == token_kind::right_brace) {
        consume();
        return true;
      }
      if (!expect_matcher) {
        if (t.kind == token_kind::comma) {
          consume();
          expect_matcher = true;
          continue;
        }
        unexpected("label matching", "\",\" or \"}\"");
        return false;
      }
      // Quoted names (string_identifier, 2.51): `{"name"}` or `{"label"="value"}`.
      const bool quoted = t.kind == token_kind::string && dialect_.at_least(2, 51);
      if (t.kind != token_kind::identifier && !quoted) {
        unexpected("label matching", "identifier or \"}\"");
        return false;
      }
      token label = consume();
      std::string quoted_name;
      if (quoted) {
        quoted_name = unquote(label);
      }
      const token_kind op = peek().kind;
      if (op != token_kind::eql && op != token_kind::neq && op != token_kind::eql_regex &&
          op != token_kind::neq_regex) {
        if (quoted && !failed_) {
          label_matcher m;
          m.name = "__name__";
          m.value = std::move(quoted_name);
          m.matches_empty = m.value.empty();
          selector.matchers.emplace_back(std::move(m));
          expect_matcher = false;
          continue;
        }
        unexpected("label matching", "label matching operator");
        return false;
      }
      consume();
      if (peek().kind != token_kind::string) {
        unexpected("label matching", "string");
        return false;
      }
      const token value = consume();
      selector.matchers.push_back(
          make_matcher(quoted ? std::string_view(quoted_name) : label.text, label.pos, op, value));
      expect_matcher = false;
    }
  }

  std::optional<label_matcher> make_matcher(std::string_view name, std::size_t label_pos,
                                            token_kind op, const token& value) {
    label_matcher m;
    m.name = std::string(name);
    m.value = unquote(value);
    switch (op) {
      case token_kind::eql:
        m.type = match_type::equal;
        m.matches_empty = m.value.empty();
        return m;
      case token_kind::neq:
        m.type = match_type::not_equal;
        m.matches_empty = !m.value.empty();
        return m;
      default:
        break;
    }
    m.type = op == token_kind::eql_regex ? match_type::regexp : match_type::not_regexp;
    auto compiled =
        compile_regex_matcher(m.value, dialect_.go_named_groups(), dialect_.at_least(2, 52));
    if (compiled.error) {
      add_error(label_pos, std::move(*compiled.error));
      return std::nullopt;
    }
    m.matches_empty =
        m.type == match_type::regexp ? compiled.matches_empty : !compiled.matches_empty;
    return m;
  }

  // Postfix modifiers: ranges, subqueries, offset, @, anchored and smoothed bind tighter than
  // any operator.
  node_ptr parse_postfix(node_ptr e) {
    while (e && !failed_) {
      switch (peek().kind) {
        case token_kind::left_bracket:
          e = parse_range_or_subquery(std::move(e));
          break;
        case token_kind::offset:
          consume();
          parse_offset(*e);
          break;
        case token_kind::at:
          consume();
          parse_at(*e);
          break;
        case token_kind::anchored:
        case token_kind::smoothed:
          set_extended_range_modifier(*e, consume().kind);
          break;
        default:
          return e;
      }
      if (too_deep(e)) {
        return nullptr;
      }
    }
    return failed_ ? nullptr : std::move(e);
  }

  /// setAnchored / setSmoothed (3.7, --enable-feature=promql-extended-range-selectors).
  void set_extended_range_modifier(node& e, token_kind k) {
    const std::string_view name = canonical_text(k);
    if (!dialect_.keyword_enabled(name, dialect_.prof.extended_range_selectors)) {
      add_error_parts(e.start, name, " modifier is experimental and not enabled");
      return;
    }
    node* target = nullptr;
    if (e.kind == node_kind::vector_selector) {
      target = &e;
    } else if (e.kind == node_kind::matrix_selector) {
      if (e.expr->kind != node_kind::vector_selector) {
        return;
      }
      target = e.expr.get();
    } else if (e.kind == node_kind::subquery) {
      add_error_parts(e.start, name, " modifier is not supported for subqueries");
      return;
    } else {
      add_error_parts(e.start, name, " modifier not implemented");
      return;
    }
    (k == token_kind::anchored ? target->anchored : target->smoothed) = true;
    if (target->anchored && target->smoothed) {
      add_error(e.start, "anchored and smoothed modifiers cannot be used together");
    }
    e.end = last_closing_;
  }

  std::optional<std::int64_t> parse_duration_token() {
    const token d = consume();
    auto v = parse_duration(d.text, true, dialect_.at_least(2, 43));
    if (v.error) {
      add_error(d.pos, std::move(*v.error));
      return 0;
    }
    return v.ms;
  }

  static std::int64_t seconds_to_ms(double seconds) {
    const double ms = std::round(seconds * 1000);
    constexpr double bound = 9223372036854775807.0;
    return std::isfinite(ms) && std::fabs(ms) < bound ? static_cast<std::int64_t>(ms) : 0;
  }

  /// A range, subquery range or step: nullopt when the token cannot start one (nothing
  /// consumed, no error recorded yet).
  std::optional<std::int64_t> parse_range_value() {
    const token_kind k = peek().kind;
    if (dialect_.duration_grammar()) {
      if (!starts_duration_expr(k)) {
        return std::nullopt;
      }
      auto d = parse_positive_duration_expr();
      if (!d) {
        return 0;
      }
      return d->literal ? seconds_to_ms(d->seconds) : 1;
    }
    if (k == token_kind::duration) {
      return parse_duration_token();
    }
    if (k == token_kind::number && dialect_.durations_are_numbers()) {
      return seconds_to_ms(literal_seconds(consume()));
    }
    return std::nullopt;
  }

  node_ptr parse_range_or_subquery(node_ptr e) {
    const token open = consume();
    const auto parsed_range = parse_range_value();
    if (failed_) {
      return nullptr;
    }
    if (!parsed_range) {
      if (dialect_.at_least(3, 6)) {
        unexpected("subquery or range selector", "number, duration, step(), or range()");
      } else {
        unexpected("subquery selector",
                   dialect_.durations_are_numbers() ? "number or duration" : "duration");
      }
      return nullptr;
    }
    const std::int64_t range = *parsed_range;
    const token& t = peek();
    if (t.kind == token_kind::right_bracket) {
      const token close = consume();
      const char* problem = nullptr;
      if (e->kind != node_kind::vector_selector) {
        problem = "ranges only allowed for vector selectors";
      } else if (e->offset_ms != 0 || e->has_offset_expr) {
        problem = "no offset modifiers allowed before range";
      } else if (e->timestamp_ms) {
        problem = "no @ modifiers allowed before range";
      }
      if (problem != nullptr) {
        add_error(open.pos, problem);
      }
      auto m = make(node_kind::matrix_selector, e->start);
      m->range_ms = range;
      m->end = close.pos + 1;
      m->height = e->height + 1;
      m->expr = std::move(e);
      return m;
    }
    if (t.kind != token_kind::colon) {
      unexpected("subquery or range", "\":\" or \"]\"");
      return nullptr;
    }
    consume();
    std::int64_t step = 0;
    if (peek().kind != token_kind::right_bracket) {
      const auto parsed_step = parse_range_value();
      if (failed_) {
        return nullptr;
      }
      if (!parsed_step) {
        unexpected("subquery selector", "duration or \"]\"");
        return nullptr;
      }
      step = *parsed_step;
      if (peek().kind != token_kind::right_bracket) {
        unexpected("subquery selector", "\"]\"");
        return nullptr;
      }
    }
    const token close = consume();
    auto s = make(node_kind::subquery, e->start);
    s->range_ms = range;
    s->step_ms = step;
    s->end = close.pos + 1;
    s->height = e->height + 1;
    s->expr = std::move(e);
    return s;
  }

  void parse_offset(node& e) {
    std::int64_t ms = 0;
    bool is_expr = false;
    if (dialect_.duration_grammar()) {
      // offset_duration_expr: a literal, a signed literal, or a parenthesised or called
      // duration expression; `foo offset 1 + 2` is `(foo offset 1) + 2`.
      const std::size_t at = peek().pos;
      bool negative = false;
      const token_kind k = peek().kind;
      if (k == token_kind::add || k == token_kind::sub) {
        consume();
        negative = k == token_kind::sub;
      }
      if (!starts_duration_primary(peek().kind)) {
        unexpected("offset", dialect_.at_least(3, 10)  ? "number, duration, step(), or range()"
                             : dialect_.at_least(3, 6) ? "number, duration, or step()"
                                                       : "number or duration");
        return;
      }
      auto d = parse_duration_primary();
      if (!d) {
        return;
      }
      if (d->literal) {
        const double v = negative ? -d->seconds : d->seconds;
        if (duration_out_of_range(v)) {
          add_error(at, "duration out of range");
        }
        ms = seconds_to_ms(v);
      } else {
        is_expr = true;
      }
    } else {
      bool negative = false;
      if (peek().kind == token_kind::sub) {
        consume();
        negative = true;
      }
      const token_kind k = peek().kind;
      if (k == token_kind::duration) {
        ms = *parse_duration_token();
      } else if (k == token_kind::number && dialect_.durations_are_numbers()) {
        ms = seconds_to_ms(literal_seconds(consume()));
      } else {
        unexpected("offset", dialect_.durations_are_numbers() ? "number or duration" : "duration");
        return;
      }
      if (negative) {
        ms = -ms;
      }
    }
    node* target = &e;
    if (e.kind == node_kind::matrix_selector) {
      if (e.expr->kind != node_kind::vector_selector) {
        add_error(e.start, "ranges only allowed for vector selectors");
        return;
      }
      target = e.expr.get();
    } else if (e.kind != node_kind::vector_selector && e.kind != node_kind::subquery) {
      add_error(e.start,
                "offset modifier must be preceded by an instant vector selector or range vector "
                "selector or a subquery");
      return;
    }
    if (target->offset_ms != 0 || target->has_offset_expr) {
      add_error(e.start, "offset may not be set multiple times");
    } else if (is_expr) {
      target->has_offset_expr = true;
    } else {
      target->offset_ms = ms;
    }
    e.end = last_closing_;
  }

  // Duration expressions (3.4 grammar: duration_expr, offset_duration_expr) ------------------

  struct duration_result {
    bool literal = true;  ///< a NumberLiteral (value known) rather than a DurationExpr
    double seconds = 0;
    std::size_t start = 0;
  };

  static bool duration_out_of_range(double seconds) {
    return seconds > 9223372036.854775807 || seconds < -9223372036.854775808;
  }

  bool duration_keyword(token_kind k) const {
    switch (k) {
      case token_kind::step:
        return dialect_.at_least(3, 6);
      case token_kind::range:
        return dialect_.at_least(3, 10);
      case token_kind::min:
      case token_kind::max:
        return dialect_.at_least(3, 6) && !dialect_.at_least(3, 13);
      case token_kind::min_of:
      case token_kind::max_of:
        return dialect_.at_least(3, 13);
      default:
        return false;
    }
  }

  bool starts_duration_primary(token_kind k) const {
    return k == token_kind::number || k == token_kind::duration || k == token_kind::left_paren ||
           duration_keyword(k);
  }

  bool starts_duration_expr(token_kind k) const {
    return starts_duration_primary(k) || k == token_kind::add || k == token_kind::sub;
  }

  void experimental_duration_expr(std::size_t pos) {
    if (!dialect_.duration_expr()) {
      add_error(pos, "experimental duration expression is not enabled");
    }
  }

  std::optional<duration_result> parse_positive_duration_expr() {
    auto d = parse_duration_expr(0);
    if (d && d->literal && d->seconds <= 0) {
      add_error(d->start, "duration must be greater than 0");
    }
    return d;
  }

  std::optional<duration_result> parse_duration_expr(int min_precedence) {
    if (++depth_ > max_nesting_depth) {
      fail_too_deep();
      return std::nullopt;
    }
    auto lhs = parse_duration_unary();
    while (lhs && !failed_) {
      const token_kind k = peek().kind;
      const int prec = k == token_kind::atan2 ? 0 : precedence(k);
      if (prec < 4 || prec < min_precedence) {
        break;
      }
      const token op = consume();
      auto rhs = parse_duration_expr(op.kind == token_kind::pow ? prec : prec + 1);
      if (!rhs) {
        lhs.reset();
        break;
      }
      // The grammar reduces the right operand first, so its errors come first.
      experimental_duration_expr(lhs->start);
      if ((op.kind == token_kind::div || op.kind == token_kind::mod) && rhs->literal &&
          rhs->seconds == 0) {
        add_error(op.pos, op.kind == token_kind::div ? "division by zero" : "modulo by zero");
      }
      lhs->literal = false;
    }
    --depth_;
    return failed_ ? std::nullopt : lhs;
  }

  std::optional<duration_result> parse_duration_unary() {
    const token_kind k = peek().kind;
    if (k != token_kind::add && k != token_kind::sub) {
      return parse_duration_primary();
    }
    const token op = consume();
    if (++depth_ > max_nesting_depth) {
      fail_too_deep();
      return std::nullopt;
    }
    auto d = parse_duration_expr(pow_precedence);
    --depth_;
    if (!d) {
      return std::nullopt;
    }
    if (d->literal) {
      if (op.kind == token_kind::sub) {
        d->seconds = -d->seconds;
      }
      if (duration_out_of_range(d->seconds)) {
        add_error(op.pos, "duration out of range");
      }
    }
    d->start = op.pos;
    return d;
  }

  std::optional<duration_result> parse_duration_primary() {
    const token& t = peek();
    if (failed_) {
      return std::nullopt;
    }
    if (t.kind == token_kind::number || t.kind == token_kind::duration) {
      const token tok = consume();
      duration_result d{true, literal_seconds(tok), tok.pos};
      if (duration_out_of_range(d.seconds)) {
        add_error(tok.pos, "duration out of range");
        d.seconds = 0;
      }
      return d;
    }
    if (t.kind == token_kind::left_paren) {
      const token open = consume();
      if (++depth_ > max_nesting_depth) {
        fail_too_deep();
        return std::nullopt;
      }
      auto inner = parse_duration_expr(0);
      --depth_;
      if (!inner) {
        return std::nullopt;
      }
      if (peek().kind != token_kind::right_paren) {
        unexpected("", "");
        return std::nullopt;
      }
      consume();
      experimental_duration_expr(inner->start);
      inner->start = open.pos;
      return inner;
    }
    if (duration_keyword(t.kind)) {
      return parse_duration_call(consume());
    }
    unexpected("", "");
    return std::nullopt;
  }

  /// step(), range(), min(a, b) / max(a, b) (3.6–3.12), min_of(a, b) / max_of(a, b) (3.13)
  /// inside a duration expression; `name` is consumed.
  std::optional<duration_result> parse_duration_call(const token& name) {
    if (peek().kind != token_kind::left_paren) {
      unexpected("", "");
      return std::nullopt;
    }
    consume();
    const bool two_args = name.kind != token_kind::step && name.kind != token_kind::range;
    if (two_args) {
      if (++depth_ > max_nesting_depth) {
        fail_too_deep();
        return std::nullopt;
      }
      auto a = parse_duration_expr(0);
      if (a && peek().kind != token_kind::comma) {
        unexpected("", "");
        a.reset();
      }
      if (a) {
        consume();
        a = parse_duration_expr(0);
      }
      --depth_;
      if (!a) {
        return std::nullopt;
      }
    }
    if (peek().kind != token_kind::right_paren) {
      unexpected("", "");
      return std::nullopt;
    }
    consume();
    experimental_duration_expr(name.pos);
    return duration_result{false, 0, name.pos};
  }

  void parse_at(node& e) {
    const token_kind k = peek().kind;
    if (k == token_kind::start || k == token_kind::end) {
      consume();
      if (peek().kind != token_kind::left_paren) {
        unexpected("@", "timestamp");
        return;
      }
      consume();
      if (peek().kind != token_kind::right_paren) {
        unexpected("@", "timestamp");
        return;
      }
      consume();
      if (node* target = at_target(e)) {
        target->start_or_end = k;
        e.end = last_closing_;
      }
      return;
    }
    bool negative = false;
    if (k == token_kind::add || k == token_kind::sub) {
      consume();
      negative = k == token_kind::sub;
    }
    const token_kind nk = peek().kind;
    if (nk != token_kind::number &&
        !(nk == token_kind::duration && dialect_.durations_are_numbers())) {
      unexpected("@", "timestamp");
      return;
    }
    const token num = consume();
    const double value = literal_seconds(num);
    const double ts = negative ? -value : value;
    constexpr double int64_bound = 9223372036854775808.0;
    if (std::isinf(ts) || std::isnan(ts) || ts >= int64_bound || ts <= -int64_bound) {
      add_error(e.start, "timestamp out of bounds for @ modifier: " + go_float_f(ts));
    }
    if (node* target = at_target(e)) {
      const double ms = std::round(ts * 1000);
      target->timestamp_ms = std::isfinite(ms) && std::fabs(ms) < int64_bound
                                 ? static_cast<std::int64_t>(ms)
                                 : std::int64_t{0};
      e.end = last_closing_;
    }
  }

  node* at_target(node& e) {
    node* target = &e;
    if (e.kind == node_kind::matrix_selector) {
      if (e.expr->kind != node_kind::vector_selector) {
        add_error(e.start, "ranges only allowed for vector selectors");
        return nullptr;
      }
      target = e.expr.get();
    } else if (e.kind != node_kind::vector_selector && e.kind != node_kind::subquery) {
      add_error(e.start,
                "@ modifier must be preceded by an instant vector selector or range vector "
                "selector or a subquery");
      return nullptr;
    }
    if (target->timestamp_ms || target->start_or_end != token_kind::eof) {
      add_error(e.start, "@ <timestamp> may not be set multiple times");
      return nullptr;
    }
    return target;
  }

  // Type checking (Prometheus' checkAST) -----------------------------------------------------

  [[gnu::noinline]] void type_error(const node& n, value_type want, std::string_view context,
                                    value_type got) {
    add_error(n.start, "expected type " + std::string(documented_name(want)) + " in " +
                           std::string(context) + ", got " + std::string(documented_name(got)));
  }

  std::size_t operator_position(const node& bin) const {
    std::size_t p = bin.lhs->end;
    while (p < input_.size() &&
           (input_[p] == ' ' || input_[p] == '\t' || input_[p] == '\n' || input_[p] == '\r')) {
      ++p;
    }
    return p;
  }

  /// One node of the type check in progress: `stage` says which operand comes next,
  /// `saved` keeps an operand's type the node needs later, `type` is the node's own.
  struct check_frame {
    const node* n = nullptr;
    int stage = 0;
    std::size_t index = 0;
    value_type saved = value_type::none;
    value_type type = value_type::none;
  };

  /// Prometheus' checkAST, in its order of messages, as a loop over an explicit stack: the
  /// tree may be as tall as max_tree_height and the check runs on pool threads with small
  /// stacks. Each node is visited once and computes its type from its operands' (linear).
  value_type check(const node& root) {
    std::vector<check_frame> stack;
    stack.push_back(check_frame{&root});
    value_type finished = value_type::none;  // the type of the operand that just finished
    while (!stack.empty()) {
      const node* next = check_step(stack.back(), finished);
      if (next != nullptr) {
        stack.push_back(check_frame{next});
        continue;
      }
      finished = stack.back().type;
      stack.pop_back();
    }
    return finished;
  }

  static bool has_scalar_parameter(token_kind op) {
    return op == token_kind::topk || op == token_kind::bottomk || op == token_kind::quantile ||
           op == token_kind::limitk || op == token_kind::limit_ratio;
  }

  /// Advances `f` given the type of the operand that just finished (`operand`, meaningless
  /// on the first step): returns the next operand to check, or nullptr when `f` is done
  /// (then `f.type` is set).
  const node* check_step(check_frame& f, value_type operand) {
    const node& n = *f.n;
    switch (n.kind) {
      case node_kind::aggregate:
        f.type = value_type::vector;
        switch (f.stage) {
          case 0:
            f.stage = 1;
            return n.expr.get();
          case 1:
            if (operand != value_type::vector) {
              type_error(*n.expr, value_type::vector, "aggregation expression", operand);
            }
            if (has_scalar_parameter(n.op)) {
              f.stage = 2;
              return n.param.get();
            }
            if (n.op == token_kind::count_values) {
              f.stage = 3;
              return n.param.get();
            }
            return nullptr;
          case 2:
            if (operand != value_type::scalar) {
              type_error(*n.param, value_type::scalar, "aggregation parameter", operand);
            }
            return nullptr;
          default:
            if (operand != value_type::string) {
              type_error(*n.param, value_type::string, "aggregation parameter", operand);
            }
            return nullptr;
        }
      case node_kind::binary:
        switch (f.stage) {
          case 0:
            f.stage = 1;
            return n.lhs.get();
          case 1:
            f.saved = operand;
            f.stage = 2;
            return n.rhs.get();
          default:
            check_binary(n, f.saved, operand);
            f.type = f.saved == value_type::scalar && operand == value_type::scalar
                         ? value_type::scalar
                         : value_type::vector;
            return nullptr;
        }
      case node_kind::call:
        return check_call_step(f, operand);
      case node_kind::paren:
      case node_kind::matrix_selector:
        if (f.stage == 0) {
          f.stage = 1;
          return n.expr.get();
        }
        f.type = n.kind == node_kind::paren ? operand : value_type::matrix;
        return nullptr;
      case node_kind::unary:
        if (f.stage == 0) {
          f.stage = 1;
          return n.expr.get();
        }
        if (operand != value_type::scalar && operand != value_type::vector) {
          add_error(n.start,
                    "unary expression only allowed on expressions of type scalar or instant "
                    "vector, got " +
                        go_text::quote(documented_name(operand)));
        }
        f.type = operand;
        return nullptr;
      case node_kind::subquery:
        if (f.stage == 0) {
          f.stage = 1;
          return n.expr.get();
        }
        if (operand != value_type::vector) {
          add_error(n.start, "subquery is only allowed on instant vector, got " +
                                 std::string(internal_name(operand)) + " instead");
        }
        f.type = value_type::matrix;
        return nullptr;
      case node_kind::vector_selector:
        check_selector(n);
        f.type = value_type::vector;
        return nullptr;
      case node_kind::number_literal:
        f.type = value_type::scalar;
        return nullptr;
      case node_kind::string_literal:
        f.type = value_type::string;
        return nullptr;
    }
    return nullptr;
  }

  // Message building lives out of line so the check step stays small.
  [[gnu::noinline]] void add_error_parts(std::size_t pos, std::string_view a,
                                         std::string_view b = {}, std::string_view c = {}) {
    std::string message(a);
    message += b;
    message += c;
    add_error(pos, std::move(message));
  }

  [[gnu::noinline]] std::string quoted_operator(token_kind op) {
    return go_text::quote(canonical_text(op));
  }

  void check_binary(const node& n, value_type lt, value_type rt) {
    if (n.return_bool && !is_comparison_operator(n.op)) {
      add_error(operator_position(n), "bool modifier can only be used on comparison operators");
    }
    if (is_comparison_operator(n.op) && !n.return_bool && rt == value_type::scalar &&
        lt == value_type::scalar) {
      add_error(operator_position(n), "comparisons between scalars must use BOOL modifier");
    }
    cardinality card = n.card;
    if (is_set_operator(n.op) && card == cardinality::one_to_one) {
      card = cardinality::many_to_many;
    }
    if (n.on) {
      for (const auto& l1 : n.matching_labels) {
        for (const auto& l2 : n.include_labels) {
          if (l1 == l2) {
            add_error_parts(operator_position(n), "label ", go_text::quote(l1),
                            " must not occur in ON and GROUP clause at once");
          }
        }
      }
    }
    if (lt != value_type::scalar && lt != value_type::vector) {
      add_error(n.lhs->start,
                "binary expression must contain only scalar and instant vector types");
    }
    if (rt != value_type::scalar && rt != value_type::vector) {
      add_error(n.rhs->start,
                "binary expression must contain only scalar and instant vector types");
    }
    if (lt != value_type::vector || rt != value_type::vector) {
      if (!n.matching_labels.empty()) {
        add_error(n.start, "vector matching only allowed between instant vectors");
      }
      if (n.has_fill) {
        add_error(n.start, "filling in missing series only allowed between instant vectors");
      }
    } else if (is_set_operator(n.op)) {
      if (card == cardinality::one_to_many || card == cardinality::many_to_one) {
        add_error_parts(n.start, "no grouping allowed for ", quoted_operator(n.op), " operation");
      }
      if (card != cardinality::many_to_many) {
        add_error(n.start, "set operations must always be many-to-many");
      }
      if (n.has_fill) {
        add_error(n.start, "filling in missing series not allowed for set operators");
      }
    }
    if ((lt == value_type::scalar || rt == value_type::scalar) && is_set_operator(n.op)) {
      add_error_parts(n.start, "set operator ", quoted_operator(n.op),
                      " not allowed in binary scalar expression");
    }
  }

  // Messages of check_call, built out of line and only on failure (the check is on the hot
  // path, so its frame stays small and allocation-free).
  [[gnu::noinline]] void arity_error(const node& n, std::string_view bound, std::size_t want) {
    add_error(n.start, "expected " + std::string(bound) + std::to_string(want) +
                           " argument(s) in call to " + go_text::quote(n.func->name) + ", got " +
                           std::to_string(n.args.size()));
  }

  [[gnu::noinline]] void argument_type_error(const node& n, const node& arg, value_type want,
                                             value_type got) {
    add_error(arg.start, "expected type " + std::string(documented_name(want)) +
                             " in call to function " + go_text::quote(n.func->name) + ", got " +
                             std::string(documented_name(got)));
  }

  [[gnu::noinline]] void check_info_selector(const node& n) {
    // info()'s second argument is a label-selector-only `{…}` (2.55).
    const node& selector = *n.args[1];
    if (selector.type() != value_type::vector) {
      add_error(n.start, "expected type instant vector in call to function " +
                             go_text::quote(n.func->name) + ", got " +
                             std::string(documented_name(selector.type())));
    }
    if (selector.kind == node_kind::vector_selector && !selector.name.empty()) {
      add_error(selector.start, "expected label selectors only, got vector selector instead");
    } else if (selector.kind == node_kind::vector_selector) {
      selector.bypass_empty_matcher = true;
    } else {
      add_error(selector.start, "expected label selectors only");
    }
  }

  void check_call_arity(const node& n) {
    const function& f = *n.func;
    const std::size_t nargs = f.arg_types.size();
    if (f.variadic == 0) {
      if (nargs != n.args.size()) {
        arity_error(n, "", nargs);
      }
    } else {
      const std::size_t required = nargs - 1;
      if (required > n.args.size()) {
        arity_error(n, "at least ", required);
      } else if (f.variadic > 0 &&
                 required + static_cast<std::size_t>(f.variadic) < n.args.size()) {
        arity_error(n, "at most ", required + static_cast<std::size_t>(f.variadic));
      }
    }
    if (n.args.size() > 1 && f.name == "info") {
      check_info_selector(n);
    }
  }

  /// The argument type each argument must have; nullopt past the last one a non-variadic
  /// function declares (the check stops there).
  static std::optional<value_type> wanted_argument_type(const function& f, std::size_t i) {
    const std::size_t nargs = f.arg_types.size();
    if (i >= nargs) {
      if (f.variadic == 0) {
        return std::nullopt;
      }
      i = nargs - 1;
    }
    return f.arg_types[i];
  }

  const node* check_call_step(check_frame& f, value_type operand) {
    const node& n = *f.n;
    f.type = n.func != nullptr ? n.func->return_type : value_type::none;
    if (f.stage == 0) {
      check_call_arity(n);
      f.stage = 1;
    } else {
      const value_type want = *wanted_argument_type(*n.func, f.index);
      if (operand != want) {
        argument_type_error(n, *n.args[f.index], want, operand);
      }
      ++f.index;
    }
    if (f.index >= n.args.size() || !wanted_argument_type(*n.func, f.index)) {
      return nullptr;
    }
    return n.args[f.index].get();
  }

  void check_selector(const node& n) {
    if (!n.name.empty()) {
      // The last matcher is the one built from the metric name outside the braces.
      for (std::size_t i = 0; i + 1 < n.matchers.size(); ++i) {
        if (n.matchers[i] && n.matchers[i]->name == "__name__") {
          add_error(n.start, "metric name must not be set twice: " + go_text::quote(n.name) +
                                 " or " + go_text::quote(n.matchers[i]->value));
        }
      }
      return;
    }
    if (n.bypass_empty_matcher) {
      return;
    }
    for (const auto& m : n.matchers) {
      if (m && !m->matches_empty) {
        return;
      }
    }
    add_error(n.start, "vector selector must contain at least one non-empty matcher");
  }

  std::string_view input_;
  dialect dialect_;
  lexer lexer_;
  token current_;
  bool have_token_ = false;
  bool failed_ = false;
  std::size_t last_closing_ = 0;
  int aggregation_depth_ = 0;
  int depth_ = 0;
  std::vector<recorded_error> errors_;
};

}  // namespace

parse_result parse(std::string_view expr, const profile& prof) {
  return parser(expr, prof).run();
}

std::optional<parse_error> check_expression(std::string_view expr, const profile& prof) {
  return parse(expr, prof).error;
}

}  // namespace promwatch::validate::promql
