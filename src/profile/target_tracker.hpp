#pragma once
#include <chrono>
#include <optional>
#include <string>

#include "profile/target_profile.hpp"
#include "reload/retry_policy.hpp"

namespace promwatch::profile {

/// Why asking a target failed. `definitive` when its answer says it will not tell (a 4xx, a
/// body that is no Prometheus answer); otherwise it is down or starting (refused, timeout,
/// 5xx) and will likely answer soon.
struct query_failure {
  std::string message;
  bool definitive = false;
};

/// What a new outcome means for the profile of one target.
enum class observation {
  first_answer,  ///< the target told its facts for the first time
  changed,       ///< it tells other facts than before (upgraded, restarted with other flags)
  unchanged,     ///< the same facts again
  unknown,       ///< it never answered and still does not; the fallback stays in use
  lost,          ///< it answered before and now does not; its last facts stay in use
  still_lost,    ///< again no answer after `lost`
};

std::string_view to_string(observation o);

/// The memory of one target's answers, and when to ask next. Sans-I/O: no clock, no RNG;
/// the caller passes jitter and waits itself.
class tracker {
 public:
  /// `refresh`: the wait after an answer (or a definitive failure); `retry`: the backoff
  /// while the target does not answer, so a restart is seen within seconds.
  explicit tracker(std::chrono::milliseconds refresh,
                   reload::backoff_settings retry = {std::chrono::milliseconds{500}, 2.0,
                                                     std::chrono::seconds{5}});

  observation on_answer(target_facts facts);
  observation on_failure(query_failure why);

  /// The delay before the next query, after the last outcome; `jitter` in [0, 1]. Call it
  /// once per outcome: while the target is down each call is the next step of the backoff.
  std::chrono::milliseconds next_delay(double jitter);

  /// The last facts the target told; they outlive later failures.
  const std::optional<target_facts>& facts() const { return facts_; }
  /// True once the target answered or refused definitively: waiting longer gains nothing.
  bool settled() const { return facts_.has_value() || definitive_; }
  /// The last failure's message; empty after an answer.
  const std::string& last_error() const { return last_error_; }

 private:
  std::chrono::milliseconds refresh_;
  reload::retry_policy retry_;
  std::optional<target_facts> facts_;
  bool answered_last_ = false;
  bool down_ = false;  // the last outcome was a failure
  bool definitive_ = false;
  std::string last_error_;
};

}  // namespace promwatch::profile
