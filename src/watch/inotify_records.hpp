#pragma once
#include <cstddef>
#include <cstdint>
#include <map>
#include <span>
#include <string>
#include <unordered_map>
#include <vector>

#include "watch/event.hpp"

namespace promwatch::watch {

/// What one buffer of `struct inotify_event` records means: the events to report and the
/// bookkeeping the watcher must do. Pure: no syscalls, so it is tested with built buffers.
struct inotify_batch {
  std::vector<event> events;
  /// Real subdirectories that appeared (created or moved in); watch them when recursive.
  std::vector<std::string> dirs_added;
  /// Subdirectories that went away (deleted or moved out); drop their watches and those of
  /// everything below them.
  std::vector<std::string> dirs_gone;
  /// Watches whose directory itself was deleted or moved (IN_DELETE_SELF, IN_MOVE_SELF).
  std::vector<int> self_gone;
  /// Watches the kernel has dropped (IN_IGNORED): forget the descriptor.
  std::vector<int> ignored;
  /// Per path, after the last record about it: true when it was written (IN_MODIFY) but not
  /// closed since (no IN_CLOSE_WRITE), so a writer may still be half-way; false once closed,
  /// deleted or moved away.
  std::map<std::string, bool> open_for_writing;
};

/// Decodes `bytes` (the result of one read() on an inotify fd) using `dirs` (watch
/// descriptor -> watched directory path). Records for unknown descriptors (already removed)
/// are skipped; names starting with `..` are ignored except `..data` arriving, which is a
/// `commit`. Adjacent duplicates (IN_MODIFY then IN_CLOSE_WRITE) are reported once. A
/// truncated trailing record, which the kernel never produces, yields a `watch_error`.
inotify_batch parse_inotify_records(std::span<const std::byte> bytes,
                                    const std::unordered_map<int, std::string>& dirs);

/// The mask added for every watched directory: directory events only, never the file inodes.
std::uint32_t inotify_watch_mask();

}  // namespace promwatch::watch
