#pragma once
#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "watch/event.hpp"

namespace promwatch::watch {

/// What the poll backend remembers about one path. Symlinks are followed, so a visible
/// Kubernetes `rules.yml -> ..data/rules.yml` changes when `..data` is swapped.
struct entry_state {
  enum class type : std::uint8_t { file, directory, dangling_link, other };

  type kind = type::other;
  bool is_link = false;
  std::string link_target;  ///< readlink(), for symlinks
  // Of the followed target. Directories record only their inode: their mtime moves with
  // every entry change, which the entries themselves already report.
  std::int64_t mtime_ns = 0;
  std::uintmax_t size = 0;
  std::uint64_t inode = 0;
  std::uint64_t device = 0;

  friend bool operator==(const entry_state&, const entry_state&) = default;
};

/// Path -> state for every visible entry under the watch dirs, the dirs themselves
/// included; of the `..*` internals only `..data` (its link target) is kept.
using tree_state = std::map<std::string, entry_state>;

struct walk_result {
  tree_state entries;
  std::size_t dirs = 0;  ///< directories walked
};

/// Walks the watch dirs (blocking filesystem I/O: run it off the loop). Missing dirs and
/// entries that vanish mid-walk are simply absent. Symlinked directories are entered once
/// (a loop is not followed); `..*` internals are never entered.
walk_result walk_trees(const std::vector<std::string>& roots, bool recursive);

/// Events that turn `before` into `after`: created, removed, modified, and `commit` for
/// any change of `..data`. Pure.
std::vector<event> diff_trees(const tree_state& before, const tree_state& after);

}  // namespace promwatch::watch
