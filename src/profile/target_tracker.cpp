#include "profile/target_tracker.hpp"

namespace promwatch::profile {

std::string_view to_string(observation o) {
  switch (o) {
    case observation::first_answer:
      return "first_answer";
    case observation::changed:
      return "changed";
    case observation::unchanged:
      return "unchanged";
    case observation::unknown:
      return "unknown";
    case observation::lost:
      return "lost";
    case observation::still_lost:
      return "still_lost";
  }
  return "unknown";
}

tracker::tracker(std::chrono::milliseconds refresh, reload::backoff_settings retry)
    : refresh_(refresh), retry_([&] {
        reload::retry_settings s;
        s.transient = retry;
        return s;
      }()) {}

observation tracker::on_answer(target_facts facts) {
  answered_last_ = true;
  down_ = false;
  definitive_ = false;
  last_error_.clear();
  retry_.reset();
  if (!facts_) {
    facts_ = std::move(facts);
    return observation::first_answer;
  }
  if (*facts_ == facts) return observation::unchanged;
  facts_ = std::move(facts);
  return observation::changed;
}

observation tracker::on_failure(query_failure why) {
  const bool was_down = down_;
  answered_last_ = false;
  down_ = true;
  definitive_ = why.definitive;
  last_error_ = std::move(why.message);
  if (!facts_) return observation::unknown;
  return was_down ? observation::still_lost : observation::lost;
}

std::chrono::milliseconds tracker::next_delay(double jitter) {
  if (answered_last_ || definitive_) return refresh_;
  const auto d = retry_.next(reload::outcome_class::transient, jitter).delay;
  return std::min(d, refresh_);
}

}  // namespace promwatch::profile
