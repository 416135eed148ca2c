#include "watch/poll_state.hpp"

#include <filesystem>
#include <optional>
#include <set>
#include <sys/stat.h>
#include <system_error>
#include <utility>

namespace promwatch::watch {
namespace {

namespace fs = std::filesystem;

// Deep enough for any configuration tree, shallow enough to stop a pathological one.
constexpr int max_depth = 64;

std::string join(const std::string& dir, const std::string& name) {
  return dir.ends_with('/') ? dir + name : dir + '/' + name;
}

std::string_view last_component(std::string_view path) {
  auto slash = path.rfind('/');
  return slash == std::string_view::npos ? path : path.substr(slash + 1);
}

void fill(entry_state& e, const struct stat& st, const std::string& path) {
  e.inode = static_cast<std::uint64_t>(st.st_ino);
  e.device = static_cast<std::uint64_t>(st.st_dev);
  if (S_ISDIR(st.st_mode)) {
    e.kind = entry_state::type::directory;
    return;
  }
  e.kind = S_ISREG(st.st_mode) ? entry_state::type::file : entry_state::type::other;
  e.size = static_cast<std::uintmax_t>(st.st_size);
  // std::filesystem gives nanoseconds portably (struct stat spells them differently per OS);
  // seconds alone would miss a same-size rewrite within one second.
  std::error_code ec;
  auto t = fs::last_write_time(path, ec);
  if (!ec) e.mtime_ns = static_cast<std::int64_t>(t.time_since_epoch().count());
}

std::optional<entry_state> observe(const std::string& path) {
  struct stat ls;
  if (::lstat(path.c_str(), &ls) != 0) return std::nullopt;
  entry_state e;
  if (!S_ISLNK(ls.st_mode)) {
    fill(e, ls, path);
    return e;
  }
  e.is_link = true;
  std::error_code ec;
  e.link_target = fs::read_symlink(path, ec).string();
  struct stat st;
  if (::stat(path.c_str(), &st) != 0) {
    e.kind = entry_state::type::dangling_link;
    return e;
  }
  fill(e, st, path);
  return e;
}

struct walker {
  bool recursive;
  walk_result out;
  std::set<std::pair<std::uint64_t, std::uint64_t>> visited;

  void walk_dir(const std::string& dir, int depth) {
    ++out.dirs;
    std::error_code ec;
    for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
      std::string name = it->path().filename().string();
      std::string child = join(dir, name);
      if (is_internal_name(name)) {
        // Only the commit link matters; the timestamped dirs are reached through it.
        if (name == commit_link_name) {
          if (auto e = observe(child)) out.entries.emplace(child, std::move(*e));
        }
        continue;
      }
      auto e = observe(child);
      if (!e) continue;
      bool enter = recursive && e->kind == entry_state::type::directory && depth < max_depth &&
                   visited.emplace(e->device, e->inode).second;
      out.entries.emplace(child, std::move(*e));
      if (enter) walk_dir(child, depth + 1);
    }
  }
};

}  // namespace

walk_result walk_trees(const std::vector<std::string>& roots, bool recursive) {
  walker w{recursive, {}, {}};
  for (const auto& root : roots) {
    auto e = observe(root);
    if (!e) continue;
    bool is_dir = e->kind == entry_state::type::directory;
    bool fresh = w.visited.emplace(e->device, e->inode).second;
    w.out.entries.emplace(root, std::move(*e));
    if (is_dir && fresh) w.walk_dir(root, 0);
  }
  return std::move(w.out);
}

std::vector<event> diff_trees(const tree_state& before, const tree_state& after) {
  std::vector<event> out;
  auto kind_for = [](const std::string& path, event_kind otherwise) {
    return last_component(path) == commit_link_name ? event_kind::commit : otherwise;
  };
  auto b = before.begin();
  auto a = after.begin();
  while (b != before.end() || a != after.end()) {
    if (a == after.end() || (b != before.end() && b->first < a->first)) {
      out.push_back(event{b->first, kind_for(b->first, event_kind::removed)});
      ++b;
    } else if (b == before.end() || a->first < b->first) {
      out.push_back(event{a->first, kind_for(a->first, event_kind::created)});
      ++a;
    } else {
      if (!(a->second == b->second)) {
        out.push_back(event{a->first, kind_for(a->first, event_kind::modified)});
      }
      ++a;
      ++b;
    }
  }
  return out;
}

}  // namespace promwatch::watch
