#pragma once
#include <chrono>
#include <optional>
#include <span>

#include "watch/change.hpp"
#include "watch/event.hpp"

namespace promwatch::watch {

struct coalescer_options {
  /// A burst ends after this long without events (trailing debounce).
  std::chrono::milliseconds quiet{250};
  /// A burst that never goes quiet still fires this long after its first event.
  std::chrono::milliseconds max_wait{2000};
};

/// Turns a stream of events into few changes. Sans-I/O: no clock, no timers; the caller
/// feeds events with the time they arrived, sleeps until `deadline()` and calls `fire`.
///
/// Rules: a burst fires `quiet` after its last event, but no later than `max_wait` after its
/// first; a `commit` (the Kubernetes `..data` swap) makes the burst due at once; `overflow`
/// or `watch_error` make it a full rescan; while a write is in progress only `max_wait` (or
/// a commit) ends it.
class coalescer {
 public:
  using clock = std::chrono::steady_clock;
  using time_point = clock::time_point;

  explicit coalescer(coalescer_options options = {});

  /// Records events that arrived at `now`. Times must not go backwards.
  void add(std::span<const event> events, time_point now);
  void add(const event& e, time_point now) { add(std::span<const event>(&e, 1), now); }

  /// When the pending burst is due; nullopt when nothing is pending.
  std::optional<time_point> deadline() const;

  /// The pending burst as one change if it is due at `now` (and then forgets it);
  /// nullopt if nothing is pending or it is not due yet.
  std::optional<change> fire(time_point now);

  bool pending() const { return first_.has_value(); }

  /// Whether a file is still open for writing (watcher::writes_in_progress): while it is,
  /// the pending burst does not end on a quiet period, only on `max_wait` (or a commit), so
  /// a file written in two steps a second apart is not looked at in between.
  void set_writes_in_progress(bool writing) { writing_ = writing; }

 private:
  coalescer_options options_;
  std::optional<time_point> first_;
  time_point last_{};
  bool committed_ = false;
  bool writing_ = false;
  change change_;
};

}  // namespace promwatch::watch
