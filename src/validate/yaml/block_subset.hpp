#pragma once
#include <string>
#include <string_view>

#include <yaml-cpp/eventhandler.h>

namespace promwatch::validate::yaml {

/// A handler that takes the text of a scalar over instead of copying it: yaml-cpp's
/// interface passes scalars by const reference, which costs a copy of every one.
/// parse_block_subset hands this kind of handler each scalar with OnScalarText.
class scalar_taking_handler : public YAML::EventHandler {
 public:
  virtual void OnScalarText(const YAML::Mark& mark, const std::string& tag, YAML::anchor_t anchor,
                            std::string&& value) = 0;
};

/// A fast parser for the block YAML that rule files are written in: block mappings and
/// sequences, plain, single- and double-quoted scalars, literal and folded block scalars,
/// comments, and an optional `---` on the first line.
///
/// When `source` lies in that subset, delivers to `handler` exactly the events, with the same
/// marks, tags and values, that yaml-cpp 0.7's `YAML::Parser::HandleNextDocument` delivers for
/// its first document, and returns true. Anything else — anchors, aliases, tags, flow
/// collections, directives, more than one document, explicit keys, tabs, carriage returns,
/// other control bytes, an empty document, or any input yaml-cpp would reject — returns false,
/// possibly after some events were delivered: the caller must discard them and use yaml-cpp.
/// Exceptions thrown by `handler` propagate. `source` must not start with a byte order mark.
bool parse_block_subset(std::string_view source, YAML::EventHandler& handler);

}  // namespace promwatch::validate::yaml
