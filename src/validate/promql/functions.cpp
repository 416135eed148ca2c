#include "validate/promql/functions.hpp"

#include <algorithm>
#include <array>

namespace promwatch::validate::promql {
namespace {

constexpr auto v = value_type::vector;
constexpr auto m = value_type::matrix;
constexpr auto s = value_type::scalar;
constexpr auto str = value_type::string;

constexpr prometheus_version v3_0{3, 0};

// promql/parser/functions.go of every release from 2.42 to 3.14, sorted by name: each entry
// says since when it exists, whether it is experimental (and since when no longer) and when
// it was removed (prometheus-versions.md §1a).
const std::array<function, 91>& table() {
  static const std::array<function, 91> functions{{
      {"abs", {v}, 0, v},
      {"absent", {v}, 0, v},
      {"absent_over_time", {m}, 0, v},
      {"acos", {v}, 0, v},
      {"acosh", {v}, 0, v},
      {"asin", {v}, 0, v},
      {"asinh", {v}, 0, v},
      {"atan", {v}, 0, v},
      {"atanh", {v}, 0, v},
      {"avg_over_time", {m}, 0, v},
      {"ceil", {v}, 0, v},
      {"changes", {m}, 0, v},
      {"clamp", {v, s, s}, 0, v},
      {"clamp_max", {v, s}, 0, v},
      {"clamp_min", {v, s}, 0, v},
      {"cos", {v}, 0, v},
      {"cosh", {v}, 0, v},
      {"count_over_time", {m}, 0, v},
      {"day_of_month", {v}, 1, v},
      {"day_of_week", {v}, 1, v},
      {"day_of_year", {v}, 1, v},
      {"days_in_month", {v}, 1, v},
      {"deg", {v}, 0, v},
      {"delta", {m}, 0, v},
      {"deriv", {m}, 0, v},
      {"double_exponential_smoothing", {m, s, s}, 0, v, {3, 0}, {}, true},
      {"end", {}, 0, s, {3, 12}, {}, true},
      {"exp", {v}, 0, v},
      {"first_over_time", {m}, 0, v, {3, 7}, {}, true, prometheus_version{3, 14}},
      {"floor", {v}, 0, v},
      {"histogram_avg", {v}, 0, v, {2, 51}},
      {"histogram_count", {v}, 0, v},
      {"histogram_fraction", {s, s, v}, 0, v},
      {"histogram_quantile", {s, v}, 0, v},
      {"histogram_quantiles", {v, str, s, s}, 9, v, {3, 11}, {}, true},
      {"histogram_stddev", {v}, 0, v, {2, 47}},
      {"histogram_stdvar", {v}, 0, v, {2, 47}},
      {"histogram_sum", {v}, 0, v},
      {"holt_winters", {m, s, s}, 0, v, {2, 42}, v3_0, false, {}, "double_exponential_smoothing"},
      {"hour", {v}, 1, v},
      {"idelta", {m}, 0, v},
      {"increase", {m}, 0, v},
      {"info", {v, v}, 1, v, {2, 55}, {}, true},
      {"irate", {m}, 0, v},
      {"label_join", {v, str, str, str}, -1, v},
      {"label_replace", {v, str, str, str, str}, 0, v},
      {"last_over_time", {m}, 0, v},
      {"ln", {v}, 0, v},
      {"log10", {v}, 0, v},
      {"log2", {v}, 0, v},
      {"mad_over_time", {m}, 0, v, {2, 49}, {}, true},
      {"max_of", {s, s}, 0, s, {3, 13}, {}, true},
      {"max_over_time", {m}, 0, v},
      {"min_of", {s, s}, 0, s, {3, 13}, {}, true},
      {"min_over_time", {m}, 0, v},
      {"minute", {v}, 1, v},
      {"month", {v}, 1, v},
      {"pi", {}, 0, s},
      {"predict_linear", {m, s}, 0, v},
      {"present_over_time", {m}, 0, v},
      {"quantile_over_time", {s, m}, 0, v},
      {"rad", {v}, 0, v},
      {"range", {}, 0, s, {3, 12}, {}, true},
      {"rate", {m}, 0, v},
      {"resets", {m}, 0, v},
      {"round", {v, s}, 1, v},
      {"scalar", {v}, 0, s},
      {"sgn", {v}, 0, v},
      {"sin", {v}, 0, v},
      {"sinh", {v}, 0, v},
      {"sort", {v}, 0, v},
      {"sort_by_label", {v, str}, -1, v, {2, 49}, {}, true},
      {"sort_by_label_desc", {v, str}, -1, v, {2, 49}, {}, true},
      {"sort_desc", {v}, 0, v},
      {"sqrt", {v}, 0, v},
      {"start", {}, 0, s, {3, 12}, {}, true},
      {"start_timestamp", {v}, 0, v, {3, 14}, {}, true},
      {"stddev_over_time", {m}, 0, v},
      {"stdvar_over_time", {m}, 0, v},
      {"step", {}, 0, s, {3, 12}, {}, true},
      {"sum_over_time", {m}, 0, v},
      {"tan", {v}, 0, v},
      {"tanh", {v}, 0, v},
      {"time", {}, 0, s},
      {"timestamp", {v}, 0, v},
      {"ts_of_first_over_time", {m}, 0, v, {3, 7}, {}, true},
      {"ts_of_last_over_time", {m}, 0, v, {3, 5}, {}, true},
      {"ts_of_max_over_time", {m}, 0, v, {3, 5}, {}, true},
      {"ts_of_min_over_time", {m}, 0, v, {3, 5}, {}, true},
      {"vector", {s}, 0, v},
      {"year", {v}, 1, v},
  }};
  return functions;
}

}  // namespace

const function* find_function(std::string_view name, prometheus_version version) {
  const function* f = find_function_any_version(name);
  return f != nullptr && f->exists_in(version) ? f : nullptr;
}

const function* find_function_any_version(std::string_view name) {
  const auto& t = table();
  const auto it = std::lower_bound(
      t.begin(), t.end(), name, [](const function& f, std::string_view n) { return f.name < n; });
  return it != t.end() && it->name == name ? &*it : nullptr;
}

}  // namespace promwatch::validate::promql
