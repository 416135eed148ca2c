#pragma once
#include <functional>
#include <string>
#include <utility>
#include <vector>

namespace promwatch::snapshot {

/// What a glob expansion sees of the filesystem. Injectable so the error paths (a
/// directory that cannot be listed, a match that cannot be examined) are tested with plain
/// calls; `real_filesystem()` is the one the snapshot uses.
struct filesystem_view {
  enum class node_type { missing, regular, directory, other };
  struct node {
    node_type type = node_type::missing;
    int error = 0;  ///< errno when the path exists but cannot be examined (EACCES, ELOOP)
  };
  struct listing {
    std::vector<std::string> names;  ///< entry names, `.` and `..` excluded
    int error = 0;                   ///< errno when the directory cannot be listed
  };
  /// Follows symlinks. ENOENT and ENOTDIR are `missing` with `error` 0.
  std::function<node(const std::string& path)> examine;
  /// ENOENT and ENOTDIR are an empty listing with `error` 0.
  std::function<listing(const std::string& dir)> list;
};

/// The real filesystem (stat(2), opendir(3)). Blocking I/O.
filesystem_view real_filesystem();

/// What an absolute glob pattern matches, as Go's `filepath.Glob` (which Prometheus uses)
/// would find it: `*`, `?`, `[...]` and `\` escapes within one path element, a wildcard
/// matches a leading dot, no `**`. Unlike Go, nothing the expansion cannot look at is
/// ignored: a directory the pattern must list but cannot (mode 000, EIO), or a match that
/// cannot be examined (an unreadable parent, a symlink loop), is reported in `unreadable`,
/// because the files Prometheus would load from there are unknown.
struct glob_matches {
  std::vector<std::string> files;  ///< regular files (through symlinks), sorted, unique
  /// Paths that could not be examined, with the reason (strerror), sorted.
  std::vector<std::pair<std::string, std::string>> unreadable;
};
glob_matches expand_glob(const std::string& absolute_pattern, const filesystem_view& fs);

}  // namespace promwatch::snapshot
