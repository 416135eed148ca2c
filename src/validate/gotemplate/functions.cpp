#include "validate/gotemplate/functions.hpp"

#include <algorithm>
#include <array>

namespace promwatch::validate::gotemplate {
namespace {

// Sorted for binary search. Verified one by one against `promtool check rules` 2.42.0.
constexpr std::array<std::string_view, 45> functions = {
    "and",
    "args",
    "call",
    "eq",
    "externalURL",
    "first",
    "ge",
    "graphLink",
    "gt",
    "html",
    "humanize",
    "humanize1024",
    "humanizeDuration",
    "humanizePercentage",
    "humanizeTimestamp",
    "index",
    "js",
    "label",
    "le",
    "len",
    "lt",
    "match",
    "ne",
    "not",
    "or",
    "parseDuration",
    "pathPrefix",
    "print",
    "printf",
    "println",
    "query",
    "reReplaceAll",
    "safeHtml",
    "slice",
    "sortByLabel",
    "stripDomain",
    "stripPort",
    "strvalue",
    "tableLink",
    "title",
    "toLower",
    "toTime",
    "toUpper",
    "urlquery",
    "value",
};

static_assert(std::is_sorted(functions.begin(), functions.end()));

}  // namespace

bool is_template_function(std::string_view name) {
  return std::binary_search(functions.begin(), functions.end(), name);
}

}  // namespace promwatch::validate::gotemplate
