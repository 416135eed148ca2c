#include "validate/gotemplate/functions.hpp"

#include <algorithm>
#include <array>

namespace promwatch::validate::gotemplate {
namespace {

// Sorted for binary search. Go 1.19 text/template builtins (funcs.go builtins()).
constexpr std::array<std::string_view, 19> builtins = {
    "and", "call", "eq",  "ge", "gt",    "html",   "index",   "js",    "le",       "len",
    "lt",  "ne",   "not", "or", "print", "printf", "println", "slice", "urlquery",
};

// Prometheus 2.42's template.NewTemplateExpander function map, sorted. Verified one by one
// against `promtool check rules` 2.42.0; unchanged up to 3.5 (template/template.go).
constexpr std::array<std::string_view, 26> prometheus_functions = {
    "args",
    "externalURL",
    "first",
    "graphLink",
    "humanize",
    "humanize1024",
    "humanizeDuration",
    "humanizePercentage",
    "humanizeTimestamp",
    "label",
    "match",
    "parseDuration",
    "pathPrefix",
    "query",
    "reReplaceAll",
    "safeHtml",
    "sortByLabel",
    "stripDomain",
    "stripPort",
    "strvalue",
    "tableLink",
    "title",
    "toLower",
    "toTime",
    "toUpper",
    "value",
};

static_assert(std::is_sorted(builtins.begin(), builtins.end()));
static_assert(std::is_sorted(prometheus_functions.begin(), prometheus_functions.end()));

struct added_function {
  std::string_view name;
  prometheus_version since;
};

// Functions added to the map after 2.42, with the first release holding them.
constexpr std::array<added_function, 3> added_functions = {{
    {"now", {3, 6}},
    {"toDuration", {3, 6}},
    {"urlQueryEscape", {3, 8}},
}};

bool in_version_table(std::string_view name, const profile& p) {
  if (std::binary_search(prometheus_functions.begin(), prometheus_functions.end(), name)) {
    return true;
  }
  return std::any_of(added_functions.begin(), added_functions.end(),
                     [&](const auto& f) { return f.name == name && p.version >= f.since; });
}

}  // namespace

bool is_template_function(std::string_view name, const profile& p) {
  if (std::binary_search(builtins.begin(), builtins.end(), name)) return true;
  if (auto listed = p.feature_api("templating_functions", name)) return *listed;
  return in_version_table(name, p);
}

}  // namespace promwatch::validate::gotemplate
