#pragma once
#include <optional>
#include <string_view>

#include "core/diagnostic.hpp"

namespace promwatch::validate::yaml {

/// Which Go YAML reader's scanner to imitate. Both are libyaml ports with the same tab rules;
/// yaml.v3 also reads two tokens past the end of the first document (its comment handling
/// needs that lookahead) and lets blank and comment lines that follow a comment hold tabs.
enum class go_reader { v2, v3 };

/// The scanner errors of Go's YAML readers that yaml-cpp does not raise (found by running
/// promtool on inputs, see tests/unit/validate/yaml/go_scanner_test.cpp):
/// * a tab in the leading whitespace of a line in block context, where libyaml only eats
///   spaces (`found character that cannot start any token`; inside a block scalar
///   `found a tab character where an indentation space is expected`);
/// * yaml.v3 only: the same, or an unterminated quoted scalar (`found unexpected end of
///   stream`), among the first tokens of the document after the first one.
/// Conservative by design: when a line's context is unclear (flow collections, quoted and
/// block scalars, plain scalars continued on more deeply indented lines) it reports nothing,
/// so it never rejects what Go accepts. Byte order marks must already be removed.
std::optional<core::diagnostic> find_go_scanner_error(std::string_view path,
                                                      std::string_view content, go_reader reader);

}  // namespace promwatch::validate::yaml
