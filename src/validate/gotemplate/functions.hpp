#pragma once
#include <string_view>

namespace promwatch::validate::gotemplate {

/// True when an alert template may call `name`: a Go 1.19 text/template builtin or a
/// function of Prometheus 2.42's template.NewTemplateExpander function map (as shipped in
/// the promtool this project is checked against, which includes stripPort, stripDomain
/// and toTime).
bool is_template_function(std::string_view name);

}  // namespace promwatch::validate::gotemplate
