#pragma once
#include <string_view>
#include <vector>

#include "validate/promql/ast.hpp"

namespace promwatch::validate::promql {

/// A PromQL function signature. `variadic` is 0 for a fixed arity, n > 0 for up to n
/// optional trailing arguments of the last type, and -1 for unbounded repetition.
struct function {
  std::string_view name;
  std::vector<value_type> arg_types;
  int variadic = 0;
  value_type return_type = value_type::vector;
};

/// The function named exactly `name` (case-sensitive) in Prometheus 2.42, or nullptr.
const function* find_function(std::string_view name);

}  // namespace promwatch::validate::promql
