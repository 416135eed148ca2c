#pragma once
#include <optional>
#include <string>
#include <string_view>

#include "validate/profile.hpp"

namespace promwatch::validate::gotemplate {

/// A Go text/template problem, positioned inside the template text (1-based).
/// `line` is the line Go itself reports (the line of the last item the parser read);
/// `column` is the start of that item, which Go does not print but editors can use.
struct template_error {
  int line = 1;
  int column = 1;
  std::string message;  // e.g. `undefined variable "$label"`, `function "humanise" not defined`
};

/// Checks `text` the way Prometheus parses alert label and annotation templates: Go
/// text/template syntax (Go 1.19, as promtool 2.42 was built with), Prometheus' template
/// functions, and the variables Prometheus defines ($labels, $value, $externalLabels,
/// $externalURL). `name` is the template's name as promtool reports it (e.g.
/// `__alert_InstanceDown`); it appears inside a few messages (`… started at NAME:1`).
/// Returns the first error, as Go stops at the first one. Pure: no I/O, never throws;
/// nesting deeper than 1000 levels is reported as an error instead of recursing on.
/// Which functions exist follows `p` (is_template_function); the syntax is the same in
/// every version.
std::optional<template_error> check_template(std::string_view name, std::string_view text,
                                             const profile& p = {});

/// promtool's rendering of an error: `template: NAME:LINE: MESSAGE`. promtool then
/// prefixes `annotation "summary": ` or `label "severity": ` and the rule's location.
std::string to_promtool_message(std::string_view name, const template_error& error);

}  // namespace promwatch::validate::gotemplate
