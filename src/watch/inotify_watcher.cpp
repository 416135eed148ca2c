// The Linux backend. Compiled only on Linux (CMake filters inotify_*.cpp elsewhere).
#include <algorithm>
#include <cerrno>
#include <filesystem>
#include <set>
#include <sys/inotify.h>
#include <system_error>
#include <tuple>
#include <unistd.h>
#include <unordered_map>
#include <unordered_set>

#include "core/unique_fd.hpp"
#include "watch/backends.hpp"
#include "watch/inotify_records.hpp"

namespace promwatch::watch {
namespace {

namespace fs = std::filesystem;

std::string errno_message(int err) {
  return std::generic_category().message(err);
}

std::string join(const std::string& dir, const std::string& name) {
  return dir.ends_with('/') ? dir + name : dir + '/' + name;
}

// Bounded so a writer that never stops cannot keep one wake-up draining forever; the fd
// stays readable and the next wait completes at once.
constexpr int max_reads_per_wakeup = 64;
// Large enough for many records; one record is at most sizeof(inotify_event) + NAME_MAX + 1.
constexpr std::size_t read_buffer_size = 64 * 1024;
// Files tracked as open for writing; a tree with more writers at once is not waited for.
constexpr std::size_t max_open_writes = 1024;

class inotify_watcher final : public watcher {
 public:
  inotify_watcher(asio::any_io_executor ex, core::unique_fd fd, const watch_options& options,
                  core::logger& log)
      : log_(log),
        recursive_(options.recursive),
        retry_interval_(options.poll_interval),
        roots_(normalize_roots(options.dirs)),
        fd_(ex, fd.release()),
        retry_(ex),
        buffer_(read_buffer_size) {}

  /// Adds the initial watches. Errors: the kernel's watch limit was hit.
  core::result<void> start() {
    for (const auto& root : roots_) {
      switch (add_tree(root, true, nullptr)) {
        case add_status::added:
        case add_status::failed:
          break;
        case add_status::missing:
          log_.warn("watch directory does not exist; it will be watched when it appears",
                    {{"dir", root}});
          missing_roots_.insert(root);
          break;
        case add_status::no_space:
          return core::error{"inotify watch limit reached while adding " + root +
                             " (raise the sysctl fs.inotify.max_user_watches)"};
      }
    }
    return {};
  }

  awaitable<core::result<std::vector<event>>> next() override {
    for (;;) {
      if (!missing_roots_.empty()) retry_missing_roots();
      if (!pending_.empty()) co_return std::exchange(pending_, {});

      error_code ec;
      if (missing_roots_.empty()) {
        std::tie(ec) =
            co_await fd_.async_wait(asio::posix::descriptor_base::wait_read, as_tuple_awaitable);
      } else {
        // A missing watch dir has nothing to watch yet (its parent may not exist either), so
        // it is looked for again on a timer.
        retry_.expires_after(retry_interval_);
        auto [order, fd_ec, timer_ec] =
            co_await asio::experimental::make_parallel_group(
                fd_.async_wait(asio::posix::descriptor_base::wait_read, asio::deferred),
                retry_.async_wait(asio::deferred))
                .async_wait(asio::experimental::wait_for_one(), use_awaitable);
        ec = order[0] == 0 ? fd_ec : timer_ec;
        if (order[0] == 1 && !ec) continue;
      }
      if (ec == asio::error::operation_aborted) throw boost::system::system_error(ec);
      if (ec) co_return core::error{"waiting on the inotify descriptor failed: " + ec.message()};
      if (auto r = drain(); !r) co_return r.error();
    }
  }

  std::size_t watch_count() const override { return dirs_.size(); }
  bool writes_in_progress() const override { return !open_writes_.empty(); }
  std::string_view backend_name() const override { return "inotify"; }

 private:
  enum class add_status { added, missing, no_space, failed };

  core::result<void> drain() {
    for (int i = 0; i < max_reads_per_wakeup; ++i) {
      ssize_t n = ::read(fd_.native_handle(), buffer_.data(), buffer_.size());
      if (n < 0) {
        int err = errno;
        if (err == EINTR) continue;
        if (err == EAGAIN || err == EWOULDBLOCK) return {};
        return core::error{"reading the inotify descriptor failed: " + errno_message(err)};
      }
      if (n == 0) return {};
      apply(parse_inotify_records(std::span(buffer_.data(), static_cast<std::size_t>(n)), dirs_));
    }
    return {};
  }

  void apply(inotify_batch batch) {
    for (const auto& [path, open] : batch.open_for_writing) {
      // Bounded: beyond the cap a writer is simply not waited for.
      if (open && open_writes_.size() < max_open_writes) {
        open_writes_.insert(path);
      } else if (!open) {
        open_writes_.erase(path);
      }
    }
    bool overflowed = false;
    for (auto& e : batch.events) {
      overflowed = overflowed || e.kind == event_kind::overflow;
      pending_.push_back(std::move(e));
    }
    // Gone before added: a directory renamed within the tree is dropped under its old name
    // and watched afresh under the new one, with correct paths for everything below it.
    for (const auto& dir : batch.dirs_gone)
      drop_tree(dir);
    for (int wd : batch.self_gone)
      lose_watch(wd);
    for (int wd : batch.ignored)
      lose_watch(wd);
    // Lost events may include subdirectories appearing or leaving; only a fresh walk
    // knows which watches are needed now. A lost IN_CLOSE_WRITE must not hold every later
    // burst, so what was open is forgotten too.
    if (overflowed) {
      open_writes_.clear();
      rewatch_all();
    }
    if (!recursive_) return;
    for (const auto& dir : batch.dirs_added) {
      if (add_tree(dir, false, &pending_) == add_status::no_space) {
        pending_.push_back(event{dir, event_kind::watch_error});
      }
    }
  }

  // Watches `dir` and, when recursive, the real subdirectories below it. Entries found on
  // the way are reported as created through `found`: they may have appeared before the
  // watch was in place, and no event will ever say so.
  add_status add_tree(const std::string& dir, bool is_root, std::vector<event>* found) {
    std::uint32_t mask = inotify_watch_mask();
    // A watch dir given as a symlink is followed; below it, a symlinked directory is not
    // entered (Kubernetes' `..data` swap is seen as a rename in the watched dir instead).
    if (!is_root) mask |= IN_DONT_FOLLOW;
    int wd = ::inotify_add_watch(fd_.native_handle(), dir.c_str(), mask);
    if (wd < 0) {
      int err = errno;
      if (err == ENOENT) return add_status::missing;
      if (err == ENOSPC) {
        if (!limit_warned_) {
          log_.warn("inotify watch limit reached; raise the sysctl fs.inotify.max_user_watches",
                    {{"dir", dir}});
          limit_warned_ = true;
        }
        return add_status::no_space;
      }
      log_.warn("cannot watch directory", {{"dir", dir}, {"error", errno_message(err)}});
      return add_status::failed;
    }
    remember(wd, dir);
    if (!recursive_) return add_status::added;

    std::error_code ec;
    for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
      std::string name = it->path().filename().string();
      if (is_internal_name(name)) continue;
      std::string child = join(dir, name);
      if (found) found->push_back(event{child, event_kind::created});
      std::error_code status_ec;
      if (!it->is_symlink(status_ec) && it->is_directory(status_ec)) {
        if (add_tree(child, false, found) == add_status::no_space) return add_status::no_space;
      }
    }
    return add_status::added;
  }

  void remember(int wd, const std::string& dir) {
    // The kernel returns the existing descriptor when the inode is already watched.
    if (auto old = dirs_.find(wd); old != dirs_.end() && old->second != dir) {
      wds_.erase(old->second);
    }
    // A stale descriptor for this path belongs to an inode that is gone; forgetting it
    // makes its late IN_IGNORED a no-op.
    if (auto stale = wds_.find(dir); stale != wds_.end() && stale->second != wd) {
      dirs_.erase(stale->second);
    }
    dirs_[wd] = dir;
    wds_[dir] = wd;
    if (confirmed_) confirmed_->insert(wd);
  }

  // Adds watches for every directory that exists now (the kernel hands back the existing
  // descriptor for those already watched) and drops those for directories that no longer do.
  void rewatch_all() {
    auto before = dirs_;
    std::unordered_set<int> confirmed;
    confirmed_ = &confirmed;
    bool complete = true;
    for (const auto& root : roots_) {
      if (missing_roots_.contains(root)) continue;
      auto status = add_tree(root, true, nullptr);
      if (status == add_status::missing) missing_roots_.insert(root);
      if (status == add_status::no_space) complete = false;
    }
    confirmed_ = nullptr;
    // A walk cut short by the watch limit confirms too little to drop anything.
    if (!complete) return;
    for (const auto& [wd, dir] : before) {
      if (confirmed.contains(wd)) continue;
      ::inotify_rm_watch(fd_.native_handle(), wd);
      if (auto it = wds_.find(dir); it != wds_.end() && it->second == wd) wds_.erase(it);
      dirs_.erase(wd);
    }
  }

  void drop_tree(const std::string& dir) {
    std::string prefix = dir + '/';
    std::vector<int> doomed;
    for (const auto& [wd, path] : dirs_) {
      if (path == dir || path.starts_with(prefix)) doomed.push_back(wd);
    }
    for (int wd : doomed) {
      // EINVAL when the kernel already dropped it; either way it is gone.
      ::inotify_rm_watch(fd_.native_handle(), wd);
      wds_.erase(dirs_[wd]);
      dirs_.erase(wd);
    }
  }

  void lose_watch(int wd) {
    auto it = dirs_.find(wd);
    if (it == dirs_.end()) return;
    std::string dir = it->second;
    drop_tree(dir);
    if (std::find(roots_.begin(), roots_.end(), dir) == roots_.end()) return;
    // A watch dir deleted or moved away: it may already be back (rm -rf; mkdir), else wait.
    readd_root(dir);
  }

  void readd_root(const std::string& root) {
    std::vector<event> found;
    switch (add_tree(root, true, &found)) {
      case add_status::added:
        missing_roots_.erase(root);
        log_.info("watch directory (re)appeared; watching it", {{"dir", root}});
        pending_.push_back(event{root, event_kind::created});
        for (auto& e : found)
          pending_.push_back(std::move(e));
        break;
      case add_status::missing:
        if (missing_roots_.insert(root).second) {
          log_.warn("watch directory is gone; it will be watched when it reappears",
                    {{"dir", root}});
        }
        break;
      case add_status::no_space:
      case add_status::failed:
        missing_roots_.insert(root);
        pending_.push_back(event{root, event_kind::watch_error});
        break;
    }
  }

  void retry_missing_roots() {
    std::vector<std::string> roots(missing_roots_.begin(), missing_roots_.end());
    for (const auto& root : roots) {
      std::error_code ec;
      if (!fs::exists(root, ec)) continue;
      missing_roots_.erase(root);
      readd_root(root);
    }
  }

  core::logger& log_;
  bool recursive_;
  std::chrono::milliseconds retry_interval_;
  std::vector<std::string> roots_;
  asio::posix::stream_descriptor fd_;
  asio::steady_timer retry_;
  std::vector<std::byte> buffer_;
  std::unordered_map<int, std::string> dirs_;  // watch descriptor -> directory
  std::unordered_map<std::string, int> wds_;   // directory -> watch descriptor
  std::set<std::string> missing_roots_;
  std::set<std::string> open_writes_;  // written, not closed yet
  std::vector<event> pending_;
  bool limit_warned_ = false;
  std::unordered_set<int>* confirmed_ = nullptr;  // set while rewatch_all walks
};

}  // namespace

std::string_view native_backend_name() {
  return "inotify";
}

core::result<std::unique_ptr<watcher>> make_native_watcher(asio::any_io_executor ex,
                                                           const watch_options& options,
                                                           core::logger& log) {
  int fd = ::inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
  if (fd < 0) {
    int err = errno;
    std::string msg = "inotify_init1 failed: " + errno_message(err);
    if (err == EMFILE) {
      msg +=
          " (per-user instance limit: raise the sysctl fs.inotify.max_user_instances; or "
          "the process's open file limit)";
    }
    return core::error{std::move(msg)};
  }
  auto w = std::make_unique<inotify_watcher>(std::move(ex), core::unique_fd(fd), options, log);
  if (auto started = w->start(); !started) return started.error();
  return std::unique_ptr<watcher>(std::move(w));
}

}  // namespace promwatch::watch
