#pragma once
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "validate/promql/lexer.hpp"
#include "validate/promql/parser.hpp"

namespace promwatch::validate::promql {

/// PromQL value types; `none` only for malformed trees.
enum class value_type { none, scalar, vector, matrix, string };

/// "instant vector", "range vector", "scalar", "string": the wording of Prometheus' messages.
std::string_view documented_name(value_type t);
/// "vector", "matrix", "scalar", "string", "none": Prometheus' internal names.
std::string_view internal_name(value_type t);

struct function;  // see functions.hpp

enum class match_type { equal, not_equal, regexp, not_regexp };

struct label_matcher {
  match_type type = match_type::equal;
  std::string name;
  std::string value;
  /// Whether the matcher accepts the empty string (a selector needs one that does not).
  bool matches_empty = false;
};

enum class node_kind {
  aggregate,
  binary,
  call,
  matrix_selector,
  subquery,
  number_literal,
  paren,
  string_literal,
  unary,
  vector_selector,
};

enum class cardinality { one_to_one, many_to_one, one_to_many, many_to_many };

struct node;
using node_ptr = std::unique_ptr<node>;

/// One PromQL expression node. A single struct with per-kind fields keeps the tree simple to
/// build and walk; fields not used by a kind stay default.
struct node {
  node_kind kind = node_kind::number_literal;
  std::size_t start = 0;  ///< byte offset of the first character
  std::size_t end = 0;    ///< byte offset one past the node, as Prometheus computes it
  int height = 1;         ///< nesting depth of the subtree, bounded by the parser

  token_kind op = token_kind::eof;  ///< aggregate, binary and unary operator
  node_ptr lhs;                     ///< binary left operand
  node_ptr rhs;                     ///< binary right operand
  node_ptr expr;                    ///< aggregate/paren/unary/subquery/matrix operand
  node_ptr param;                   ///< aggregate parameter (topk, quantile, …)
  std::vector<node_ptr> args;       ///< call arguments
  const function* func = nullptr;   ///< call target

  // aggregate
  std::vector<std::string> grouping;
  bool without = false;

  // binary
  bool return_bool = false;
  cardinality card = cardinality::one_to_one;
  bool on = false;
  std::vector<std::string> matching_labels;
  std::vector<std::string> include_labels;

  // selectors and subqueries
  std::string name;
  std::vector<std::optional<label_matcher>> matchers;  ///< nullopt for a rejected matcher
  std::int64_t range_ms = 0;
  std::int64_t step_ms = 0;
  std::int64_t offset_ms = 0;
  bool has_offset_expr = false;  ///< offset given as a duration expression (3.4+)
  std::optional<std::int64_t> timestamp_ms;
  token_kind start_or_end = token_kind::eof;

  bool anchored = false;  ///< 3.7 extended range selectors
  bool smoothed = false;
  /// info()'s second argument skips the "one non-empty matcher" rule (set by the checker).
  mutable bool bypass_empty_matcher = false;
  /// fill(), fill_left(), fill_right() binop modifiers (3.10).
  bool has_fill = false;
  bool fill_disabled = false;

  // literals
  double number = 0;
  std::string text;

  node() = default;
  node(const node&) = delete;
  node& operator=(const node&) = delete;
  /// Iterative: a tree as tall as max_tree_height is destroyed without recursing.
  ~node();

  /// The value type, as Prometheus' Expr.Type(); iterative, linear in the subtree.
  value_type type() const;
};

/// A parsed expression: the tree (when syntax allowed building one) and the first error.
struct parse_result {
  node_ptr root;
  std::optional<parse_error> error;
};

/// Deepest syntactic nesting (parentheses, calls, aggregations, unary operators, right
/// operands of '^') accepted. The parser recurses once per level at up to ~7 KiB of stack
/// under ASan, so this keeps a worst-case parse within 2 MiB; real rules stay far below it.
inline constexpr int max_nesting_depth = 256;
/// Tallest tree accepted. Left-associative chains (`a or b or …`, common in generated rules)
/// are parsed in a loop and only grow the tree, so they get a higher bound than nesting, as
/// Prometheus accepts them; the passes over the tree (check, type, destruction) are iterative.
inline constexpr int max_tree_height = 10000;

/// Parses and type-checks `expr` as the parser.ParseExpr of the profile's Prometheus (its
/// version and parser options; the default profile is 2.42). Never throws.
parse_result parse(std::string_view expr, const profile& prof = {});

}  // namespace promwatch::validate::promql
