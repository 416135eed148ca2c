#pragma once
#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "app/sync_state.hpp"

namespace promwatch::app {

/// The pipeline's bookkeeping beyond file contents, free of I/O: what each reload target
/// acknowledged, whether promwatch is ready, and whether a failed publish is to be retried.
/// Every method returns the decision; the shell (run.cpp) turns it into metrics, logs and
/// /status. Lives on the loop's thread.
class pipeline_state {
 public:
  pipeline_state(std::size_t targets, bool publish_mode);

  sync_state& sync() { return sync_; }
  const sync_state& sync() const { return sync_; }

  // --- readiness ---------------------------------------------------------------------
  /// The first sync was decided (and, when it asked for a reload, `reload_asked` is set).
  void on_first_sync(bool reload_asked);
  struct readiness {
    bool ok = false;
    std::string reason;  // why not, when not
  };
  /// Ready once the first sync is done, the startup reload (if any) got a first answer from
  /// some target, and in publish mode something was published.
  readiness ready() const;

  // --- reload requests and per-target acknowledgement --------------------------------
  /// A reload of `fingerprint` is asked for; returns its generation.
  std::uint64_t on_reload_requested(const std::string& fingerprint);
  std::uint64_t generation() const { return generation_; }

  struct report {
    std::size_t target = 0;
    std::uint64_t generation = 0;
    std::string fingerprint;
    bool ok = false;
    bool final = true;
    bool superseded = false;
  };
  struct report_decision {
    bool count = false;         // a real attempt outcome: count reloads (and failures)
    bool series_ended = false;  // final: observe the duration, log the end
    bool failed = false;        // the series ended without success
    /// Every target now acknowledged the same generation: this fingerprint is applied.
    bool all_applied = false;
    /// Nothing newer than this report's generation is waiting: pending_changes back to 0.
    bool pending_cleared = false;
  };
  report_decision on_reload_report(const report& r);
  /// The generation target `i` last confirmed (0: none yet).
  std::uint64_t acknowledged(std::size_t i) const { return acked_.at(i).generation; }
  std::size_t targets() const { return acked_.size(); }

  // --- publishing ----------------------------------------------------------------------
  /// A publish failed: it stays pending. Returns how long to wait before retrying it.
  std::chrono::milliseconds on_publish_failed();
  void on_publish_succeeded();
  bool publish_pending() const { return publish_failures_ > 0; }
  int publish_failures() const { return publish_failures_; }

 private:
  struct ack {
    std::uint64_t generation = 0;
    std::string fingerprint;
  };
  sync_state sync_;
  bool publish_mode_;
  bool first_sync_done_ = false;
  bool startup_reload_pending_ = false;
  bool published_ = false;
  std::uint64_t generation_ = 0;
  std::vector<ack> acked_;
  int publish_failures_ = 0;
};

/// The wait before retrying a failed publish for the n-th time in a row (n >= 1):
/// 1s, 2s, 4s, ... capped at 60s.
std::chrono::milliseconds publish_retry_delay(int failures);

}  // namespace promwatch::app
