#pragma once
// Internal to watch/: the constructors make_watcher chooses between. The native backend is
// whichever of inotify_watcher.cpp / kqueue_watcher.cpp CMake compiled for this platform.
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/asio.hpp"
#include "core/error.hpp"
#include "core/logger.hpp"
#include "watch/watcher.hpp"

namespace promwatch::watch {

/// "inotify" or "kqueue": the kernel mechanism this build has.
std::string_view native_backend_name();

/// Sets up the kernel backend. Errors name the limit that was hit (e.g. the sysctl), so the
/// caller can log them when falling back to poll.
core::result<std::unique_ptr<watcher>> make_native_watcher(asio::any_io_executor ex,
                                                           const watch_options& options,
                                                           core::logger& log);

/// Sets up the poll backend and takes its baseline walk.
core::result<std::unique_ptr<watcher>> make_poll_watcher(asio::any_io_executor ex,
                                                         const watch_options& options,
                                                         core::logger& log);

/// The watch dirs as the strings events are built from: lexically normal, no trailing
/// slash, duplicates dropped, order kept.
std::vector<std::string> normalize_roots(const std::vector<std::filesystem::path>& dirs);

}  // namespace promwatch::watch
