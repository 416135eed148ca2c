#include "apply/publish.hpp"

#include <cerrno>
#include <fcntl.h>
#include <fstream>
#include <map>
#include <optional>
#include <sstream>
#include <sys/stat.h>
#include <system_error>
#include <unistd.h>
#include <vector>

#include "apply/publish_plan.hpp"
#include "core/unique_fd.hpp"

namespace promwatch::apply {
namespace fs = std::filesystem;

namespace {

using status = core::result<void>;

core::error os_error(const std::string& what, const fs::path& p, int err = errno) {
  return core::error{what + " " + p.string() + ": " + std::system_category().message(err)};
}

core::error fs_error(const std::string& what, const fs::path& p, const std::error_code& ec) {
  return core::error{what + " " + p.string() + ": " + ec.message()};
}

status fsync_dir(const fs::path& dir) {
  const core::unique_fd fd(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!fd) return os_error("cannot open directory", dir);
  if (::fsync(fd.get()) != 0) return os_error("cannot sync directory", dir);
  return {};
}

// An explicit chmod, so the modes do not depend on the process umask.
status make_dir(const fs::path& dir) {
  if (::mkdir(dir.c_str(), 0755) != 0) return os_error("cannot create directory", dir);
  if (::chmod(dir.c_str(), 0755) != 0) return os_error("cannot set the mode of", dir);
  return {};
}

status write_file(const fs::path& path, std::string_view bytes, unsigned mode) {
  // Created owner-only and then given the source's mode: never wider than the source, even
  // for a moment.
  core::unique_fd fd(::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600));
  if (!fd) return os_error("cannot create", path);
  if (::fchmod(fd.get(), static_cast<mode_t>(mode)) != 0)
    return os_error("cannot set the mode of", path);
  while (!bytes.empty()) {
    const ssize_t n = ::write(fd.get(), bytes.data(), bytes.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return os_error("cannot write", path);
    }
    bytes.remove_prefix(static_cast<std::size_t>(n));
  }
  if (::fsync(fd.get()) != 0) return os_error("cannot sync", path);
  if (::close(fd.release()) != 0) return os_error("cannot close", path);
  return {};
}

// Creates `link` -> `target` atomically, replacing whatever symlink had that name, by way
// of a temporary name in the same directory.
status replace_symlink(const fs::path& dir, const std::string& target, const std::string& link,
                       std::string_view tmp_name) {
  const fs::path tmp = dir / tmp_name;
  if (::unlink(tmp.c_str()) != 0 && errno != ENOENT) return os_error("cannot remove", tmp);
  if (::symlink(target.c_str(), tmp.c_str()) != 0) return os_error("cannot create symlink", tmp);
  if (::rename(tmp.c_str(), (dir / link).c_str()) != 0) {
    const int err = errno;
    ::unlink(tmp.c_str());
    return os_error("cannot rename " + tmp.string() + " to", dir / link, err);
  }
  return {};
}

core::result<std::vector<dir_entry>> list_entries(const fs::path& dir) {
  std::vector<dir_entry> out;
  std::error_code ec;
  fs::directory_iterator it(dir, ec);
  if (ec) return fs_error("cannot list", dir, ec);
  for (; it != fs::directory_iterator(); it.increment(ec)) {
    dir_entry e;
    e.name = it->path().filename().string();
    const auto st = it->symlink_status(ec);
    if (ec) return fs_error("cannot stat", it->path(), ec);
    if (fs::is_symlink(st)) {
      e.type = entry_type::symlink;
      e.link_target = fs::read_symlink(it->path(), ec).string();
      if (ec) return fs_error("cannot read symlink", it->path(), ec);
    } else if (fs::is_directory(st)) {
      e.type = entry_type::directory;
    } else if (fs::is_regular_file(st)) {
      e.type = entry_type::regular;
    }
    out.push_back(std::move(e));
  }
  if (ec) return fs_error("cannot list", dir, ec);
  return out;
}

// The tree under a published data dir; nullopt when it cannot be read as plain files, in
// which case it is simply published again.
std::optional<std::map<std::string, std::string>> read_tree(const fs::path& dir,
                                                            std::size_t max_files) {
  std::map<std::string, std::string> out;
  std::error_code ec;
  fs::recursive_directory_iterator it(dir, ec);
  if (ec) return std::nullopt;
  for (; it != fs::recursive_directory_iterator(); it.increment(ec)) {
    const auto st = it->symlink_status(ec);
    if (ec) return std::nullopt;
    if (fs::is_directory(st)) continue;
    if (!fs::is_regular_file(st) || out.size() == max_files) return std::nullopt;
    std::ifstream in(it->path(), std::ios::binary);
    if (!in) return std::nullopt;
    std::ostringstream buf;
    buf << in.rdbuf();
    out.emplace(it->path().lexically_relative(dir).generic_string(), std::move(buf).str());
  }
  if (ec) return std::nullopt;
  return out;
}

// True when every published file already has its planned mode (a chmod of the source alone
// must be published too).
bool same_modes(const tree_plan& tree, const fs::path& dir) {
  for (const auto& f : tree.files) {
    struct stat st;
    if (::lstat((dir / f.relative_path).c_str(), &st) != 0) return false;
    if ((st.st_mode & 07777u) != f.mode) return false;
  }
  return true;
}

// Writes the tree into a fresh data dir; on failure removes what it wrote.
core::result<std::string> write_data_dir(const fs::path& out, const tree_plan& tree,
                                         publish_report& report) {
  std::string name;
  for (unsigned attempt = 0;; ++attempt) {
    name = data_dir_name(std::chrono::system_clock::now(), attempt);
    if (::mkdir((out / name).c_str(), 0755) == 0) break;
    if (errno != EEXIST || attempt == 1000) return os_error("cannot create directory", out / name);
  }
  const fs::path data = out / name;
  auto written = [&]() -> status {
    if (::chmod(data.c_str(), 0755) != 0) return os_error("cannot set the mode of", data);
    for (const auto& d : tree.directories) {
      if (auto r = make_dir(data / d); !r) return r;
    }
    for (const auto& f : tree.files) {
      if (auto r = write_file(data / f.relative_path, f.content, f.mode); !r) return r;
      report.bytes_written += f.content.size();
    }
    // Children before parents, so each directory's entries are durable before its own.
    for (auto d = tree.directories.rbegin(); d != tree.directories.rend(); ++d) {
      if (auto r = fsync_dir(data / *d); !r) return r;
    }
    return fsync_dir(data);
  }();
  if (!written) {
    std::error_code ignored;
    fs::remove_all(data, ignored);
    return written.error();
  }
  report.files_written = tree.files.size();
  // Explicit: core::error is constructible from a string too.
  return core::result<std::string>(boost::system::in_place_value, std::move(name));
}

}  // namespace

core::result<publish_report> publish_atomically(const snapshot::snapshot& snap,
                                                const fs::path& source_root,
                                                const fs::path& output_dir) {
  std::error_code ec;
  const fs::path root = fs::absolute(source_root, ec).lexically_normal();
  if (ec) return fs_error("cannot resolve", source_root, ec);
  const fs::path real_root = fs::canonical(root, ec);
  const auto tree = plan_tree(snap, root.string(), ec ? std::string() : real_root.string());
  if (!tree) return tree.error();

  const fs::path out = fs::absolute(output_dir, ec).lexically_normal();
  if (ec) return fs_error("cannot resolve", output_dir, ec);
  fs::create_directories(out, ec);
  if (ec) return fs_error("cannot create the output dir", out, ec);
  const auto entries = list_entries(out);
  if (!entries) return entries.error();
  const auto links = plan_links(*tree, *entries);
  if (!links) return links.error();

  publish_report report;
  const std::string& previous = links->current_data_dir;
  if (!previous.empty()) {
    const auto published = read_tree(out / previous, tree->files.size());
    report.unchanged =
        published && same_tree(*tree, *published) && same_modes(*tree, out / previous);
  }
  if (report.unchanged) {
    report.data_dir = previous;
  } else {
    auto name = write_data_dir(out, *tree, report);
    if (!name) return name.error();
    report.data_dir = *name;
    if (auto r = replace_symlink(out, report.data_dir, std::string(data_link), data_tmp_link); !r) {
      fs::remove_all(out / report.data_dir, ec);
      return r.error();
    }
    if (auto r = fsync_dir(out); !r) return r.error();
  }

  // The switch is done; what follows only adjusts names around it, and a failure here is
  // repaired by the next publish (visible links are reconciled even when unchanged).
  for (const auto& name : links->create) {
    if (auto r = replace_symlink(out, std::string(data_link) + "/" + name, name, visible_tmp_link);
        !r)
      return r.error();
    ++report.links_created;
  }
  for (const auto& name : links->remove) {
    if (::unlink((out / name).c_str()) != 0 && errno != ENOENT)
      return os_error("cannot remove", out / name);
    ++report.links_removed;
  }
  // The previous data dir stays until the next publish: a reader that resolved `..data` just
  // before the switch still finds whole files there (the kubelet removes it at once, which
  // leaves a small window for a missing file). Older ones are leftovers below.
  for (const auto& name : links->leftovers) {
    fs::remove_all(out / name, ec);
    if (ec) return fs_error("cannot remove the leftover", out / name, ec);
  }
  if (auto r = fsync_dir(out); !r) return r.error();
  return report;
}

}  // namespace promwatch::apply
