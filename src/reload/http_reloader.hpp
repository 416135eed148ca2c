#pragma once
#include <chrono>
#include <functional>
#include <random>
#include <string>

#include "core/asio.hpp"
#include "core/logger.hpp"
#include "reload/http_client.hpp"
#include "reload/retry_policy.hpp"

namespace promwatch::reload {

/// How one target is reloaded.
struct reload_options {
  std::chrono::milliseconds attempt_timeout = default_attempt_timeout;
  retry_settings retry{};
  /// Polling `/-/ready` before the first reload: the transient backoff of these settings.
  backoff_settings readiness{std::chrono::milliseconds{250}, 2.0, std::chrono::seconds{5}};
  /// Uniform samples in [0, 1] for backoff jitter; empty means a seeded PRNG. Tests pass a
  /// constant to make delays exact.
  std::function<double()> jitter;
};

/// The outcome of one reload series (or, for progress reports, of its latest attempt).
struct reload_result {
  bool ok = false;
  /// A newer request arrived during a backoff wait; the series was abandoned for it.
  bool superseded = false;
  outcome_class last_class = outcome_class::success;
  int attempts = 0;
  unsigned last_status = 0;  ///< 0 when the last attempt got no HTTP answer
  error_code last_error;     ///< transport error of the last attempt
  std::string message;       ///< what happened, with a hint or Prometheus' message
  steady_clock::duration duration{};
};

/// Waits between attempts. Returns true when the whole delay passed, false when the wait
/// was abandoned because a newer request makes this series moot.
using backoff_wait = std::function<awaitable<bool>(std::chrono::milliseconds)>;
/// Told about every failed attempt that will be retried, with the delay before the next.
using retry_observer = std::function<void(const reload_result&, std::chrono::milliseconds)>;

/// Reloads one Prometheus over HTTP. Holds no I/O objects; use from the loop's thread.
class http_reloader {
 public:
  http_reloader(url reload_url, reload_options options, core::logger& log);

  /// Polls GET `readiness_url()` until 200. 503 and transport errors mean "not ready yet"
  /// (progress is logged); 404 means the target has no readiness endpoint, and other
  /// statuses are left for the reload to report: both end the wait. Never gives up.
  /// Cancellation: throws `system_error(operation_aborted)`.
  awaitable<void> wait_until_ready();
  bool readiness_checked() const { return readiness_checked_; }

  /// POSTs to the reload URL until it succeeds, the retry policy stops (repeated 500), or
  /// `wait` returns false (superseded). Transient and misconfiguration failures are
  /// retried forever with backoff, each one reported to `on_retry`. An empty `wait` sleeps
  /// on a timer. Cancellation: throws `system_error(operation_aborted)`.
  awaitable<reload_result> reload(backoff_wait wait = {}, retry_observer on_retry = {});

  const url& reload_url() const { return url_; }

 private:
  double jitter();

  url url_;
  reload_options options_;
  core::logger& log_;
  std::minstd_rand rng_;
  bool readiness_checked_ = false;
};

/// A backoff wait on a plain timer; never abandoned.
awaitable<bool> sleep_for_backoff(std::chrono::milliseconds delay);

}  // namespace promwatch::reload
