#pragma once
#include <optional>
#include <string>
#include <string_view>

#include "validate/profile.hpp"

namespace promwatch::validate::promql {

/// Where and why an expression is invalid. `line` and `column` are 1-based positions inside
/// the expression text, as in Prometheus' "1:7: parse error: unexpected end of input".
struct parse_error {
  int line = 1;
  int column = 1;
  std::string message;
  /// The finding only means "this promwatch does not know it" (an unknown function name on a
  /// target newer than newest_known_version): callers report it as a warning, not an error.
  bool unknown_to_promwatch = false;
};

/// Parses and type-checks a PromQL expression as the Prometheus of `prof` does (the default
/// profile is 2.42). Never throws; nesting beyond a fixed depth is reported as an error rather
/// than recursing without bound.
std::optional<parse_error> check_expression(std::string_view expr, const profile& prof = {});

}  // namespace promwatch::validate::promql
