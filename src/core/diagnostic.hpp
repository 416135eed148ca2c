#pragma once
#include <string>
#include <vector>

namespace promwatch::core {

/// One problem found in a file, positioned for a human: `file:line:col: message`.
/// `line` and `column` are 1-based; 0 means "unknown" and is left out when formatting.
struct diagnostic {
  std::string file;
  int line = 0;
  int column = 0;
  std::string message;

  friend bool operator==(const diagnostic&, const diagnostic&) = default;
};

/// `file:line:col: message`, dropping the parts that are unknown.
std::string format(const diagnostic& d);

using diagnostics = std::vector<diagnostic>;

}  // namespace promwatch::core
