#pragma once
#include <chrono>
#include <functional>
#include <optional>
#include <random>

#include "core/asio.hpp"
#include "core/logger.hpp"
#include "profile/target_tracker.hpp"
#include "reload/http_client.hpp"

namespace promwatch::profile {

/// What one round of questions to a target produced: its facts, or why there are none.
struct query_answer {
  std::optional<target_facts> facts;
  query_failure failure;
};

/// Asks the Prometheus behind `reload_url` what it runs: GET /api/v1/status/buildinfo,
/// /api/v1/status/flags and, on 3.9+, /api/v1/features (a route prefix in the reload URL is
/// kept). Each request has its own `timeout` and a bounded body. Errors are values.
/// Cancellation: ends at once with a failure whose message is the abort.
awaitable<query_answer> query_target(reload::url reload_url, std::chrono::milliseconds timeout);

/// Keeps asking one target, on the loop's thread: at once, then after each answer every
/// `refresh`, with a short backoff while it does not answer, and at once after `poke()`.
/// Every outcome goes to `observer` with the tracker's state.
class target_probe {
 public:
  using observer = std::function<void(const tracker&, observation)>;

  target_probe(reload::url reload_url, std::chrono::milliseconds refresh,
               std::chrono::milliseconds timeout, observer on_outcome);

  /// Runs until cancelled (throws operation_aborted then). Needs the object alive.
  awaitable<void> run();
  /// Ask again now (after a reload outcome: a restart or an upgrade shows up at once).
  void poke();

  const tracker& state() const { return tracker_; }
  const reload::url& reload_url() const { return url_; }

 private:
  reload::url url_;
  std::chrono::milliseconds timeout_;
  tracker tracker_;
  observer observer_;
  std::minstd_rand rng_;
  bool poked_ = false;
  std::optional<asio::steady_timer> wake_;
};

}  // namespace promwatch::profile
