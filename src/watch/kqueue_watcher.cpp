// The BSD/macOS backend slot. Compiled only where inotify is not (CMake filters
// kqueue_*.cpp on Linux), so it has never been built or run by this project's CI.
//
// A kqueue backend needs one open descriptor per watched file and directory and reports a
// directory change without names (the directory has to be re-listed). Until it exists,
// auto_select falls back to the poll backend here, with a logged warning.
#include "watch/backends.hpp"

namespace promwatch::watch {

std::string_view native_backend_name() {
  return "kqueue";
}

core::result<std::unique_ptr<watcher>> make_native_watcher(asio::any_io_executor,
                                                           const watch_options&, core::logger&) {
  return core::error{"the kqueue backend is not implemented yet"};
}

}  // namespace promwatch::watch
