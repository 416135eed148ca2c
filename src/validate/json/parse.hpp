#pragma once
#include <string_view>

#include "validate/validate.hpp"
#include "validate/yaml/document.hpp"

namespace promwatch::validate::json {

/// Parses `content` as exactly one JSON value with Go encoding/json's grammar: no comments,
/// trailing commas, single quotes, byte order mark, NaN or leading zeros; only whitespace may
/// follow the value; duplicate object keys are allowed (entries are kept in order, and
/// `node::find` gives the last, which is what Go decodes). Invalid UTF-8 and lone surrogates
/// are replaced with U+FFFD as Go does.
///
/// The result is the same tree the YAML loader builds: strings are double-quoted scalars
/// tagged `!!str`, numbers `!!int`/`!!float`, `true`/`false` `!!bool`, `null` a null node.
/// Syntax errors carry Go's wording (`invalid character ']' looking for beginning of value`)
/// at a 1-based line and column. Enforces `lim.max_file_bytes` and `lim.max_depth`. Never throws.
yaml::document parse(std::string_view path, std::string_view content, const limits& lim = {});

}  // namespace promwatch::validate::json
