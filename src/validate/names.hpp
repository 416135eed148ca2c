#pragma once
#include <string_view>

#include "validate/profile.hpp"

namespace promwatch::validate {

/// Prometheus 2.42 label name rule (model.LabelName.IsValid): `[a-zA-Z_][a-zA-Z0-9_]*`.
/// UTF-8 names only became valid in 3.x.
bool is_valid_label_name(std::string_view name);

/// Prometheus 2.42 metric name rule (model.IsValidMetricName): `[a-zA-Z_:][a-zA-Z0-9_:]*`.
bool is_valid_metric_name(std::string_view name);

/// Label values must be valid UTF-8 (model.LabelValue.IsValid).
bool is_valid_utf8(std::string_view text);

/// model.ValidationScheme.IsValidLabelName: the legacy rule above, or under utf8 any
/// non-empty valid UTF-8.
bool is_valid_label_name(std::string_view name, name_scheme scheme);

/// model.ValidationScheme.IsValidMetricName: the legacy rule above, or under utf8 any
/// non-empty valid UTF-8.
bool is_valid_metric_name(std::string_view name, name_scheme scheme);

}  // namespace promwatch::validate
