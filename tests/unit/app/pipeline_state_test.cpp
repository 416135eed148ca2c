#include "app/pipeline_state.hpp"

#include <doctest/doctest.h>

using namespace promwatch;
using app::pipeline_state;
using namespace std::chrono_literals;

namespace {

pipeline_state::report final_ok(std::size_t target, std::uint64_t generation) {
  return {target, generation, "sha-" + std::to_string(generation), true, true, false};
}

pipeline_state::report final_failed(std::size_t target, std::uint64_t generation) {
  return {target, generation, "sha-" + std::to_string(generation), false, true, false};
}

pipeline_state::report retrying(std::size_t target, std::uint64_t generation) {
  return {target, generation, "sha-" + std::to_string(generation), false, false, false};
}

pipeline_state::report superseded(std::size_t target, std::uint64_t generation) {
  return {target, generation, "sha-" + std::to_string(generation), false, true, true};
}

}  // namespace

TEST_CASE("readiness: the first sync, then the first answer to the startup reload") {
  pipeline_state p(2, false);
  CHECK_FALSE(p.ready().ok);
  CHECK(p.ready().reason == "waiting for the first sync");
  p.on_first_sync(true);
  CHECK(p.on_reload_requested("sha-1") == 1);
  CHECK_FALSE(p.ready().ok);
  CHECK(p.ready().reason == "waiting for the startup reload");
  // One target answering is enough, even with a failure: the other may stay down for good.
  CHECK(p.on_reload_report(retrying(1, 1)).count);
  CHECK(p.ready().ok);
}

TEST_CASE("readiness: a superseded report is no answer") {
  pipeline_state p(1, false);
  p.on_first_sync(true);
  p.on_reload_requested("sha-1");
  const auto d = p.on_reload_report(superseded(0, 1));
  CHECK_FALSE(d.count);
  CHECK_FALSE(p.ready().ok);
}

TEST_CASE("readiness: without targets or without a reload the first sync is enough") {
  pipeline_state none(0, false);
  none.on_first_sync(true);
  CHECK(none.ready().ok);
  pipeline_state blocked(1, false);
  blocked.on_first_sync(false);
  CHECK(blocked.ready().ok);
}

TEST_CASE("readiness in publish mode needs something published") {
  // Regression (#21): /readyz said 200 when nothing was ever published.
  pipeline_state p(0, true);
  p.on_first_sync(false);
  CHECK_FALSE(p.ready().ok);
  CHECK(p.ready().reason == "nothing published yet");
  p.on_publish_failed();
  CHECK_FALSE(p.ready().ok);
  p.on_publish_succeeded();
  CHECK(p.ready().ok);
}

TEST_CASE("a generation is applied once every target acknowledged it") {
  pipeline_state p(2, false);
  p.on_first_sync(true);
  p.on_reload_requested("sha-1");
  auto d = p.on_reload_report(final_ok(0, 1));
  CHECK(d.series_ended);
  CHECK_FALSE(d.all_applied);
  CHECK_FALSE(d.pending_cleared);
  CHECK(p.sync().applied_fingerprint().empty());
  d = p.on_reload_report(final_ok(1, 1));
  CHECK(d.all_applied);
  CHECK(d.pending_cleared);
  CHECK(p.sync().applied_fingerprint() == "sha-1");
  CHECK(p.acknowledged(0) == 1);
  CHECK(p.acknowledged(1) == 1);
}

TEST_CASE("targets acknowledge independently: one skipping generations leaves nothing behind") {
  // Regression (#7, #21): a map counted successes per generation; a target that skipped a
  // generation (it was down, then took the newest) left entries that never went away, and
  // nothing ever counted as applied.
  pipeline_state p(2, false);
  p.on_first_sync(true);
  for (std::uint64_t g = 1; g <= 3; ++g) {
    CHECK(p.on_reload_requested("sha-" + std::to_string(g)) == g);
    const auto d = p.on_reload_report(final_ok(0, g));
    CHECK_FALSE(d.all_applied);
  }
  CHECK(p.acknowledged(0) == 3);
  CHECK(p.acknowledged(1) == 0);
  // Target 1 comes up and reloads only the newest.
  const auto d = p.on_reload_report(final_ok(1, 3));
  CHECK(d.all_applied);
  CHECK(d.pending_cleared);
  CHECK(p.sync().applied_fingerprint() == "sha-3");
}

TEST_CASE("an older generation acknowledged late is not the newest: pending stays") {
  pipeline_state p(1, false);
  p.on_first_sync(true);
  p.on_reload_requested("sha-1");
  p.on_reload_requested("sha-2");
  const auto d = p.on_reload_report(final_ok(0, 1));
  CHECK(d.all_applied);
  CHECK_FALSE(d.pending_cleared);
}

TEST_CASE("a failed series is counted and the next change asks again") {
  pipeline_state p(2, false);
  p.on_first_sync(true);
  p.on_reload_requested("sha-1");
  p.on_reload_report(final_ok(0, 1));
  const auto d = p.on_reload_report(final_failed(1, 1));
  CHECK(d.count);
  CHECK(d.series_ended);
  CHECK(d.failed);
  CHECK(d.pending_cleared);
  CHECK_FALSE(d.all_applied);
}

TEST_CASE("non-final reports count as attempts but end nothing") {
  pipeline_state p(1, false);
  p.on_first_sync(true);
  p.on_reload_requested("sha-1");
  const auto d = p.on_reload_report(retrying(0, 1));
  CHECK(d.count);
  CHECK_FALSE(d.series_ended);
  CHECK_FALSE(d.failed);
}

TEST_CASE("a failed publish stays pending and is retried with backoff") {
  pipeline_state p(1, true);
  CHECK_FALSE(p.publish_pending());
  CHECK(p.on_publish_failed() == 1s);
  CHECK(p.publish_pending());
  CHECK(p.on_publish_failed() == 2s);
  CHECK(p.on_publish_failed() == 4s);
  CHECK(p.publish_failures() == 3);
  p.on_publish_succeeded();
  CHECK_FALSE(p.publish_pending());
  CHECK(p.on_publish_failed() == 1s);
}

TEST_CASE("publish retry delays double up to a minute") {
  CHECK(app::publish_retry_delay(1) == 1s);
  CHECK(app::publish_retry_delay(2) == 2s);
  CHECK(app::publish_retry_delay(6) == 32s);
  CHECK(app::publish_retry_delay(7) == 60s);
  CHECK(app::publish_retry_delay(1000) == 60s);
  CHECK(app::publish_retry_delay(0) == 1s);
}

TEST_CASE("after a failed publish the same files are decided again") {
  // Regression (#8): after a failed publish every resync said "no content changed".
  pipeline_state p(1, true);
  snapshot::snapshot s;
  snapshot::file_entry e;
  e.kind = core::file_kind::config;
  e.sha256 = "cfg1";
  s.files["/c/prometheus.yml"] = e;
  app::validation_results fresh{{app::key_of("/c/prometheus.yml", e), core::diagnostics{}}};
  CHECK(p.sync().on_snapshot(s, fresh).action == app::sync_action::reload);
  p.on_publish_failed();
  CHECK(p.sync().on_snapshot(s, {}).action == app::sync_action::reload);
  p.on_publish_succeeded();
  CHECK(p.sync().on_snapshot(s, {}).action == app::sync_action::unchanged);
}
