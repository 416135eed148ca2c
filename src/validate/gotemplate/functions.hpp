#pragma once
#include <string_view>

#include "validate/profile.hpp"

namespace promwatch::validate::gotemplate {

/// True when an alert template may call `name` under `p`: a Go text/template builtin, or a
/// function of the template.NewTemplateExpander function map of Prometheus `p.version`
/// (2.42 as shipped in the promtool this project is checked against, which includes
/// stripPort, stripDomain and toTime; `now` and `toDuration` since 3.6; `urlQueryEscape`
/// since 3.8). When the target's `/api/v1/features` lists `templating_functions`, that list
/// decides for Prometheus' own functions; the builtins are Go's and always there.
bool is_template_function(std::string_view name, const profile& p = {});

}  // namespace promwatch::validate::gotemplate
