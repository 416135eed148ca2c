#pragma once
#include <array>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string_view>

#include "core/asio.hpp"
#include "core/latest_slot.hpp"
#include "core/logger.hpp"
#include "watch/change.hpp"
#include "watch/coalescer.hpp"
#include "watch/watcher.hpp"

namespace promwatch::watch {

struct change_stream_options {
  /// Quiet period that ends a burst. With the poll backend, a burst that straddles two
  /// walks is one change only if this exceeds the poll interval.
  std::chrono::milliseconds debounce{250};
  std::chrono::milliseconds max_wait{2000};
  /// A full-rescan change after this long without any change; zero turns it off.
  std::chrono::milliseconds resync_interval{std::chrono::minutes(3)};
};

/// Cumulative counters for the metrics the app exports (`reloader_watch_events_total{kind}`,
/// `reloader_watch_errors_total`, `reloader_watches`). Monotonic except `watches`: export a
/// counter by adding the difference from the last read.
struct watch_stats {
  std::array<std::uint64_t, event_kind_count> events{};  ///< indexed by event_kind
  std::uint64_t errors = 0;     ///< watcher failures and watch_error events
  std::uint64_t overflows = 0;  ///< overflow events (the kernel queue overflowed)
  std::uint64_t changes = 0;    ///< changes produced, before merging into the slot
  std::size_t watches = 0;      ///< the watcher's current watch_count()

  std::uint64_t events_of(event_kind k) const { return events[static_cast<std::size_t>(k)]; }
};

/// The watch stage as the app uses it: reads a watcher continuously, coalesces its events,
/// adds periodic resyncs, and keeps at most one pending change (newer ones merge into it),
/// so a slow consumer never blocks the watcher and never misses that something changed.
///
/// Executor: one thread (the loop's). The object must outlive `run()` and `next()`.
class change_stream {
 public:
  change_stream(asio::any_io_executor ex, std::unique_ptr<watcher> source,
                change_stream_options options, core::logger& log);

  /// Runs until cancelled (throws operation_aborted then, like any Asio wait). Never ends
  /// on a watcher failure: that is logged, counted and turned into a full-rescan change,
  /// and the watcher is read again after a growing pause (up to 30s).
  awaitable<void> run();

  /// The next change, merged with any that arrived since the last call. The first call
  /// returns `initial` (full_rescan) at once. Cancellable; a pending change stays pending.
  awaitable<change> next();

  /// True when a change is waiting for `next()` (for a "pending changes" gauge).
  bool has_pending() const { return slot_.has_value(); }

  watch_stats stats() const;
  std::string_view backend_name() const { return source_->backend_name(); }

 private:
  awaitable<void> read_events();
  awaitable<void> emit_changes();
  void deliver(change c);

  std::unique_ptr<watcher> source_;
  change_stream_options options_;
  core::logger& log_;
  coalescer coalescer_;
  asio::steady_timer wake_;  // emit_changes sleeps on it; read_events cancels it to re-plan
  asio::steady_timer backoff_;
  core::latest_slot<change> slot_;
  watch_stats stats_;
};

}  // namespace promwatch::watch
