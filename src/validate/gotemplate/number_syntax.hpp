#pragma once
#include <optional>
#include <string>
#include <string_view>

// text/template's number literal rules (strconv.ParseInt/ParseUint/ParseFloat and
// fmt.Sscan of complex numbers), so that number errors read as Go prints them. Internal to
// the gotemplate checker.
namespace promwatch::validate::gotemplate::detail {

/// Why text/template's number node constructor rejects `text`, or nullopt when it
/// accepts it (e.g. `illegal number syntax: "-"`, `integer overflow: "089"`).
std::optional<std::string> go_number_error(std::string_view text, bool is_complex);

}  // namespace promwatch::validate::gotemplate::detail
