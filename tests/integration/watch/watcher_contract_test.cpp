// The contract every watch backend passes, on a real temp dir, through change_stream.
// Every wait is bounded: a change must arrive within `arrival_limit`, and the whole
// scenario within `scenario_limit`, so a stuck backend fails instead of hanging CI.
#include <fcntl.h>
#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>
#include <stdlib.h>
#include <unistd.h>

#include <doctest/doctest.h>

#include "watch/change_stream.hpp"
#include "watch/watcher.hpp"

using namespace promwatch;
using namespace promwatch::watch;
using namespace std::chrono_literals;
namespace fs = std::filesystem;

namespace {

constexpr auto arrival_limit = 5s;
constexpr auto scenario_limit = 30s;
constexpr auto poll_interval = 100ms;

struct backend_case {
  const char* name;
  watch_backend backend;
  // The poll backend sees a burst straddling two walks as two bursts unless the quiet
  // period is longer than the interval between walks.
  std::chrono::milliseconds debounce;
};

class temp_dir {
 public:
  temp_dir() {
    std::string pattern = (fs::temp_directory_path() / "promwatch-watch-XXXXXX").string();
    REQUIRE(::mkdtemp(pattern.data()) != nullptr);
    path_ = pattern;
  }
  ~temp_dir() {
    std::error_code ec;
    fs::remove_all(path_, ec);
  }
  const fs::path& path() const { return path_; }

 private:
  fs::path path_;
};

void write_file(const fs::path& p, std::string_view content) {
  std::ofstream out(p, std::ios::binary | std::ios::trunc);
  out << content;
  REQUIRE(out.good());
}

std::vector<backend_case> available_backends() {
  std::vector<backend_case> out{{"poll", watch_backend::poll, 250ms}};
  temp_dir probe;
  asio::io_context io;
  std::ostringstream sink;
  core::logger log(sink, core::log_format::logfmt, core::log_level::error);
  watch_options options{.dirs = {probe.path()}, .backend = watch_backend::inotify};
  if (make_watcher(io.get_executor(), options, log)) {
    out.push_back({"inotify", watch_backend::inotify, 50ms});
  } else {
    MESSAGE("inotify is not available here; only the poll backend is tested");
  }
  return out;
}

bool mentions(const change& c, const fs::path& p) {
  return std::find(c.paths.begin(), c.paths.end(), p.string()) != c.paths.end();
}

std::string describe(const std::optional<change>& c) {
  if (!c) return "no change";
  std::string s = std::string(to_string(c->reason)) + ":";
  for (const auto& p : c->paths)
    s += " " + p;
  return s;
}

struct harness {
  temp_dir tmp;
  fs::path root = tmp.path() / "watched";
  asio::io_context io{1};
  std::ostringstream log_out;
  core::logger log{log_out, core::log_format::logfmt, core::log_level::debug};
  std::optional<change_stream> stream;

  harness() { fs::create_directories(root); }

  void start(const backend_case& b, bool recursive = true) {
    watch_options options{.dirs = {root},
                          .recursive = recursive,
                          .backend = b.backend,
                          .poll_interval = poll_interval};
    auto w = make_watcher(io.get_executor(), options, log);
    REQUIRE_MESSAGE(w.has_value(), (w ? "" : w.error().message));
    REQUIRE((*w)->backend_name() == std::string_view(b.name));
    stream.emplace(
        io.get_executor(), std::move(*w),
        change_stream_options{.debounce = b.debounce, .max_wait = 2s, .resync_interval = 0ms}, log);
  }

  /// Runs the stream and `scenario` together, after the initial change was taken.
  template <typename Scenario>
  void run(Scenario scenario) {
    bool finished = false;
    asio::co_spawn(
        io,
        [&]() -> awaitable<void> {
          auto ex = co_await asio::this_coro::executor;
          auto body = [&]() -> awaitable<void> {
            auto initial = co_await next_within(arrival_limit);
            REQUIRE(initial.has_value());
            CHECK(initial->reason == change_reason::initial);
            co_await scenario();
          };
          auto [order, run_error, body_error] =
              co_await asio::experimental::make_parallel_group(
                  asio::co_spawn(ex, stream->run(), asio::deferred),
                  asio::co_spawn(ex, body(), asio::deferred))
                  .async_wait(asio::experimental::wait_for_one(), use_awaitable);
          (void)run_error;
          // A failed REQUIRE inside the scenario surfaces here as its exception.
          if (order[0] == 1 && body_error) std::rethrow_exception(body_error);
          finished = order[0] == 1;
        },
        [](std::exception_ptr e) {
          if (e) std::rethrow_exception(e);
        });
    io.run_for(scenario_limit);
    CHECK_MESSAGE(finished, "scenario did not finish; log:\n" << log_out.str());
  }

  /// The next change, or nullopt if none comes within `limit`.
  awaitable<std::optional<change>> next_within(steady_clock::duration limit) {
    auto ex = co_await asio::this_coro::executor;
    asio::steady_timer timer(ex, limit);
    auto [order, err, c, timer_ec] =
        co_await asio::experimental::make_parallel_group(
            asio::co_spawn(ex, stream->next(), asio::deferred), timer.async_wait(asio::deferred))
            .async_wait(asio::experimental::wait_for_one(), use_awaitable);
    (void)timer_ec;
    if (order[0] == 0 && !err) co_return c;
    co_return std::nullopt;
  }

  /// Takes changes until none arrives for `quiet`; how many were taken.
  awaitable<int> settle(steady_clock::duration quiet = 500ms) {
    int taken = 0;
    while (taken < 20 && (co_await next_within(quiet)).has_value())
      ++taken;
    co_return taken;
  }

  /// Expects one change mentioning `path` (when given) within the arrival limit.
  awaitable<std::optional<change>> expect_change(std::optional<fs::path> path = std::nullopt) {
    auto c = co_await next_within(arrival_limit);
    CHECK_MESSAGE(c.has_value(), "no change within the limit; log:\n" << log_out.str());
    if (c && path) CHECK_MESSAGE(mentions(*c, *path), describe(c) << " lacks " << *path);
    co_return c;
  }
};

// Long enough for a poll backend to walk twice after its quiet period.
constexpr auto no_second_change_window = 600ms;

}  // namespace

TEST_CASE("an untouched tree produces no change") {
  for (const auto& b : available_backends()) {
    SUBCASE(b.name) {
      harness h;
      write_file(h.root / "prometheus.yml", "global: {}\n");
      h.start(b);
      h.run([&]() -> awaitable<void> {
        auto c = co_await h.next_within(no_second_change_window);
        CHECK_MESSAGE(!c.has_value(), describe(c));
      });
    }
  }
}

TEST_CASE("creating, modifying and deleting a file each produce a change") {
  for (const auto& b : available_backends()) {
    SUBCASE(b.name) {
      harness h;
      auto existing = h.root / "rules.yml";
      write_file(existing, "groups: []\n");
      h.start(b);
      SUBCASE("create") {
        h.run([&]() -> awaitable<void> {
          write_file(h.root / "new.yml", "groups: []\n");
          co_await h.expect_change(h.root / "new.yml");
        });
      }
      SUBCASE("modify in place") {
        h.run([&]() -> awaitable<void> {
          write_file(existing, "groups:\n- name: a\n  rules: []\n");
          co_await h.expect_change(existing);
        });
      }
      SUBCASE("delete") {
        h.run([&]() -> awaitable<void> {
          fs::remove(existing);
          co_await h.expect_change(existing);
        });
      }
    }
  }
}

TEST_CASE("a file replaced by renaming a temporary over it produces a change") {
  for (const auto& b : available_backends()) {
    SUBCASE(b.name) {
      harness h;
      auto target = h.root / "rules.yml";
      write_file(target, "groups: []\n");
      h.start(b);
      h.run([&]() -> awaitable<void> {
        auto tmp = h.root / ".rules.yml.tmp";
        write_file(tmp, "groups:\n- name: replaced\n  rules: []\n");
        fs::rename(tmp, target);
        // The temporary may be seen on its own first (poll), so look through a few changes.
        bool seen = false;
        for (int i = 0; i < 3 && !seen; ++i) {
          auto c = co_await h.expect_change();
          if (!c) break;
          seen = mentions(*c, target);
        }
        CHECK(seen);
      });
    }
  }
}

TEST_CASE("a Kubernetes ConfigMap update yields exactly one change") {
  for (const auto& b : available_backends()) {
    SUBCASE(b.name) {
      harness h;
      auto old_dir = h.root / "..2024_01_01_00_00_00.1";
      auto new_dir = h.root / "..2024_01_01_00_05_00.2";
      fs::create_directory(old_dir);
      write_file(old_dir / "rules.yml", "groups: []\n");
      fs::create_directory_symlink(old_dir.filename(), h.root / "..data");
      fs::create_symlink("..data/rules.yml", h.root / "rules.yml");
      h.start(b);
      h.run([&]() -> awaitable<void> {
        // What the kubelet's atomic writer does.
        fs::create_directory(new_dir);
        write_file(new_dir / "rules.yml", "groups:\n- name: updated\n  rules: []\n");
        fs::create_directory_symlink(new_dir.filename(), h.root / "..data_tmp");
        fs::rename(h.root / "..data_tmp", h.root / "..data");
        fs::remove_all(old_dir);

        auto c = co_await h.expect_change(h.root / "..data");
        auto second = co_await h.next_within(no_second_change_window);
        CHECK_MESSAGE(!second.has_value(), describe(second));
      });
    }
  }
}

TEST_CASE("a watched directory removed and recreated is still watched") {
  for (const auto& b : available_backends()) {
    SUBCASE(b.name) {
      harness h;
      fs::create_directory(h.root / "sub");
      write_file(h.root / "sub" / "a.yml", "a\n");
      write_file(h.root / "top.yml", "t\n");
      h.start(b);
      fs::path dir;
      SUBCASE("the watch dir itself") {
        dir = h.root;
      }
      SUBCASE("a subdirectory") {
        dir = h.root / "sub";
      }
      h.run([&]() -> awaitable<void> {
        fs::remove_all(dir);
        fs::create_directory(dir);
        co_await h.expect_change();
        co_await h.settle();
        write_file(dir / "after.yml", "x\n");
        co_await h.expect_change(dir / "after.yml");
      });
    }
  }
}

TEST_CASE("a burst of 100 writes coalesces into one change") {
  for (const auto& b : available_backends()) {
    SUBCASE(b.name) {
      harness h;
      auto file = h.root / "burst.yml";
      write_file(file, "0\n");
      h.start(b);
      h.run([&]() -> awaitable<void> {
        for (int i = 1; i <= 100; ++i)
          write_file(file, std::to_string(i) + "\n");
        co_await h.expect_change(file);
        auto second = co_await h.next_within(no_second_change_window);
        CHECK_MESSAGE(!second.has_value(), describe(second));
      });
    }
  }
}

TEST_CASE("a file in a subdirectory created after start is seen") {
  for (const auto& b : available_backends()) {
    SUBCASE(b.name) {
      harness h;
      h.start(b);
      fs::path dir;
      SUBCASE("one level") {
        dir = h.root / "new";
      }
      SUBCASE("created with parents") {
        dir = h.root / "a" / "b" / "c";
      }
      h.run([&]() -> awaitable<void> {
        fs::create_directories(dir);
        co_await h.expect_change();
        co_await h.settle();
        write_file(dir / "rules.yml", "groups: []\n");
        co_await h.expect_change(dir / "rules.yml");
      });
    }
  }
}

TEST_CASE("a watch dir missing at start is picked up when it appears") {
  for (const auto& b : available_backends()) {
    SUBCASE(b.name) {
      harness h;
      fs::remove_all(h.root);
      h.start(b);
      CHECK(h.log_out.str().find("does not exist") != std::string::npos);
      h.run([&]() -> awaitable<void> {
        fs::create_directory(h.root);
        write_file(h.root / "late.yml", "x\n");
        bool seen = false;
        for (int i = 0; i < 3 && !seen; ++i) {
          auto c = co_await h.expect_change();
          if (!c) break;
          seen = mentions(*c, h.root / "late.yml") || mentions(*c, h.root);
        }
        CHECK(seen);
        co_await h.settle();
        write_file(h.root / "later.yml", "y\n");
        co_await h.expect_change(h.root / "later.yml");
      });
    }
  }
}

TEST_CASE("without recursion only the watch dir's own entries are watched") {
  for (const auto& b : available_backends()) {
    SUBCASE(b.name) {
      harness h;
      fs::create_directory(h.root / "sub");
      write_file(h.root / "sub" / "inner.yml", "a\n");
      h.start(b, false);
      h.run([&]() -> awaitable<void> {
        write_file(h.root / "sub" / "inner.yml", "changed\n");
        auto c = co_await h.next_within(no_second_change_window);
        CHECK_MESSAGE(!c.has_value(), describe(c));
        write_file(h.root / "top.yml", "t\n");
        co_await h.expect_change(h.root / "top.yml");
      });
    }
  }
}

TEST_CASE("a file written in two steps is not reported between them (inotify)") {
  for (const auto& b : available_backends()) {
    if (b.backend != watch_backend::inotify) continue;  // poll cannot see an open writer
    harness h;
    const auto file = h.root / "rules.yml";
    write_file(file, "groups: []\n");
    h.start(b);
    h.run([&]() -> awaitable<void> {
      const int fd = ::open(file.c_str(), O_WRONLY | O_TRUNC | O_CLOEXEC);
      REQUIRE(fd >= 0);
      const std::string first = "groups:\n- name: g\n", second = "  rules: []\n";
      REQUIRE(::write(fd, first.data(), first.size()) == static_cast<ssize_t>(first.size()));
      // Before, the quiet period (50ms) ended the burst here and the half file was read.
      auto early = co_await h.next_within(700ms);
      CHECK_MESSAGE(!early.has_value(), "a change while the file was open: " << describe(early));
      REQUIRE(::write(fd, second.data(), second.size()) == static_cast<ssize_t>(second.size()));
      ::close(fd);
      co_await h.expect_change(file);
    });
  }
}
