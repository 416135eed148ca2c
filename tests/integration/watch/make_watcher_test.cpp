// Backend selection on this platform.
#include <filesystem>
#include <sstream>
#include <stdlib.h>

#include <doctest/doctest.h>

#include "watch/watcher.hpp"

using namespace promwatch;
using namespace promwatch::watch;
namespace fs = std::filesystem;

TEST_CASE("make_watcher builds the backend asked for or says why not") {
  std::string pattern = (fs::temp_directory_path() / "promwatch-factory-XXXXXX").string();
  REQUIRE(::mkdtemp(pattern.data()) != nullptr);
  fs::path dir = pattern;
  asio::io_context io;
  std::ostringstream out;
  core::logger log(out, core::log_format::logfmt, core::log_level::debug);
  watch_options options{.dirs = {dir}};

  SUBCASE("poll is available everywhere") {
    options.backend = watch_backend::poll;
    auto w = make_watcher(io.get_executor(), options, log);
    REQUIRE(w.has_value());
    CHECK((*w)->backend_name() == "poll");
    CHECK((*w)->watch_count() == 1);
  }
  SUBCASE("a non-positive poll interval is refused") {
    options.backend = watch_backend::poll;
    options.poll_interval = std::chrono::milliseconds(0);
    CHECK_FALSE(make_watcher(io.get_executor(), options, log).has_value());
  }
  SUBCASE("auto selects a kernel backend here, or falls back to poll with a warning") {
    auto w = make_watcher(io.get_executor(), options, log);
    REQUIRE(w.has_value());
    if ((*w)->backend_name() == "poll") {
      CHECK(out.str().find("falling back to polling") != std::string::npos);
    } else {
      CHECK((*w)->watch_count() == 1);
    }
  }
  SUBCASE("exactly one of inotify and kqueue exists on a platform") {
    options.backend = watch_backend::inotify;
    auto inotify = make_watcher(io.get_executor(), options, log);
    options.backend = watch_backend::kqueue;
    auto kqueue = make_watcher(io.get_executor(), options, log);
    CHECK_FALSE((inotify.has_value() && kqueue.has_value()));
    auto& refused = inotify ? kqueue : inotify;
    if (!refused) CHECK(refused.error().message.find("not available") != std::string::npos);
  }
  SUBCASE("a missing watch dir is a warning, not an error") {
    options.dirs = {dir / "absent"};
    auto w = make_watcher(io.get_executor(), options, log);
    CHECK(w.has_value());
    CHECK(out.str().find("does not exist") != std::string::npos);
  }
  fs::remove_all(dir);
}
