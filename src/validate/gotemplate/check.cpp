#include "validate/gotemplate/check.hpp"

#include <algorithm>
#include <array>
#include <map>
#include <utility>
#include <vector>

#include "core/utf8.hpp"
#include "validate/go_text.hpp"
#include "validate/gotemplate/functions.hpp"
#include "validate/gotemplate/lexer.hpp"
#include "validate/gotemplate/number_syntax.hpp"

namespace promwatch::validate::gotemplate {
namespace {

using detail::item;
using detail::item_type;

// Prometheus (rulefmt's template test and the rule manager) prepends these declarations to
// every alert label and annotation before parsing, all on line 1, so line numbers in the
// user's text are unchanged.
constexpr std::string_view alert_header =
    "{{$labels := .Labels}}{{$externalLabels := .ExternalLabels}}"
    "{{$externalURL := .ExternalURL}}{{$value := .Value}}";

// Go sets no depth limit in 1.19; recursion here is bounded so hostile input cannot exhaust
// the stack. Real templates nest a handful of levels.
constexpr int max_depth = 1000;

/// Unwinds the parser on the first error, like Go's parser panics to its recover. It is
/// caught in check_template and never escapes it.
struct parse_failure {
  std::string message;
  std::size_t token_index;    // Go's token[0]: decides the reported line
  std::size_t subject_index;  // the item the message is about: decides the column
};

enum class node_kind { text, action, control, end, else_ };

struct node {
  node_kind kind = node_kind::action;
  bool empty = false;  // whitespace-only text, as parse.IsEmptyTree judges it

  std::string describe() const { return kind == node_kind::end ? "{{end}}" : "{{else}}"; }
};

enum class term_kind {
  none,
  boolean,
  dot,
  nil,
  number,
  string,
  field,
  variable,
  identifier,
  other
};

struct term {
  term_kind kind = term_kind::none;
  std::string_view text;  // how Go prints the node in `unexpected . after term %q`
};

bool is_blank(std::string_view s) {
  while (!s.empty()) {
    if (const auto b = static_cast<unsigned char>(s[0]); b < 0x80) {
      if (!go_text::is_unicode_space(b)) return false;
      s.remove_prefix(1);
      continue;
    }
    const auto d = core::decode_rune(s);
    if (!go_text::is_unicode_space(d.rune)) return false;
    s.remove_prefix(d.width);
  }
  return true;
}

/// What all trees parsed from one text share: the item stream (one lexer in Go) and the
/// set of named templates, remembering whether each one's body is empty.
struct shared_state {
  std::string_view name;
  const profile& prof;
  std::vector<item> items;
  std::size_t next_item = 0;
  std::map<std::string, bool, std::less<>> defined;  // name -> body is non-empty

  std::size_t read() {
    const std::size_t i = next_item;
    // The stream ends with eof or error; the parser stops at either, but stay in bounds.
    if (next_item + 1 < items.size()) ++next_item;
    return i;
  }
};

/// One parse.Tree: the top-level template, a {{define}} or a {{block}} body. Mirrors Go's
/// three-token lookahead exactly, because the line Go reports is the line of the most
/// recently read item (token[0]), whichever tree read it.
class tree_parser {
 public:
  tree_parser(shared_state& shared, std::string name, int depth)
      : shared_(shared), name_(std::move(name)), depth_(depth) {}

  /// What a top-level parse carries from one action to the next: the declared variables and
  /// whether anything non-empty was seen. Between actions nothing else is pending (the token
  /// buffer holds only the next item, action_line_ is clear), so a parse resumed from this
  /// point behaves as one that read the text before it.
  struct resume_point {
    std::vector<std::string_view> vars;  // views of a text that outlives every parse
    bool non_empty = false;
  };
  resume_point state() const { return {vars_, non_empty_}; }
  void resume(const resume_point& r) {
    vars_ = r.vars;
    non_empty_ = r.non_empty;
  }

  void parse_top_level() {
    peek();
    while (peek().type != item_type::eof) {
      if (peek().type == item_type::left_delim) {
        const std::size_t delim = next_index();
        if (next_non_space().type == item_type::keyword_define) {
          tree_parser definition(shared_, "definition", depth_);
          definition.parse_definition();
          continue;
        }
        backup2(delim);
      }
      const node n = text_or_action();
      if (n.kind == node_kind::end || n.kind == node_kind::else_) {
        errorf("unexpected " + n.describe());
      }
      if (!n.empty) non_empty_ = true;
    }
    add();
  }

 private:
  const item& at(std::size_t i) const { return shared_.items[i]; }

  // --- token buffer (parse.go next/peek/backup) ---
  std::size_t peek_index() {
    if (peek_count_ > 0) return token_[peek_count_ - 1];
    peek_count_ = 1;
    token_[0] = shared_.read();
    return token_[0];
  }
  std::size_t next_index() {
    if (peek_count_ > 0) {
      --peek_count_;
    } else {
      token_[0] = shared_.read();
    }
    return token_[peek_count_];
  }
  const item& next() { return at(next_index()); }
  void backup() { ++peek_count_; }
  void backup2(std::size_t t1) {
    token_[1] = t1;
    peek_count_ = 2;
  }
  void backup3(std::size_t t2, std::size_t t1) {
    token_[1] = t1;
    token_[2] = t2;
    peek_count_ = 3;
  }
  const item& peek() { return at(peek_index()); }
  const item& next_non_space() {
    for (;;) {
      const item& i = next();
      if (i.type != item_type::space) return i;
    }
  }
  const item& peek_non_space() {
    const item& i = next_non_space();
    backup();
    return i;
  }

  // --- errors ---
  [[noreturn]] void errorf(std::string message) {
    throw parse_failure{std::move(message), token_[0], token_[0]};
  }
  [[noreturn]] void errorf_at(const item& subject, std::string message) {
    throw parse_failure{std::move(message), token_[0],
                        static_cast<std::size_t>(&subject - shared_.items.data())};
  }

  [[noreturn]] void unexpected(const item& token, std::string_view context) {
    if (token.type == item_type::error) {
      std::string extra;
      if (action_line_ != 0 && action_line_ != token.line) {
        const std::string where = std::string(shared_.name) + ":" + std::to_string(action_line_);
        // Avoids "unclosed action in action started at …".
        extra = token.message.ends_with(" action") ? " started at " + where
                                                   : " in action started at " + where;
      }
      errorf_at(token, token.message + extra);
    }
    errorf_at(token, "unexpected " + detail::describe(token) + " in " + std::string(context));
  }

  const item& expect(item_type expected, std::string_view context) {
    const item& token = next_non_space();
    if (token.type != expected) unexpected(token, context);
    return token;
  }

  void enter(std::string_view what) {
    if (++depth_ > max_depth) errorf(std::string(what));
  }
  void leave() { --depth_; }

  // --- grammar ---
  void add() {
    auto it = shared_.defined.find(name_);
    if (it == shared_.defined.end() || !it->second) {
      shared_.defined[name_] = non_empty_;
      return;
    }
    if (non_empty_) errorf("template: multiple definition of template " + go_text::quote(name_));
  }

  void parse_definition() {
    const item& token = next_non_space();
    if (token.type != item_type::string && token.type != item_type::raw_string) {
      unexpected(token, "define clause");
    }
    auto unquoted = go_text::unquote(token.value);
    if (!unquoted) errorf("invalid syntax");
    name_ = std::move(*unquoted);
    expect(item_type::right_delim, "define clause");
    const node end = item_list();
    if (end.kind != node_kind::end) errorf("unexpected " + end.describe() + " in define clause");
    add();
  }

  /// textOrAction* up to {{end}} or {{else}}, which is returned; records emptiness.
  node item_list() {
    peek_non_space();
    while (peek_non_space().type != item_type::eof) {
      node n = text_or_action();
      if (n.kind == node_kind::end || n.kind == node_kind::else_) return n;
      if (!n.empty) non_empty_ = true;
    }
    errorf("unexpected EOF");
  }

  node text_or_action() {
    const item& token = next_non_space();
    switch (token.type) {
      case item_type::text:
        return {node_kind::text, is_blank(token.value)};
      case item_type::left_delim: {
        action_line_ = token.line;
        node n = action();
        action_line_ = 0;
        return n;
      }
      default:
        unexpected(token, "input");
    }
  }

  node action() {
    switch (next_non_space().type) {
      case item_type::keyword_block:
        return block_control();
      case item_type::keyword_break:
        return loop_control("{{break}}");
      case item_type::keyword_continue:
        return loop_control("{{continue}}");
      case item_type::keyword_else:
        return else_control();
      case item_type::keyword_end:
        expect(item_type::right_delim, "end");
        return {node_kind::end};
      case item_type::keyword_if:
        return parse_control("if");
      case item_type::keyword_range:
        return parse_control("range");
      case item_type::keyword_template:
        return template_control();
      case item_type::keyword_with:
        return parse_control("with");
      default:
        break;
    }
    backup();
    peek();
    pipeline("command", item_type::right_delim);
    return {node_kind::action};
  }

  node loop_control(std::string_view keyword) {
    const item& token = next_non_space();
    if (token.type != item_type::right_delim) unexpected(token, keyword);
    if (range_depth_ == 0) errorf(std::string(keyword) + " outside {{range}}");
    return {node_kind::control};
  }

  node else_control() {
    // `{{else if …}}` leaves the `if` pending for the enclosing if's parse_control.
    if (peek_non_space().type == item_type::keyword_if) return {node_kind::else_};
    expect(item_type::right_delim, "else");
    return {node_kind::else_};
  }

  node parse_control(std::string_view context) {
    enter("max expression depth exceeded");
    const std::size_t vars_before = vars_.size();
    pipeline(context, item_type::right_delim);
    if (context == "range") ++range_depth_;
    node next_node = item_list();
    if (context == "range") --range_depth_;
    if (next_node.kind == node_kind::else_) {
      // Go 1.19 knows `else if` only; `{{else with …}}` came in Go 1.23.
      if (context == "if" && peek().type == item_type::keyword_if) {
        next();
        parse_control("if");
      } else {
        next_node = item_list();
        if (next_node.kind != node_kind::end) {
          errorf("expected end; found " + next_node.describe());
        }
      }
    }
    vars_.resize(vars_before);
    leave();
    return {node_kind::control};
  }

  std::string template_name(const item& token, std::string_view context) {
    if (token.type != item_type::string && token.type != item_type::raw_string) {
      unexpected(token, context);
    }
    auto name = go_text::unquote(token.value);
    if (!name) errorf_at(token, "invalid syntax");
    return std::move(*name);
  }

  node block_control() {
    constexpr std::string_view context = "block clause";
    std::string name = template_name(next_non_space(), context);
    pipeline(context, item_type::right_delim);
    enter("max expression depth exceeded");
    tree_parser block(shared_, std::move(name), depth_);
    const node end = block.item_list();
    // Reported by the enclosing tree, so with its current line, as Go does.
    if (end.kind != node_kind::end) errorf("unexpected " + end.describe() + " in block clause");
    block.add();
    leave();
    return {node_kind::control};
  }

  node template_control() {
    constexpr std::string_view context = "template clause";
    template_name(next_non_space(), context);
    if (next_non_space().type != item_type::right_delim) {
      backup();
      pipeline(context, item_type::right_delim);
    }
    return {node_kind::control};
  }

  /// declarations? command ('|' command)*, up to `end` (right delimiter or paren).
  void pipeline(std::string_view context, item_type end) {
    peek_non_space();
    std::size_t decls = 0;
    for (bool more_decls = true; more_decls;) {
      more_decls = false;
      if (peek_non_space().type != item_type::variable) break;
      const std::size_t variable = next_index();
      const std::size_t after_variable = peek_index();
      const item& following = peek_non_space();
      if (following.type == item_type::assign || following.type == item_type::declare) {
        next_non_space();
        ++decls;
        vars_.push_back(at(variable).value);
      } else if (following.type == item_type::character && following.value == ",") {
        next_non_space();
        ++decls;
        vars_.push_back(at(variable).value);
        if (context == "range" && decls < 2) {
          switch (peek_non_space().type) {
            case item_type::variable:
            case item_type::right_delim:
            case item_type::right_paren:
              more_decls = true;
              continue;
            default:
              errorf("range can only initialize variables");
          }
        }
        errorf("too many declarations in " + std::string(context));
      } else if (at(after_variable).type == item_type::space) {
        backup3(variable, after_variable);
      } else {
        backup2(variable);
      }
    }
    // Go checks the stages after parsing them all, so a later syntax error wins; only the
    // first offending stage is reported.
    std::size_t stages = 0;
    std::size_t non_executable_stage = 0;
    for (;;) {
      const item& token = next_non_space();
      if (token.type == end) break;
      switch (token.type) {
        case item_type::boolean:
        case item_type::char_constant:
        case item_type::complex_number:
        case item_type::keyword_dot:
        case item_type::field:
        case item_type::identifier:
        case item_type::number:
        case item_type::keyword_nil:
        case item_type::raw_string:
        case item_type::string:
        case item_type::variable:
        case item_type::left_paren:
          backup();
          if (const term_kind first = command();
              stages > 0 && non_executable_stage == 0 && !is_executable(first)) {
            non_executable_stage = stages + 1;
          }
          ++stages;
          break;
        default:
          unexpected(token, context);
      }
    }
    if (stages == 0) errorf("missing value for " + std::string(context));
    if (non_executable_stage != 0) {
      errorf("non executable command in pipeline stage " + std::to_string(non_executable_stage));
    }
  }

  /// Whether a command starting with a term of this kind may follow a `|`.
  static bool is_executable(term_kind first) {
    switch (first) {
      case term_kind::boolean:
      case term_kind::dot:
      case term_kind::nil:
      case term_kind::number:
      case term_kind::string:
        return false;
      default:
        return true;
    }
  }

  /// operand (space operand)*; returns the kind of the first operand.
  term_kind command() {
    peek_non_space();
    term_kind first = term_kind::none;
    for (;;) {
      peek_non_space();
      const term_kind operand_kind = operand();
      if (operand_kind != term_kind::none && first == term_kind::none) first = operand_kind;
      const item& token = next();
      if (token.type == item_type::space) continue;
      if (token.type == item_type::right_delim || token.type == item_type::right_paren) {
        backup();
      } else if (token.type != item_type::pipe) {
        unexpected(token, "operand");
      }
      break;
    }
    if (first == term_kind::none) errorf("empty command");
    return first;
  }

  term_kind operand() {
    const term t = parse_term();
    if (t.kind == term_kind::none || peek().type != item_type::field) return t.kind;
    while (peek().type == item_type::field)
      next();
    switch (t.kind) {
      case term_kind::field:
      case term_kind::variable:
        return t.kind;
      case term_kind::boolean:
      case term_kind::string:
      case term_kind::number:
      case term_kind::nil:
      case term_kind::dot:
        errorf("unexpected . after term " + go_text::quote(t.text));
      default:
        return term_kind::other;
    }
  }

  term parse_term() {
    const item& token = next_non_space();
    switch (token.type) {
      case item_type::identifier:
        if (!is_template_function(token.value, shared_.prof)) {
          errorf_at(token, "function " + go_text::quote(token.value) + " not defined");
        }
        return {term_kind::identifier, token.value};
      case item_type::keyword_dot:
        return {term_kind::dot, "."};
      case item_type::keyword_nil:
        return {term_kind::nil, "nil"};
      case item_type::variable:
        use_variable(token);
        return {term_kind::variable, token.value};
      case item_type::field:
        return {term_kind::field, token.value};
      case item_type::boolean:
        return {term_kind::boolean, token.value};
      case item_type::char_constant:
        check_char_constant(token);
        return {term_kind::number, token.value};
      case item_type::complex_number:
      case item_type::number:
        if (auto err =
                detail::go_number_error(token.value, token.type == item_type::complex_number)) {
          errorf_at(token, std::move(*err));
        }
        return {term_kind::number, token.value};
      case item_type::left_paren:
        enter("max expression depth exceeded");
        pipeline("parenthesized pipeline", item_type::right_paren);
        leave();
        return {term_kind::other, ""};
      case item_type::string:
      case item_type::raw_string:
        if (!go_text::unquote(token.value)) errorf_at(token, "invalid syntax");
        return {term_kind::string, token.value};
      default:
        backup();
        return {};
    }
  }

  void check_char_constant(const item& token) {
    const std::string_view text = token.value;
    auto c = go_text::unquote_char(text.substr(1), text[0]);
    if (!c) errorf_at(token, "invalid syntax");
    if (c->tail != "'") {
      errorf_at(token, "malformed character constant: " + std::string(token.value));
    }
  }

  void use_variable(const item& token) {
    for (const auto& v : vars_) {
      if (v == token.value) return;
    }
    errorf_at(token, "undefined variable " + go_text::quote(token.value));
  }

  shared_state& shared_;
  std::string name_;
  int depth_;
  std::array<std::size_t, 3> token_{};
  int peek_count_ = 0;
  std::vector<std::string_view> vars_{"$"};  // views of the items
  int range_depth_ = 0;
  int action_line_ = 0;
  bool non_empty_ = false;
};

/// The parser state alert_header leaves behind, computed once: every template resumes from
/// it instead of lexing and parsing the same four declarations again. The variables view
/// alert_header itself, a constant. The header ends in text state on line 1 and uses no
/// function, so neither the lexer nor the profile makes a difference.
const tree_parser::resume_point& after_alert_header() {
  static const tree_parser::resume_point point = [] {
    static const profile any_profile{};
    shared_state header{"", any_profile, detail::lex(alert_header), 0, {}};
    tree_parser parser(header, "", 0);
    parser.parse_top_level();
    return parser.state();
  }();
  return point;
}

/// 1-based column (in code points) of byte `pos` of `text`.
int column_of(std::string_view text, std::size_t pos) {
  pos = std::min(pos, text.size());
  const auto newline = text.substr(0, pos).rfind('\n');
  std::size_t i = newline == std::string_view::npos ? 0 : newline + 1;
  int column = 1;
  while (i < pos) {
    i += std::max<std::size_t>(1, core::decode_rune(text.substr(i)).width);
    ++column;
  }
  return column;
}

}  // namespace

std::optional<template_error> check_template(std::string_view name, std::string_view text,
                                             const profile& p) {
  shared_state shared{name, p, detail::lex(text, alert_header.size()), 0, {}};
  try {
    tree_parser top(shared, std::string(name), 0);
    top.resume(after_alert_header());
    top.parse_top_level();
  } catch (parse_failure& failure) {
    const item& at = shared.items[failure.token_index];
    const item& subject = shared.items[failure.subject_index];
    // The line is Go's; the column points at the item the message is about when that
    // item is on the reported line.
    const item& where = subject.line == at.line ? subject : at;
    const std::size_t pos = where.pos >= alert_header.size() ? where.pos - alert_header.size() : 0;
    return template_error{at.line, column_of(text, pos), std::move(failure.message)};
  } catch (const std::bad_alloc&) {
    return template_error{1, 1, "template too large to check"};
  }
  return std::nullopt;
}

std::string to_promtool_message(std::string_view name, const template_error& error) {
  return "template: " + std::string(name) + ":" + std::to_string(error.line) + ": " + error.message;
}

}  // namespace promwatch::validate::gotemplate
