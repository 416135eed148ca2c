#pragma once
#include <cstdlib>
#include <string_view>

#include "validate/validate.hpp"

namespace promwatch::fuzz {

/// Invariants every validation report keeps, whatever the input: each diagnostic names the
/// file it was given, has a message, and a 1-based position or 0 for unknown parts (a
/// column is never known without its line).
/// A violation aborts, so libFuzzer records the input as a crash.
inline void check_report(std::string_view path, const validate::report& r) {
  for (const auto& d : r.errors) {
    if (d.file != path || d.message.empty() || d.line < 0 || d.column < 0 ||
        (d.line == 0 && d.column != 0)) {
      std::abort();
    }
  }
}

}  // namespace promwatch::fuzz
