#include <utility>

#include "core/offload.hpp"
#include "watch/backends.hpp"
#include "watch/poll_state.hpp"

namespace promwatch::watch {
namespace {

class poll_watcher final : public watcher {
 public:
  poll_watcher(asio::any_io_executor ex, const watch_options& options)
      : roots_(normalize_roots(options.dirs)),
        recursive_(options.recursive),
        interval_(options.poll_interval),
        timer_(std::move(ex)),
        pool_(1) {}

  ~poll_watcher() override {
    // Joins a walk still running so it never outlives what it reports to.
    pool_.stop();
    pool_.join();
  }

  /// Takes the baseline that the first poll compares against.
  void start(core::logger& log) {
    auto walked = walk_trees(roots_, recursive_);
    for (const auto& root : roots_) {
      if (!walked.entries.contains(root)) {
        log.warn("watch directory does not exist; it will be polled until it appears",
                 {{"dir", root}});
      }
    }
    baseline_ = std::move(walked.entries);
    dirs_ = walked.dirs;
  }

  awaitable<core::result<std::vector<event>>> next() override {
    for (;;) {
      timer_.expires_after(interval_);
      co_await timer_.async_wait(use_awaitable);
      walk_result walked = co_await walk_off_loop();
      // Cancelled while walking: keep the old baseline so the differences are reported by
      // the next call instead of being lost.
      auto state = co_await asio::this_coro::cancellation_state;
      if (state.cancelled() != asio::cancellation_type::none) {
        throw boost::system::system_error(asio::error::operation_aborted);
      }
      auto events = diff_trees(baseline_, walked.entries);
      baseline_ = std::move(walked.entries);
      dirs_ = walked.dirs;
      if (!events.empty()) co_return events;
    }
  }

  std::size_t watch_count() const override { return dirs_; }
  std::string_view backend_name() const override { return "poll"; }

 private:
  // The walk is blocking I/O over a tree of any size, so it runs on the pool.
  awaitable<walk_result> walk_off_loop() {
    return core::offload(
        pool_, [roots = roots_, recursive = recursive_] { return walk_trees(roots, recursive); });
  }

  std::vector<std::string> roots_;
  bool recursive_;
  std::chrono::milliseconds interval_;
  asio::steady_timer timer_;
  asio::thread_pool pool_;
  tree_state baseline_;
  std::size_t dirs_ = 0;
};

}  // namespace

core::result<std::unique_ptr<watcher>> make_poll_watcher(asio::any_io_executor ex,
                                                         const watch_options& options,
                                                         core::logger& log) {
  if (options.poll_interval <= std::chrono::milliseconds::zero()) {
    return core::error{"poll interval must be positive"};
  }
  auto w = std::make_unique<poll_watcher>(std::move(ex), options);
  w->start(log);
  return std::unique_ptr<watcher>(std::move(w));
}

}  // namespace promwatch::watch
