#pragma once
#include <cstddef>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "core/file_kind.hpp"
#include "snapshot/config_refs.hpp"

namespace promwatch::snapshot {

/// One file as Prometheus would read it, through any symlinks.
struct file_entry {
  core::file_kind kind = core::file_kind::other;
  std::string sha256;      // of `content`; empty when the file could not be read
  std::string content;     // the exact bytes that were hashed, so validation sees the same
  std::string read_error;  // non-empty when the file exists in the plan but cannot be read
  unsigned mode = 0;       // permission bits (07777) of the file read; 0 when unknown
  std::string resolved;    // the file read, every symlink resolved; empty when unknown

  friend bool operator==(const file_entry&, const file_entry&) = default;
};

/// What walking the watch dirs met (they are walked only when there is no usable config).
struct walk_stats {
  /// Symlinked directories not entered because the walk had already entered that directory
  /// (a loop such as `a -> .` or `x -> /`, or a second name for one directory).
  std::size_t symlink_loops = 0;
  std::string first_loop;                    ///< the first such symlink, for the warning
  bool truncated = false;                    ///< the depth or entry bound stopped the walk
  std::vector<std::string> unreadable_dirs;  ///< "path: reason"
};

/// Every file Prometheus would load, by logical path (absolute, lexically normal, through
/// the visible names: Kubernetes' `..data` internals never appear).
struct snapshot {
  std::map<std::string, file_entry> files;
  std::vector<std::string> warnings;  // e.g. the config could not be parsed for references
  walk_stats walk;
  /// References the config writes as absolute paths (see config_refs::absolute).
  std::vector<absolute_reference> absolute_references;
};

/// What to look at: the main config (its references decide kinds) and extra directories.
struct snapshot_spec {
  std::filesystem::path config_file;
  std::vector<std::filesystem::path> watch_dirs;
  bool recursive = true;
  std::size_t max_file_bytes = std::size_t{16} << 20;
};

/// Reads and hashes the config and every file its globs reference. Without a usable config,
/// YAML and JSON files under the watch directories whose content looks like rules or
/// file_sd targets are taken instead. Files of no kind are left out.
/// What a reference cannot look at (a directory its glob must list but cannot, a match that
/// cannot be examined) is an entry at that path with the reference's kind and a
/// `read_error`, so validation blocks: files that may be there must not silently vanish.
/// The walk of the watch dirs enters each directory once (loops are counted in `walk` and
/// warned about) and is bounded in depth and entries.
/// Blocking file I/O: run it off the event loop (the app uses a thread pool). Never throws
/// for filesystem problems; they become `read_error`s or warnings.
snapshot take_snapshot(const snapshot_spec& spec);

/// True when a name is a Kubernetes ConfigMap internal (`..data`, `..2024_01_01…`).
bool is_internal_name(const std::string& name);

}  // namespace promwatch::snapshot
