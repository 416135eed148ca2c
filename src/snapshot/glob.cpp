#include "snapshot/glob.hpp"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <dirent.h>
#include <fnmatch.h>
#include <map>
#include <set>
#include <string_view>
#include <sys/stat.h>

namespace promwatch::snapshot {
namespace {

using node_type = filesystem_view::node_type;

// Go's hasMeta on Unix: the backslash escape counts too.
bool has_meta(std::string_view s) {
  return s.find_first_of("*?[\\") != std::string_view::npos;
}

std::string join(const std::string& dir, const std::string& name) {
  return dir.ends_with('/') ? dir + name : dir + '/' + name;
}

struct expander {
  const filesystem_view& fs;
  std::map<std::string, std::string> unreadable;

  void note(const std::string& path, int err) { unreadable.emplace(path, std::strerror(err)); }

  // Every existing path the pattern matches, of any type, as Go's Glob returns them.
  std::vector<std::string> matches(const std::string& pattern) {
    if (!has_meta(pattern)) {
      const auto n = fs.examine(pattern);
      if (n.error != 0) note(pattern, n.error);
      if (n.error != 0 || n.type == node_type::missing) return {};
      return {pattern};
    }
    const auto slash = pattern.rfind('/');
    if (slash == std::string::npos) return {};  // callers pass absolute patterns
    const std::string dir = slash == 0 ? "/" : pattern.substr(0, slash);
    const std::string base = pattern.substr(slash + 1);
    std::vector<std::string> dirs;
    if (has_meta(dir)) {
      for (auto& d : matches(dir)) {
        const auto n = fs.examine(d);
        if (n.error != 0) note(d, n.error);
        if (n.error == 0 && n.type == node_type::directory) dirs.push_back(std::move(d));
      }
    } else {
      dirs.push_back(dir);
    }
    std::vector<std::string> out;
    for (const auto& d : dirs) {
      auto listing = fs.list(d);
      if (listing.error != 0) {
        note(d, listing.error);
        continue;
      }
      std::sort(listing.names.begin(), listing.names.end());
      for (const auto& name : listing.names) {
        // No FNM_PERIOD: Go lets a wildcard match a leading dot.
        if (::fnmatch(base.c_str(), name.c_str(), 0) == 0) out.push_back(join(d, name));
      }
    }
    return out;
  }
};

}  // namespace

filesystem_view real_filesystem() {
  filesystem_view v;
  v.examine = [](const std::string& path) {
    filesystem_view::node n;
    struct stat st;
    if (::stat(path.c_str(), &st) != 0) {
      const int err = errno;
      if (err != ENOENT && err != ENOTDIR) n.error = err;
      return n;
    }
    n.type = S_ISREG(st.st_mode)   ? node_type::regular
             : S_ISDIR(st.st_mode) ? node_type::directory
                                   : node_type::other;
    return n;
  };
  v.list = [](const std::string& dir) {
    filesystem_view::listing l;
    DIR* d = ::opendir(dir.c_str());
    if (d == nullptr) {
      const int err = errno;
      if (err != ENOENT && err != ENOTDIR) l.error = err;
      return l;
    }
    for (;;) {
      errno = 0;
      const dirent* e = ::readdir(d);
      if (e == nullptr) {
        if (errno != 0) l.error = errno;
        break;
      }
      const std::string_view name = e->d_name;
      if (name != "." && name != "..") l.names.emplace_back(name);
    }
    ::closedir(d);
    if (l.error != 0) l.names.clear();
    return l;
  };
  return v;
}

glob_matches expand_glob(const std::string& absolute_pattern, const filesystem_view& fs) {
  expander x{fs, {}};
  std::set<std::string> files;
  for (const auto& m : x.matches(absolute_pattern)) {
    const auto n = fs.examine(m);
    if (n.error != 0) x.note(m, n.error);
    if (n.error == 0 && n.type == node_type::regular) files.insert(m);
  }
  glob_matches out;
  out.files.assign(files.begin(), files.end());
  out.unreadable.assign(x.unreadable.begin(), x.unreadable.end());
  return out;
}

}  // namespace promwatch::snapshot
