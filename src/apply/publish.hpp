#pragma once
#include <cstddef>
#include <filesystem>
#include <string>

#include "core/error.hpp"
#include "snapshot/snapshot.hpp"

namespace promwatch::apply {

/// What one publish did.
struct publish_report {
  std::size_t files_written = 0;  // 0 when unchanged
  std::size_t bytes_written = 0;
  std::string data_dir;    // the `..<timestamp>` dir behind `..data` now (new, or kept)
  bool unchanged = false;  // the published tree already held exactly these bytes
  std::size_t links_created = 0;
  std::size_t links_removed = 0;
};

/// Publishes the validated bytes of `snap` into `output_dir` the way the kubelet's
/// AtomicWriter updates a ConfigMap volume, so Prometheus (reading its config from
/// `output_dir`) only ever sees one complete, validated tree, even across its own restarts:
///  1. every file is written at its path relative to `source_root` (the config file's
///     directory) into a new `output_dir/..<UTC timestamp>/` (each file with its
///     source's permission bits, 0755 dirs, each file and dir fsync'd); the source files are never
///     re-read;
///  2. a symlink `..data_tmp` -> that dir is renamed over `..data` (the atomic switch);
///  3. each top-level name gets a visible symlink `<name>` -> `..data/<name>` (made under a
///     temporary name and renamed, so it is atomic too); visible links of names no longer
///     in the tree are removed. The previous data dir is kept until the next publish, so a
///     reader that resolved `..data` just before the switch still finds whole files;
///     older data dirs are removed.
/// `output_dir` is created if missing. When the current tree already holds exactly these
/// bytes nothing is written (`unchanged`), though missing visible links are restored.
///
/// Errors (values, never exceptions for filesystem failures): a file outside `source_root`
/// (by its path, or by where its symlinks resolve) or unreadable in the snapshot, an entry of the
/// output dir that promwatch did not create standing where one of its names must go (nothing is
/// changed then), and I/O failures, each naming the path. A failure before step 2 leaves the
/// published tree as it was; a later one leaves the new tree published and is repaired by the next
/// call.
///
/// Blocking I/O: run it off the event loop. Not safe to call concurrently for one output_dir
/// (the app's single-flight apply guarantees one at a time).
core::result<publish_report> publish_atomically(const snapshot::snapshot& snap,
                                                const std::filesystem::path& source_root,
                                                const std::filesystem::path& output_dir);

}  // namespace promwatch::apply
