#include "apply/publish_plan.hpp"

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <set>

namespace promwatch::apply {
namespace fs = std::filesystem;

namespace {

core::error fail(std::string message) {
  return core::error{std::move(message)};
}

std::string top_name(const std::string& relative) {
  return relative.substr(0, relative.find('/'));
}

std::string visible_target(const std::string& name) {
  return std::string(data_link) + "/" + name;
}

bool all_digits(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

bool inside(const fs::path& p, const fs::path& root) {
  const std::string rel = p.lexically_normal().lexically_relative(root).generic_string();
  return !rel.empty() && rel != ".." && !rel.starts_with("../");
}

}  // namespace

core::result<tree_plan> plan_tree(const snapshot::snapshot& snap, const std::string& source_root,
                                  const std::string& resolved_root) {
  const fs::path real_root = fs::path(resolved_root).lexically_normal();
  fs::path root = fs::path(source_root).lexically_normal();
  // "/etc/prometheus/" would otherwise compare as a directory with an empty last element.
  if (!root.has_filename() && root.has_relative_path()) root = root.parent_path();
  if (!root.is_absolute()) return fail("the source root " + source_root + " is not absolute");
  if (snap.files.empty()) return fail("there is nothing to publish");
  // Prometheus reads its config from the output dir, but an absolute reference still names
  // the source tree (or somewhere else): those files would be read unvalidated.
  if (!snap.absolute_references.empty()) {
    std::string config = root.string() + "/prometheus.yml";
    for (const auto& [path, entry] : snap.files) {
      if (entry.kind == core::file_kind::config) config = path;
    }
    std::string message;
    for (const auto& r : snap.absolute_references) {
      if (!message.empty()) message += "\n";
      message += config + ":" + std::to_string(r.line) + ":" + std::to_string(r.column) + ": " +
                 r.field + " entry " + r.pattern +
                 " is an absolute path, which Prometheus would read as is, not from the output "
                 "dir, so unvalidated; in publish mode write it relative to the config file's "
                 "directory";
      if (const auto rel = fs::path(r.pattern).lexically_normal().lexically_relative(root);
          !rel.empty() && !rel.generic_string().starts_with(".."))
        message += " (" + rel.generic_string() + ")";
    }
    return fail(std::move(message));
  }

  tree_plan plan;
  std::set<std::string> files;
  std::set<std::string> dirs;
  for (const auto& [path, entry] : snap.files) {
    const fs::path p = fs::path(path).lexically_normal();
    if (!p.is_absolute()) return fail(path + " is not an absolute path, so it cannot be published");
    if (!entry.read_error.empty())
      return fail(path + " cannot be published: it could not be read (" + entry.read_error + ")");
    // lexically_relative works on normal paths only: "/r/../x" must not pass as inside.
    std::string rel = p.lexically_relative(root).generic_string();
    if (rel.empty() || rel == "." || rel == ".." || rel.starts_with("../"))
      return fail(path + " is outside " + root.string() +
                  ", so it cannot be published into the output dir (reference it relative to "
                  "the config file's directory, without ../)");
    if (top_name(rel).starts_with(".."))
      return fail(path +
                  " cannot be published: top-level names starting with '..' are "
                  "reserved for the output dir's internals");
    if (!files.insert(rel).second) return fail(path + " appears twice in the snapshot");
    for (auto slash = rel.find('/'); slash != std::string::npos; slash = rel.find('/', slash + 1))
      dirs.insert(rel.substr(0, slash));
    if (!resolved_root.empty() && !entry.resolved.empty() && !inside(entry.resolved, real_root))
      return fail(path + " resolves to " + entry.resolved + ", outside the config tree " +
                  real_root.string() +
                  ", so it cannot be published (a symlink pointing out of the tree?)");
    const unsigned mode = entry.mode == 0 ? 0644u : (entry.mode & 0777u);
    plan.files.push_back({std::move(rel), entry.content, mode});
  }
  for (const auto& d : dirs) {
    if (files.contains(d))
      return fail(root.string() + "/" + d + " is both a file and the directory of another file");
  }

  std::sort(plan.files.begin(), plan.files.end(), [](const planned_file& a, const planned_file& b) {
    return a.relative_path < b.relative_path;
  });
  // std::set orders "a" before "a/b": parents come first.
  plan.directories.assign(dirs.begin(), dirs.end());
  std::set<std::string> tops;
  for (const auto& f : plan.files)
    tops.insert(top_name(f.relative_path));
  plan.top_level.assign(tops.begin(), tops.end());
  return plan;
}

core::result<link_plan> plan_links(const tree_plan& tree, const std::vector<dir_entry>& current) {
  std::map<std::string, const dir_entry*> by_name;
  for (const auto& e : current)
    by_name.emplace(e.name, &e);

  link_plan plan;
  if (const auto d = by_name.find(std::string(data_link)); d != by_name.end()) {
    const dir_entry& e = *d->second;
    if (e.type != entry_type::symlink || !is_data_dir_name(e.link_target))
      return fail(std::string(data_link) +
                  " in the output dir was not created by promwatch; refusing to replace it");
    const auto target = by_name.find(e.link_target);
    if (target != by_name.end()) {
      if (target->second->type != entry_type::directory)
        return fail(std::string(data_link) + " points at " + e.link_target +
                    ", which is not a directory; refusing to replace it");
      plan.current_data_dir = e.link_target;
    }
  }

  for (const auto& name : tree.top_level) {
    const auto it = by_name.find(name);
    if (it == by_name.end()) {
      plan.create.push_back(name);
      continue;
    }
    const dir_entry& e = *it->second;
    if (e.type != entry_type::symlink || e.link_target != visible_target(name))
      return fail(name + " in the output dir was not created by promwatch; refusing to replace it");
  }

  const std::set<std::string> wanted(tree.top_level.begin(), tree.top_level.end());
  for (const auto& e : current) {
    if (e.name.starts_with("..")) {
      const bool ours_tmp =
          e.type == entry_type::symlink && (e.name == data_tmp_link || e.name == visible_tmp_link);
      const bool orphan = e.type == entry_type::directory && is_data_dir_name(e.name) &&
                          e.name != plan.current_data_dir;
      if (ours_tmp || orphan) plan.leftovers.push_back(e.name);
      continue;
    }
    if (e.type == entry_type::symlink && e.link_target == visible_target(e.name) &&
        !wanted.contains(e.name))
      plan.remove.push_back(e.name);
  }
  std::sort(plan.remove.begin(), plan.remove.end());
  std::sort(plan.leftovers.begin(), plan.leftovers.end());
  return plan;
}

bool same_tree(const tree_plan& tree, const std::map<std::string, std::string>& published) {
  if (tree.files.size() != published.size()) return false;
  return std::all_of(tree.files.begin(), tree.files.end(), [&](const planned_file& f) {
    const auto it = published.find(f.relative_path);
    return it != published.end() && it->second == f.content;
  });
}

std::string data_dir_name(std::chrono::system_clock::time_point t, unsigned attempt) {
  using namespace std::chrono;
  const auto ns = time_point_cast<nanoseconds>(t);
  const auto day = floor<days>(ns);
  const year_month_day ymd{day};
  const hh_mm_ss hms{ns - day};
  char buf[64];
  std::snprintf(buf, sizeof buf, "..%04d_%02u_%02u_%02d_%02d_%02d.%09lld", int(ymd.year()),
                unsigned(ymd.month()), unsigned(ymd.day()), int(hms.hours().count()),
                int(hms.minutes().count()), int(hms.seconds().count()),
                static_cast<long long>(hms.subseconds().count()));
  std::string name = buf;
  if (attempt > 0) name += "_" + std::to_string(attempt);
  return name;
}

bool is_data_dir_name(std::string_view name) {
  // ..YYYY_MM_DD_HH_MM_SS.NNNNNNNNN[_N]
  constexpr std::string_view shape = "..dddd_dd_dd_dd_dd_dd.ddddddddd";
  if (name.size() < shape.size()) return false;
  for (std::size_t i = 0; i < shape.size(); ++i) {
    const bool ok = shape[i] == 'd' ? (name[i] >= '0' && name[i] <= '9') : name[i] == shape[i];
    if (!ok) return false;
  }
  const std::string_view rest = name.substr(shape.size());
  return rest.empty() || (rest.front() == '_' && all_digits(rest.substr(1)));
}

}  // namespace promwatch::apply
