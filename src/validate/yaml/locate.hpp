#pragma once
#include <cstddef>
#include <string_view>
#include <vector>

#include "validate/yaml/document.hpp"

namespace promwatch::validate::yaml {

/// Maps positions inside a scalar's value (what a PromQL or template parser saw) back to the
/// source file, undoing quoting, escapes, line folding and block indentation. Builds a line
/// index of `source` on first use; `source` must outlive it and be the text that was loaded
/// (without a byte order mark).
class source_map {
 public:
  explicit source_map(std::string_view source) : source_(source) {}

  /// The file position of 1-based (`line`, `column`) in `scalar.value`. Falls back to the
  /// scalar's own position when the value cannot be aligned with the source.
  mark locate(const node& scalar, int line, int column);

 private:
  std::size_t offset_of(mark m);
  mark mark_of(std::size_t offset);
  mark locate_block(const node& scalar, int line, int column);
  mark locate_flow(const node& scalar, std::size_t value_offset);

  std::string_view source_;
  std::vector<std::size_t> line_starts_;
};

}  // namespace promwatch::validate::yaml
