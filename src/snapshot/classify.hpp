#pragma once
#include <string_view>

#include "core/file_kind.hpp"

namespace promwatch::snapshot {

/// The kind of a file the main config does not reference, guessed from its content: used
/// only when there is no readable config to say. A YAML mapping with `groups` is a rule
/// file; a sequence of mappings with `targets` is a file_sd file; anything else is `other`.
core::file_kind classify_by_content(std::string_view path, std::string_view content);

}  // namespace promwatch::snapshot
