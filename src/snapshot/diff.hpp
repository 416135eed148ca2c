#pragma once
#include <string>
#include <vector>

#include "snapshot/snapshot.hpp"

namespace promwatch::snapshot {

/// How two snapshots differ, by logical path. A file whose bytes and kind are unchanged is
/// not in any list, whatever happened to its inode, mtime or mode.
struct change_set {
  std::vector<std::string> added;
  std::vector<std::string> modified;
  std::vector<std::string> removed;

  bool empty() const { return added.empty() && modified.empty() && removed.empty(); }
  std::size_t size() const { return added.size() + modified.size() + removed.size(); }
};

change_set diff(const snapshot& before, const snapshot& after);

/// SHA-256 over the paths, kinds and hashes of the files Prometheus only reads on a reload
/// (config, rules, scrape_config). Equal fingerprints mean a reload would change nothing.
std::string reload_fingerprint(const snapshot& snap);

}  // namespace promwatch::snapshot
