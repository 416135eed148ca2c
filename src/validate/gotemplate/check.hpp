#pragma once
#include <optional>
#include <string>
#include <string_view>

namespace promwatch::validate::gotemplate {

/// A Go text/template problem, positioned inside the template text (1-based).
struct template_error {
  int line = 1;
  int column = 1;
  std::string message;  // e.g. `undefined variable "$label"`, `function "humanise" not defined`
};

/// Checks `text` the way Prometheus parses alert label and annotation templates: Go
/// text/template syntax, Prometheus' template functions, and the variables Prometheus
/// defines ($labels, $value, $externalLabels, $externalURL). `name` is the template's name
/// as promtool reports it (e.g. `__alert_InstanceDown`). Never throws; bounded nesting.
std::optional<template_error> check_template(std::string_view name, std::string_view text);

}  // namespace promwatch::validate::gotemplate
