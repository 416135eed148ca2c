#pragma once
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace promwatch::watch {

/// Why the pipeline should look at the files again.
enum class change_reason {
  initial,   ///< first look at startup
  events,    ///< files changed
  overflow,  ///< events were lost or a watch failed: anything may have changed
  resync,    ///< periodic safety net
};

std::string_view to_string(change_reason reason);

/// A coalesced "look again" signal. The consumer re-snapshots and compares content, so the
/// paths are for logs only.
struct change {
  change_reason reason = change_reason::events;
  /// Distinct paths in arrival order, at most `max_change_paths`.
  std::vector<std::string> paths;
  /// Distinct paths seen; exact while under the cap, beyond it an upper bound (a path that
  /// did not fit is counted each time it is seen again).
  std::size_t path_count = 0;
  /// The consumer must not trust `paths` to be complete.
  bool full_rescan = false;
};

inline constexpr std::size_t max_change_paths = 32;

/// Adds `path` to `c` unless already there; keeps `path_count` exact while under the cap.
void add_path(change& c, std::string_view path);

/// Combines a change still waiting for the consumer with a newer one: the stronger reason
/// wins (overflow > initial > events > resync), paths are merged, full_rescan is or-ed.
change merge(change older, const change& newer);

}  // namespace promwatch::watch
