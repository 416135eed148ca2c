#include "app/pipeline_state.hpp"

#include <algorithm>
#include <cstdint>

namespace promwatch::app {

std::chrono::milliseconds publish_retry_delay(int failures) {
  constexpr std::chrono::milliseconds initial{1000};
  constexpr std::chrono::milliseconds cap{60'000};
  const int doublings = std::clamp(failures - 1, 0, 16);
  return std::min<std::chrono::milliseconds>(cap, initial * (std::int64_t{1} << doublings));
}

pipeline_state::pipeline_state(std::size_t targets, bool publish_mode)
    : sync_(publish_mode), publish_mode_(publish_mode), acked_(targets) {}

void pipeline_state::on_first_sync(bool reload_asked) {
  if (first_sync_done_) return;
  first_sync_done_ = true;
  startup_reload_pending_ = reload_asked && !acked_.empty();
}

pipeline_state::readiness pipeline_state::ready() const {
  if (!first_sync_done_) return {false, "waiting for the first sync"};
  if (publish_mode_ && !published_) return {false, "nothing published yet"};
  if (startup_reload_pending_) return {false, "waiting for the startup reload"};
  return {true, {}};
}

std::uint64_t pipeline_state::on_reload_requested(const std::string& /*fingerprint*/) {
  return ++generation_;
}

pipeline_state::report_decision pipeline_state::on_reload_report(const report& r) {
  report_decision d;
  if (r.superseded) return d;  // a newer request took over; its reports follow
  d.count = true;
  startup_reload_pending_ = false;  // the first answer makes us ready, whatever it was
  if (!r.final) return d;
  d.series_ended = true;
  d.pending_cleared = r.generation == generation_;
  if (!r.ok) {
    d.failed = true;
    sync_.on_reload_failed();
    return d;
  }
  if (r.target < acked_.size()) acked_[r.target] = {r.generation, r.fingerprint};
  d.all_applied = std::all_of(acked_.begin(), acked_.end(),
                              [&](const ack& a) { return a.generation == r.generation; });
  if (d.all_applied) {
    sync_.on_reload_succeeded(r.fingerprint);
  } else {
    d.pending_cleared = false;
  }
  return d;
}

std::chrono::milliseconds pipeline_state::on_publish_failed() {
  ++publish_failures_;
  // What was asked of Prometheus never reached it: ask again once the publish works, and
  // the next sync re-decides even when no file changed.
  sync_.on_reload_failed();
  sync_.force_next();
  return publish_retry_delay(publish_failures_);
}

void pipeline_state::on_publish_succeeded() {
  publish_failures_ = 0;
  published_ = true;
}

}  // namespace promwatch::app
