#pragma once
#include <array>
#include <chrono>
#include <string>
#include <string_view>

#include <boost/system/error_code.hpp>

namespace promwatch::reload {

/// What an attempt to reload (or to ask for readiness) means for the caller.
enum class outcome_class {
  success,    ///< 2xx: done.
  transient,  ///< refused, reset, timeout, resolve failure, 502/503/504, 408, 429: retry soon.
  misconfiguration,  ///< 401/403/404/405, other 4xx, 3xx, 501/505: a person must act; retry slowly.
  rejected,          ///< 500: Prometheus loaded the files and refused them; retry a few times only.
};

std::string_view to_string(outcome_class c);

/// One attempt as seen on the wire: a transport failure, or else an HTTP status and body.
struct attempt_outcome {
  boost::system::error_code transport;  ///< set when no response arrived
  unsigned status = 0;                  ///< HTTP status when `transport` is clear
  std::string_view body;                ///< response body (an excerpt is enough)
};

/// The class of an attempt and a sentence a user can act on. For 500 the message carries
/// Prometheus' own text ("failed to reload config: ..."); for 401/403/404/405 a hint
/// naming the flag or URL to fix.
struct classification {
  outcome_class kind = outcome_class::success;
  std::string message;
};

/// Pure function of its input; never fails.
classification classify(const attempt_outcome& outcome);

/// Backoff per class: the n-th failure of a class in one series waits
/// `min(cap, initial * multiplier^(n-1))`, scaled by jitter into [base/2, base].
struct backoff_settings {
  std::chrono::milliseconds initial;
  double multiplier;
  std::chrono::milliseconds cap;
};

struct retry_settings {
  backoff_settings transient{std::chrono::milliseconds{250}, 2.0, std::chrono::seconds{30}};
  backoff_settings misconfiguration{std::chrono::seconds{5}, 2.0, std::chrono::minutes{5}};
  backoff_settings rejected{std::chrono::seconds{10}, 2.0, std::chrono::minutes{1}};
  /// A 500 means the content is wrong; retrying it cannot fix it, but a file caught
  /// mid-write can. After this many rejections in one series the series stops, and the
  /// next change starts a new one.
  int rejected_max_attempts = 3;
};

/// Whether to try again, and after how long.
struct retry_decision {
  bool retry = false;
  std::chrono::milliseconds delay{0};
};

/// The retry state of one series of attempts (one reload request to one target).
/// Sans-I/O: no clock, no RNG; the caller passes jitter and sleeps itself.
class retry_policy {
 public:
  explicit retry_policy(retry_settings settings = {});

  /// Records a failed attempt of class `c` and decides what follows. `jitter` is a
  /// uniform sample from [0, 1] (clamped); 0 waits half the base delay, 1 the full base.
  /// A success ends the series: `retry` is false. Transient and misconfiguration never
  /// stop on their own; rejected stops at `rejected_max_attempts`.
  retry_decision next(outcome_class c, double jitter);

  /// Starts a new series (a new request): all counts back to zero.
  void reset();

  /// Failures of class `c` recorded in this series.
  int failures(outcome_class c) const { return failures_[static_cast<std::size_t>(c)]; }

 private:
  retry_settings settings_;
  std::array<int, 4> failures_{};
};

}  // namespace promwatch::reload
