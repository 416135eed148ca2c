#include "core/diagnostic.hpp"

namespace promwatch::core {

std::string format(const diagnostic& d) {
  std::string out = d.file;
  if (d.line > 0) {
    out += ':' + std::to_string(d.line);
    if (d.column > 0) out += ':' + std::to_string(d.column);
  }
  if (!out.empty()) out += ": ";
  out += d.message;
  return out;
}

}  // namespace promwatch::core
