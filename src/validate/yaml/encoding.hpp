#pragma once
#include <optional>
#include <string_view>

#include "core/diagnostic.hpp"

namespace promwatch::validate::yaml {

/// The checks Go's YAML reader (yaml.v2 and yaml.v3, readerc.go) makes on every character
/// before parsing: well-formed UTF-8 and no control characters other than tab, line feed,
/// carriage return and NEL. yaml-cpp makes neither, so without this a file Prometheus
/// rejects would pass. Returns the first problem with Go's wording at its 1-based line and
/// byte column; `content` must not start with a byte order mark (it is dropped before).
std::optional<core::diagnostic> check_encoding(std::string_view path, std::string_view content);

}  // namespace promwatch::validate::yaml
