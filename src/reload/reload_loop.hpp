#pragma once
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "core/asio.hpp"
#include "core/latest_slot.hpp"
#include "core/logger.hpp"
#include "reload/http_reloader.hpp"

namespace promwatch::reload {

/// "Make Prometheus load what is on disk now": the producer's generation counter and the
/// sha256 of the content that was validated, for reports.
struct reload_request {
  std::uint64_t generation = 0;
  std::string sha256;
};

/// One outcome for one target. `final` reports end a request's series for that target:
/// success, a give-up after repeated 500s, or `result.superseded` (a newer request took
/// over; its own report follows). Non-final reports are failed attempts to be retried in
/// `retry_in`, so status and metrics show trouble while a series is still running.
struct reload_report {
  std::size_t target_index = 0;
  std::string url;
  reload_request request;
  reload_result result;
  bool final = true;
  std::chrono::milliseconds retry_in{0};
};

using reload_observer = std::function<void(const reload_report&)>;

/// Single flight, latest wins, for each of one or more reload targets, independently.
class reload_loop {
 public:
  /// `requests` and `log` must outlive `run()`. The observer is called on the loop's thread.
  reload_loop(std::vector<url> targets, reload_options options,
              core::latest_slot<reload_request>& requests, core::logger& log,
              reload_observer observer);

  /// Takes requests and hands each to every target. Targets are independent: each waits for
  /// its own readiness, runs its own series and retries, so one that is down never holds
  /// back another. Guarantees, per target: one series at a time; a request that arrives
  /// while the target's attempts are in flight (or while it waits for readiness) leads to
  /// exactly one follow-up series with the newest request; a request that arrives during a
  /// backoff wait abandons that wait at once. Producers never block (they only `put`).
  /// Never returns on its own. Cancellation ends it promptly, also mid-request, by throwing
  /// `system_error(operation_aborted)` like any Asio wait.
  awaitable<void> run();

 private:
  /// One target's own mailbox and state.
  struct target_state {
    explicit target_state(http_reloader r) : reloader(std::move(r)) {}
    http_reloader reloader;
    std::optional<reload_request> pending;    // the newest request not started for it yet
    std::optional<asio::steady_timer> newer;  // cancelled when `pending` is set
  };

  awaitable<void> dispatch();
  awaitable<void> serve_target(std::size_t index);
  awaitable<bool> backoff(target_state& t, std::chrono::milliseconds delay);

  std::vector<target_state> targets_;
  core::latest_slot<reload_request>& requests_;
  core::logger& log_;
  reload_observer observer_;
};

}  // namespace promwatch::reload
