#include "watch/change_stream.hpp"

#include <algorithm>
#include <exception>
#include <utility>

namespace promwatch::watch {

namespace {
constexpr std::chrono::milliseconds first_backoff{100};
constexpr std::chrono::milliseconds max_backoff{30000};
}  // namespace

change_stream::change_stream(asio::any_io_executor ex, std::unique_ptr<watcher> source,
                             change_stream_options options, core::logger& log)
    : source_(std::move(source)),
      options_(options),
      log_(log),
      coalescer_(coalescer_options{options.debounce, options.max_wait}),
      wake_(ex),
      backoff_(ex),
      slot_(ex) {
  slot_.put(change{change_reason::initial, {}, 0, true});
}

watch_stats change_stream::stats() const {
  watch_stats s = stats_;
  s.watches = source_->watch_count();
  return s;
}

awaitable<void> change_stream::run() {
  auto ex = co_await asio::this_coro::executor;
  // Two activities share this object on one thread: reading never waits for a change to be
  // due, so the kernel queue keeps draining whatever the consumer is doing.
  auto [order, read_error, emit_error] =
      co_await asio::experimental::make_parallel_group(
          asio::co_spawn(ex, read_events(), asio::deferred),
          asio::co_spawn(ex, emit_changes(), asio::deferred))
          .async_wait(asio::experimental::wait_for_one(), use_awaitable);
  // Both loop forever, so the first one ended by an exception (cancellation included).
  std::exception_ptr first = order[0] == 0 ? read_error : emit_error;
  if (first) std::rethrow_exception(first);
}

awaitable<change> change_stream::next() {
  co_return co_await slot_.take();
}

awaitable<void> change_stream::read_events() {
  auto backoff = first_backoff;
  for (;;) {
    auto batch = co_await source_->next();
    auto now = steady_clock::now();
    if (!batch) {
      ++stats_.errors;
      log_.error("file watcher failed; everything will be rescanned",
                 {{"backend", source_->backend_name()},
                  {"error", batch.error().message},
                  {"retry_in_ms", static_cast<long long>(backoff.count())}});
      coalescer_.add(event{"", event_kind::watch_error}, now);
      wake_.cancel();
      backoff_.expires_after(backoff);
      co_await backoff_.async_wait(use_awaitable);
      backoff = std::min(backoff * 2, max_backoff);
      continue;
    }
    backoff = first_backoff;
    for (const event& e : *batch) {
      ++stats_.events[static_cast<std::size_t>(e.kind)];
      if (e.kind == event_kind::overflow) {
        ++stats_.overflows;
        log_.warn("file events were lost (inotify queue overflow); everything will be rescanned");
      } else if (e.kind == event_kind::watch_error) {
        ++stats_.errors;
        log_.warn("a directory could not be watched; everything will be rescanned",
                  {{"path", e.path}});
      } else if (log_.enabled(core::log_level::debug)) {
        log_.debug("file event", {{"kind", to_string(e.kind)}, {"path", e.path}});
      }
    }
    coalescer_.add(*batch, now);
    coalescer_.set_writes_in_progress(source_->writes_in_progress());
    wake_.cancel();
  }
}

awaitable<void> change_stream::emit_changes() {
  const bool resync = options_.resync_interval > std::chrono::milliseconds::zero();
  auto next_resync = steady_clock::now() + options_.resync_interval;
  for (;;) {
    auto wake_at = steady_clock::time_point::max();
    if (auto due = coalescer_.deadline()) wake_at = *due;
    if (resync) wake_at = std::min(wake_at, next_resync);
    wake_.expires_at(wake_at);
    // operation_aborted means read_events added events (re-plan) or a real cancellation,
    // which makes the next co_await throw.
    co_await wake_.async_wait(as_tuple_awaitable);

    auto now = steady_clock::now();
    if (auto c = coalescer_.fire(now)) {
      deliver(std::move(*c));
      next_resync = now + options_.resync_interval;
    } else if (resync && now >= next_resync) {
      deliver(change{change_reason::resync, {}, 0, true});
      next_resync = now + options_.resync_interval;
    }
  }
}

void change_stream::deliver(change c) {
  ++stats_.changes;
  log_.debug("change", {{"reason", to_string(c.reason)},
                        {"paths", static_cast<long long>(c.path_count)},
                        {"full_rescan", c.full_rescan}});
  if (auto waiting = slot_.try_take()) c = merge(std::move(*waiting), c);
  slot_.put(std::move(c));
}

}  // namespace promwatch::watch
