#pragma once
#include <cstddef>
#include <string>
#include <string_view>

namespace promwatch::watch {

/// What a backend saw happen. Events are hints: the pipeline decides on content, so a
/// backend may report too much (duplicates, attribute changes) but must never stay silent
/// about a change; when it cannot know what changed it reports `overflow` or `watch_error`.
enum class event_kind {
  created,      ///< a file or directory appeared
  modified,     ///< content written (or, for poll, any change of mtime/size/inode)
  removed,      ///< a file or directory disappeared, including a watched directory itself
  moved,        ///< renamed from or to this path
  attrib,       ///< metadata changed (mode, owner, timestamps)
  overflow,     ///< the kernel dropped events: only a full rescan is safe
  watch_error,  ///< a watch could not be kept or added: only a full rescan is safe
  commit,       ///< a Kubernetes `..data` symlink was swapped in: the update is complete
};

/// Number of event kinds, for arrays indexed by kind.
inline constexpr std::size_t event_kind_count = 8;

/// Lower-case name, as used in logs and the `kind` label of `reloader_watch_events_total`.
std::string_view to_string(event_kind kind);

/// One change at one path. `path` is the watched directory joined with the entry's name;
/// it is empty for `overflow`.
struct event {
  std::string path;
  event_kind kind;

  friend bool operator==(const event&, const event&) = default;
};

/// True for Kubernetes' atomic-writer internals (`..data`, `..data_tmp`, `..2024_…`): any
/// name starting with `..` except `..` itself. They are not user files.
bool is_internal_name(std::string_view name);

/// The name of the symlink whose rename commits a Kubernetes volume update.
inline constexpr std::string_view commit_link_name = "..data";

}  // namespace promwatch::watch
