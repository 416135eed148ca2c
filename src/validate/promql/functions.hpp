#pragma once
#include <optional>
#include <string_view>
#include <vector>

#include "validate/profile.hpp"
#include "validate/promql/ast.hpp"

namespace promwatch::validate::promql {

/// A PromQL function signature. `variadic` is 0 for a fixed arity, n > 0 for up to n
/// optional trailing arguments of the last type, and -1 for unbounded repetition.
struct function {
  std::string_view name;
  std::vector<value_type> arg_types;
  int variadic = 0;
  value_type return_type = value_type::vector;
  /// The first version whose functions.go has it, and the first without it (removed).
  prometheus_version since{2, 42};
  std::optional<prometheus_version> removed_in{};
  /// Needs --enable-feature=promql-experimental-functions from `since` until `stable_in`.
  bool experimental = false;
  std::optional<prometheus_version> stable_in{};
  /// What replaced a removed function, for the message ("double_exponential_smoothing").
  std::string_view replacement{};

  bool exists_in(prometheus_version v) const {
    return since <= v && (!removed_in || v < *removed_in);
  }
  bool experimental_in(prometheus_version v) const {
    return experimental && (!stable_in || v < *stable_in);
  }
};

/// The function named exactly `name` (case-sensitive) in Prometheus `version` (default 2.42),
/// or nullptr.
const function* find_function(std::string_view name, prometheus_version version = {});
/// The function named `name` in any known version (for messages: added in, removed in).
const function* find_function_any_version(std::string_view name);

}  // namespace promwatch::validate::promql
