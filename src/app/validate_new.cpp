#include "app/sync_state.hpp"
#include "validate/validate.hpp"

namespace promwatch::app {

validation_results validate_new(const snapshot::snapshot& snap,
                                const std::set<validation_key>& known) {
  validation_results out;
  for (const auto& [path, entry] : snap.files) {
    if (entry.kind == core::file_kind::other) continue;
    const auto key = key_of(path, entry);
    if (known.contains(key) || out.contains(key)) continue;
    if (!entry.read_error.empty()) {
      out[key] = {core::diagnostic{path, 1, 1, "cannot read file: " + entry.read_error}};
      continue;
    }
    out[key] = validate::check(entry.kind, path, entry.content).errors;
  }
  return out;
}

}  // namespace promwatch::app
