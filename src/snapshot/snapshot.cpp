#include "snapshot/snapshot.hpp"

#include <fstream>
#include <glob.h>
#include <set>
#include <sstream>
#include <system_error>

#include "core/sha256.hpp"
#include "snapshot/classify.hpp"
#include "snapshot/config_refs.hpp"

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
  if (size > max_bytes) {
    entry.read_error = "file is larger than the limit of " + std::to_string(max_bytes) + " bytes";
    return;
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    entry.read_error = "cannot open the file";
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

// Regular files below `dir`, following symlinks but skipping `..*` internals, so a
// Kubernetes ConfigMap volume yields each file once, under its visible name.
void walk(const fs::path& dir, bool recursive, std::set<std::string>& out, int depth = 0) {
  constexpr int max_depth = 32;  // symlink loops and absurd trees end here
  if (depth > max_depth) return;
  std::error_code ec;
  fs::directory_iterator it(dir, fs::directory_options::skip_permission_denied, ec);
  if (ec) return;
  for (const auto& entry : it) {
    const std::string name = entry.path().filename().string();
    if (is_internal_name(name)) continue;
    std::error_code sec;
    const auto st = fs::status(entry.path(), sec);  // follows symlinks
    if (sec) continue;
    if (fs::is_regular_file(st)) {
      out.insert(normal(entry.path()));
    } else if (recursive && fs::is_directory(st)) {
      walk(entry.path(), recursive, out, depth + 1);
    }
  }
}

std::vector<std::string> expand_glob(const fs::path& base_dir, const std::string& pattern) {
  fs::path p(pattern);
  if (p.is_relative()) p = base_dir / p;
  std::vector<std::string> out;
  glob_t g{};
  // GLOB_PERIOD: Go's filepath.Glob, which Prometheus uses, lets `*` match a leading dot.
  if (::glob(p.string().c_str(), GLOB_PERIOD, nullptr, &g) == 0) {
    for (std::size_t i = 0; i < g.gl_pathc; ++i) {
      std::error_code ec;
      if (fs::is_regular_file(g.gl_pathv[i], ec)) out.push_back(normal(g.gl_pathv[i]));
    }
  }
  ::globfree(&g);
  return out;
}

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
  bool config_understood = false;
  if (config.read_error.empty()) {
    if (const auto refs = read_config_refs(config.content); refs.has_value()) {
      auto plan = [&](const std::vector<std::string>& patterns, core::file_kind kind) {
        for (const auto& pattern : patterns) {
          for (auto& path : expand_glob(config_dir, pattern))
            planned.emplace(std::move(path), kind);
        }
      };
      plan(refs->rule_files, core::file_kind::rules);
      plan(refs->scrape_config_files, core::file_kind::scrape_config);
      plan(refs->file_sd_files, core::file_kind::file_sd);
      config_understood = true;
    } else {
      snap.warnings.push_back("cannot read file references from " + config_path + ": " +
                              refs.error().message);
    }
  }

  std::set<std::string> seen;
  for (const auto& dir : spec.watch_dirs)
    walk(dir, spec.recursive, seen);
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
  return snap;
}

}  // namespace promwatch::snapshot
