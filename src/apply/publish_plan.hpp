#pragma once
#include <chrono>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.hpp"
#include "snapshot/snapshot.hpp"

namespace promwatch::apply {

/// The decisions of a publish, with no I/O: what goes where in the new data dir, and how the
/// visible names of the output dir must change. Names follow the kubelet's AtomicWriter:
/// `..data` -> `..<timestamp>/` holds the tree, `<name>` -> `..data/<name>` is what users see.
inline constexpr std::string_view data_link = "..data";
inline constexpr std::string_view data_tmp_link = "..data_tmp";
inline constexpr std::string_view visible_tmp_link = "..visible_tmp";

/// One file of the new tree. `content` views the snapshot's bytes: keep the snapshot alive.
struct planned_file {
  std::string relative_path;  // lexically normal, '/'-separated, inside the root
  std::string_view content;
  unsigned mode = 0644;  // the source file's permission bits (0644 when unknown)
};

/// The new tree, sorted by path; `directories` are relative and listed parents first.
struct tree_plan {
  std::vector<planned_file> files;
  std::vector<std::string> directories;
  std::vector<std::string> top_level;  // sorted, unique: one visible symlink each
};

/// Maps every snapshot file to its place under `source_root` (absolute, lexically normal).
/// A config reference written as an absolute path (snapshot::absolute_references) is an
/// error `config:line:col: …` for each: Prometheus would read it from there, unvalidated.
/// Errors name the first offending file: outside the root (absolute reference or `../`),
/// unreadable in the snapshot, a top-level name starting with `..` (reserved, as in the
/// kubelet), a file that is also a directory of another file, or an empty snapshot.
/// With `resolved_root` (the root with every symlink resolved), a file whose `resolved` path
/// lies outside it is refused too: a symlink out of the tree would publish a file (a secret
/// beside the config, `/etc/shadow`) that was never meant to be part of it.
/// Each file keeps its source permission bits (`file_entry::mode`; 0644 when unknown).
core::result<tree_plan> plan_tree(const snapshot::snapshot& snap, const std::string& source_root,
                                  const std::string& resolved_root = {});
/// The plan views the snapshot's bytes, so a temporary snapshot would leave them dangling.
core::result<tree_plan> plan_tree(snapshot::snapshot&&, const std::string&,
                                  const std::string& = {}) = delete;

/// One entry of the output dir as it is now (not followed if a symlink).
enum class entry_type { symlink, directory, regular, other };
struct dir_entry {
  std::string name;
  entry_type type = entry_type::other;
  std::string link_target;  // the symlink's text, for symlinks

  friend bool operator==(const dir_entry&, const dir_entry&) = default;
};

/// How the output dir's top level must change around the `..data` swap.
struct link_plan {
  std::vector<std::string> create;     // visible names to (re)point at `..data/<name>`
  std::vector<std::string> remove;     // our visible links whose name left the tree
  std::string current_data_dir;        // what `..data` points at now; empty on a first publish
  std::vector<std::string> leftovers;  // `..data_tmp`, temp links, orphaned data dirs
};

/// Compares the output dir with the new top-level names. Only entries promwatch creates are
/// touched: a visible name held by anything but a symlink to `..data/<name>` (a user's file,
/// directory or other symlink), or a `..data` that is not our symlink, is an error naming it.
core::result<link_plan> plan_links(const tree_plan& tree, const std::vector<dir_entry>& current);

/// True when the published tree (relative path -> bytes) is exactly the planned one.
bool same_tree(const tree_plan& tree, const std::map<std::string, std::string>& published);

/// `..2024_05_01_12_00_00.123456789` in UTC, with `_<attempt>` appended when attempt > 0
/// (a name taken by a clock that did not move).
std::string data_dir_name(std::chrono::system_clock::time_point t, unsigned attempt = 0);

/// True for names `data_dir_name` produces; only those are ever removed as leftovers.
bool is_data_dir_name(std::string_view name);

}  // namespace promwatch::apply
