#include "snapshot/snapshot.hpp"

#include <algorithm>
#include <cerrno>
#include <deque>
#include <fstream>
#include <set>
#include <sstream>
#include <sys/stat.h>
#include <system_error>
#include <utility>

#include "core/sha256.hpp"
#include "snapshot/classify.hpp"
#include "snapshot/config_refs.hpp"
#include "snapshot/glob.hpp"

namespace promwatch::snapshot {
namespace fs = std::filesystem;

namespace {

std::string normal(const fs::path& p) {
  std::error_code ec;
  const fs::path abs = fs::absolute(p, ec);
  return (ec ? p : abs).lexically_normal().string();
}

void read_into(const std::string& path, std::size_t max_bytes, file_entry& entry) {
  std::error_code ec;
  const auto size = fs::file_size(path, ec);
  if (ec) {
    entry.read_error = ec.message();
    return;
  }
  // Publish mode keeps the mode and refuses files that live outside the config tree.
  if (const auto st = fs::status(path, ec); !ec)
    entry.mode = static_cast<unsigned>(st.permissions()) & 07777u;
  if (auto real = fs::canonical(path, ec); !ec) entry.resolved = real.string();
  if (size > max_bytes) {
    entry.read_error = "file is larger than the limit of " + std::to_string(max_bytes) + " bytes";
    return;
  }
  errno = 0;
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    // The stream keeps no cause; the open(2) under it left it in errno.
    const int cause = errno;
    entry.read_error = "cannot open the file";
    if (cause != 0) entry.read_error += " (" + std::generic_category().message(cause) + ")";
    return;
  }
  std::ostringstream buf;
  buf << in.rdbuf();
  entry.content = std::move(buf).str();
  // The file may have grown between stat and read; the limit still holds.
  if (entry.content.size() > max_bytes) {
    entry.content.clear();
    entry.read_error = "file is larger than the limit of " + std::to_string(max_bytes) + " bytes";
    return;
  }
  entry.sha256 = core::sha256::hex(entry.content);
}

// Regular files below the watch dirs, following symlinks but skipping `..*` internals, so a
// Kubernetes ConfigMap volume yields each file once, under its visible name. Each directory
// is entered once by (device, inode), as the poll walker does: `a -> .` or `x -> /` cannot
// make the walk revisit what it has walked (without that, two `-> .` links double the work
// at every level).
struct walker {
  bool recursive;
  std::set<std::string>& out;
  walk_stats& stats;
  std::set<std::pair<dev_t, ino_t>> entered;
  std::size_t entries = 0;

  // Deep enough for any configuration tree; a bound for absurd ones.
  static constexpr int max_depth = 32;
  // Directory entries looked at per snapshot: `x -> /` must not walk the whole machine.
  static constexpr std::size_t max_entries = 100000;

  std::vector<fs::path> real_roots;

  // A symlink to a directory that holds a watch dir (`x -> /`, `up -> ..`) leads back into
  // the walk: a loop, even though the walk has not entered that directory yet.
  bool holds_a_root(const fs::path& dir) const {
    std::error_code ec;
    const auto real = fs::canonical(dir, ec);
    if (ec) return false;
    return std::any_of(real_roots.begin(), real_roots.end(), [&](const fs::path& r) {
      const auto rel = r.lexically_relative(real).generic_string();
      return !rel.empty() && rel != ".." && !rel.starts_with("../");
    });
  }

  bool enter(const fs::path& dir) {
    struct stat st;
    if (::stat(dir.c_str(), &st) != 0) return false;
    return entered.emplace(st.st_dev, st.st_ino).second;
  }

  // Breadth first, so when a bound stops the walk (`x -> /`) what is lost is the deepest.
  void walk(const fs::path& root) {
    if (!enter(root)) return;
    std::error_code rec;
    if (auto real = fs::canonical(root, rec); !rec) real_roots.push_back(std::move(real));
    std::deque<std::pair<fs::path, int>> queue{{root, 0}};
    while (!queue.empty()) {
      auto [dir, depth] = std::move(queue.front());
      queue.pop_front();
      std::error_code ec;
      fs::directory_iterator it(dir, ec);
      if (ec) {
        stats.unreadable_dirs.push_back(dir.string() + ": " + ec.message());
        continue;
      }
      for (; it != fs::directory_iterator(); it.increment(ec)) {
        if (++entries > max_entries) {
          stats.truncated = true;
          return;
        }
        const std::string name = it->path().filename().string();
        if (is_internal_name(name)) continue;
        std::error_code sec;
        const auto st = fs::status(it->path(), sec);  // follows symlinks
        if (sec) continue;
        if (fs::is_regular_file(st)) {
          out.insert(normal(it->path()));
        } else if (recursive && fs::is_directory(st)) {
          if (depth >= max_depth) {
            stats.truncated = true;
          } else if ((it->is_symlink(sec) && holds_a_root(it->path())) || !enter(it->path())) {
            ++stats.symlink_loops;
            if (stats.first_loop.empty()) stats.first_loop = it->path().string();
          } else {
            queue.emplace_back(it->path(), depth + 1);
          }
        }
      }
      if (ec) stats.unreadable_dirs.push_back(dir.string() + ": " + ec.message());
    }
  }
};

bool looks_like_config_data(const std::string& path) {
  return path.ends_with(".yml") || path.ends_with(".yaml") || path.ends_with(".json");
}

}  // namespace

bool is_internal_name(const std::string& name) {
  return name.starts_with("..");
}

snapshot take_snapshot(const snapshot_spec& spec) {
  snapshot snap;
  const std::string config_path = normal(spec.config_file);
  const fs::path config_dir = fs::path(config_path).parent_path();

  file_entry config;
  config.kind = core::file_kind::config;
  read_into(config_path, spec.max_file_bytes, config);

  // Which files are which comes from the config's own references.
  std::map<std::string, core::file_kind> planned;
  // What a reference may match but cannot be looked at: unknown files, so never "none".
  std::map<std::string, std::pair<core::file_kind, std::string>> unknown;
  bool config_understood = false;
  if (config.read_error.empty()) {
    if (const auto refs = read_config_refs(config.content); refs.has_value()) {
      const auto real = real_filesystem();
      auto plan = [&](const std::vector<std::string>& patterns, core::file_kind kind,
                      std::string_view field) {
        for (const auto& pattern : patterns) {
          fs::path p(pattern);
          if (p.is_relative()) p = config_dir / p;
          auto found = expand_glob(p.lexically_normal().string(), real);
          for (auto& path : found.files)
            planned.emplace(normal(path), kind);
          for (auto& [path, reason] : found.unreadable) {
            unknown.emplace(normal(path),
                            std::pair{kind, "cannot be read (" + reason + "), so the files " +
                                                std::string(field) + " pattern " + pattern +
                                                " matches there are unknown"});
          }
        }
      };
      snap.absolute_references = refs->absolute;
      plan(refs->rule_files, core::file_kind::rules, "the rule_files");
      plan(refs->scrape_config_files, core::file_kind::scrape_config, "the scrape_config_files");
      plan(refs->file_sd_files, core::file_kind::file_sd, "the file_sd_configs");
      config_understood = true;
    } else {
      snap.warnings.push_back("cannot read file references from " + config_path + ": " +
                              refs.error().message);
    }
  }

  std::set<std::string> seen;
  // With a usable config only referenced files count, so the watch dirs need no walk.
  if (!config_understood) {
    walker w{spec.recursive, seen, snap.walk, {}, 0, {}};
    for (const auto& dir : spec.watch_dirs)
      w.walk(dir);
    if (snap.walk.symlink_loops > 0) {
      snap.warnings.push_back(std::to_string(snap.walk.symlink_loops) +
                              " symlinked directories lead back into directories already "
                              "walked and were not entered again (first: " +
                              snap.walk.first_loop + ")");
    }
    if (snap.walk.truncated) {
      snap.warnings.push_back(
          "the watch directories are too deep or too large to walk; only part of them was "
          "looked at");
    }
    for (const auto& d : snap.walk.unreadable_dirs)
      snap.warnings.push_back("cannot read directory " + d);
  }
  for (const auto& [path, kind] : planned)
    seen.insert(path);
  seen.erase(config_path);

  snap.files.emplace(config_path, std::move(config));
  for (const auto& path : seen) {
    const auto p = planned.find(path);
    // A file the config does not reference is never loaded by Prometheus, so it is not
    // read at all (a data dir or a log beside the config must not cost a hash per event).
    // Only without a usable config is a YAML/JSON file's kind guessed from its content.
    if (p == planned.end() && config_understood) continue;
    if (p == planned.end() && !looks_like_config_data(path)) continue;
    file_entry entry;
    read_into(path, spec.max_file_bytes, entry);
    if (p != planned.end()) {
      entry.kind = p->second;
    } else if (entry.read_error.empty()) {
      entry.kind = classify_by_content(path, entry.content);
    }
    if (entry.kind == core::file_kind::other) continue;
    snap.files.emplace(path, std::move(entry));
  }
  for (auto& [path, why] : unknown) {
    if (snap.files.contains(path)) continue;
    file_entry entry;
    entry.kind = why.first;
    entry.read_error = std::move(why.second);
    snap.files.emplace(path, std::move(entry));
  }
  return snap;
}

}  // namespace promwatch::snapshot
