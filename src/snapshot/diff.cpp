#include "snapshot/diff.hpp"

#include "core/sha256.hpp"

namespace promwatch::snapshot {

change_set diff(const snapshot& before, const snapshot& after) {
  change_set out;
  auto b = before.files.begin();
  auto a = after.files.begin();
  // Both maps are ordered by path: one merge pass.
  while (b != before.files.end() || a != after.files.end()) {
    if (a == after.files.end() || (b != before.files.end() && b->first < a->first)) {
      out.removed.push_back(b->first);
      ++b;
    } else if (b == before.files.end() || a->first < b->first) {
      out.added.push_back(a->first);
      ++a;
    } else {
      const auto& x = b->second;
      const auto& y = a->second;
      if (x.kind != y.kind || x.sha256 != y.sha256 || x.read_error != y.read_error) {
        out.modified.push_back(a->first);
      }
      ++a;
      ++b;
    }
  }
  return out;
}

std::string reload_fingerprint(const snapshot& snap) {
  core::sha256 h;
  for (const auto& [path, entry] : snap.files) {
    if (!core::needs_reload(entry.kind)) continue;
    h.update(path);
    h.update(std::string_view("\0", 1));
    h.update(core::to_string(entry.kind));
    h.update(std::string_view("\0", 1));
    h.update(entry.sha256.empty() ? std::string_view("unreadable")
                                  : std::string_view(entry.sha256));
    h.update("\n");
  }
  return core::sha256::to_hex(h.finish());
}

}  // namespace promwatch::snapshot
