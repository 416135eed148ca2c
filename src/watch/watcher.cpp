#include "watch/watcher.hpp"

#include <algorithm>
#include <string>

#include "watch/backends.hpp"

namespace promwatch::watch {

std::vector<std::string> normalize_roots(const std::vector<std::filesystem::path>& dirs) {
  std::vector<std::string> out;
  for (const auto& dir : dirs) {
    std::string s = dir.lexically_normal().string();
    while (s.size() > 1 && s.ends_with('/'))
      s.pop_back();
    if (s.empty()) s = ".";
    if (std::find(out.begin(), out.end(), s) == out.end()) out.push_back(std::move(s));
  }
  return out;
}

core::result<std::unique_ptr<watcher>> make_watcher(asio::any_io_executor ex,
                                                    const watch_options& options,
                                                    core::logger& log) {
  using backend = watch_backend;
  switch (options.backend) {
    case backend::poll:
      return make_poll_watcher(std::move(ex), options, log);
    case backend::inotify:
    case backend::kqueue: {
      std::string_view wanted = options.backend == backend::inotify ? "inotify" : "kqueue";
      if (wanted != native_backend_name()) {
        return core::error{std::string(wanted) + " is not available on this platform (it has " +
                           std::string(native_backend_name()) + ")"};
      }
      return make_native_watcher(std::move(ex), options, log);
    }
    case backend::auto_select:
      break;
  }
  auto native = make_native_watcher(ex, options, log);
  if (native) return native;
  log.warn("cannot use the kernel's file events; falling back to polling",
           {{"backend", native_backend_name()},
            {"error", native.error().message},
            {"poll_interval_ms", static_cast<long long>(options.poll_interval.count())}});
  return make_poll_watcher(std::move(ex), options, log);
}

}  // namespace promwatch::watch
