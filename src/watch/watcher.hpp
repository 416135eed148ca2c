#pragma once
#include <chrono>
#include <cstddef>
#include <filesystem>
#include <memory>
#include <string_view>
#include <vector>

#include "core/asio.hpp"
#include "core/error.hpp"
#include "core/logger.hpp"
#include "watch/event.hpp"

namespace promwatch::watch {

/// Which directories to watch and how.
struct watch_options {
  std::vector<std::filesystem::path> dirs;
  /// Also watch real subdirectories (not symlinked ones, not `..*` internals).
  bool recursive = true;
  /// `auto_select`: inotify on Linux, kqueue elsewhere, poll when those cannot be set up.
  enum class backend { auto_select, inotify, kqueue, poll } backend = backend::auto_select;
  /// Period of the poll backend's walk; the kernel backends use it as the retry period for
  /// a watched directory that does not exist (yet, or again).
  std::chrono::milliseconds poll_interval{1000};
};

/// The backend enum as a type: inside code, `watch_options::backend` names the member, so
/// only `watch_options::backend::poll`-style qualified enumerators work without this.
using watch_backend = decltype(watch_options::backend);

/// One watching mechanism. Every backend passes the same contract test.
///
/// Executor: use from the loop's one thread; a backend may do heavy work on its own threads
/// but completes `next()` on the caller's executor.
class watcher {
 public:
  virtual ~watcher() = default;

  /// Waits for the next non-empty batch of events. Directories that appear later (a missing
  /// watch dir, a new subdirectory, a watched dir recreated) are picked up and reported as
  /// `created`. Errors: a result error when the mechanism itself failed (the caller should
  /// rescan and call again after a pause). Cancellation: throws `operation_aborted` like any
  /// Asio wait; events not yet returned stay queued for the next call.
  virtual awaitable<core::result<std::vector<event>>> next() = 0;

  /// Kernel watches held (inotify), or directories walked last time (poll).
  virtual std::size_t watch_count() const = 0;

  /// "inotify", "kqueue" or "poll", for logs and /status.
  virtual std::string_view backend_name() const = 0;

  /// True while a file seen being written has not been closed yet (inotify: IN_MODIFY
  /// without IN_CLOSE_WRITE since), so acting now could read it half-written. Backends that
  /// cannot tell (poll) say false.
  virtual bool writes_in_progress() const { return false; }
};

/// Builds the backend `options.backend` names. `auto_select` takes the platform's kernel
/// mechanism and falls back to poll with a warning when it cannot be set up (inotify limits).
/// Setup is synchronous (watches are added, the poll baseline is taken) so nothing that
/// happens after this returns is missed; call it once at startup. A watch dir that does not
/// exist is a warning, not an error. Errors: the requested backend is not available here, or
/// could not be set up.
core::result<std::unique_ptr<watcher>> make_watcher(asio::any_io_executor ex,
                                                    const watch_options& options,
                                                    core::logger& log);

}  // namespace promwatch::watch
