#include "profile/target_tracker.hpp"

#include <doctest/doctest.h>

using namespace promwatch;
using namespace promwatch::profile;
using namespace std::chrono_literals;

namespace {

target_facts facts(int major, int minor, feature_set f = {}) {
  target_facts t;
  t.version = {major, minor};
  t.version_text = std::to_string(major) + "." + std::to_string(minor) + ".0";
  t.features = std::move(f);
  return t;
}

const query_failure refused{"connection refused", false};
const query_failure not_found{"HTTP 404", true};

}  // namespace

TEST_CASE("a target's answers: first, unchanged, changed") {
  tracker t(30s);
  CHECK_FALSE(t.settled());
  CHECK(t.on_answer(facts(2, 53)) == observation::first_answer);
  CHECK(t.settled());
  CHECK(t.on_answer(facts(2, 53)) == observation::unchanged);
  CHECK(t.on_answer(facts(3, 5)) == observation::changed);
  CHECK(t.facts()->version == validate::prometheus_version{3, 5});
  CHECK(t.on_answer(facts(3, 5, {"promql-experimental-functions"})) == observation::changed);
  CHECK(t.next_delay(1.0) == 30s);
}

TEST_CASE("a target that does not answer keeps its last facts") {
  tracker t(30s);
  SUBCASE("never answered: unknown, and not settled while it may still come up") {
    CHECK(t.on_failure(refused) == observation::unknown);
    CHECK(t.on_failure(refused) == observation::unknown);
    CHECK_FALSE(t.settled());
    CHECK_FALSE(t.facts());
    CHECK(t.last_error() == "connection refused");
  }
  SUBCASE("a definitive refusal settles it: waiting longer gains nothing") {
    CHECK(t.on_failure(not_found) == observation::unknown);
    CHECK(t.settled());
    CHECK(t.next_delay(1.0) == 30s);
  }
  SUBCASE("answered before: lost once, then still lost; the facts stay") {
    t.on_answer(facts(2, 53));
    CHECK(t.on_failure(refused) == observation::lost);
    CHECK(t.on_failure(refused) == observation::still_lost);
    CHECK(t.facts()->version == validate::prometheus_version{2, 53});
    CHECK(t.settled());
    // Back with another version on the same port: a change, not a first answer.
    CHECK(t.on_answer(facts(3, 5)) == observation::changed);
    CHECK(t.last_error().empty());
  }
  SUBCASE("back with the same version after a restart is no change") {
    t.on_answer(facts(3, 5));
    t.on_failure(refused);
    CHECK(t.on_answer(facts(3, 5)) == observation::unchanged);
  }
}

TEST_CASE("while a target is down it is asked again soon, with a capped backoff") {
  tracker t(30s, {500ms, 2.0, 4s});
  t.on_failure(refused);
  CHECK(t.next_delay(1.0) == 500ms);
  t.on_failure(refused);
  CHECK(t.next_delay(1.0) == 1s);
  t.on_failure(refused);
  CHECK(t.next_delay(1.0) == 2s);
  t.on_failure(refused);
  CHECK(t.next_delay(1.0) == 4s);
  t.on_failure(refused);
  CHECK(t.next_delay(1.0) == 4s);
  CHECK(t.next_delay(0.0) == 2s);  // jitter halves at most
  SUBCASE("an answer resets the backoff") {
    t.on_answer(facts(3, 5));
    CHECK(t.next_delay(1.0) == 30s);
    t.on_failure(refused);
    CHECK(t.next_delay(1.0) == 500ms);
  }
  SUBCASE("never longer than the refresh interval") {
    tracker quick(1s, {500ms, 2.0, 5s});
    std::chrono::milliseconds last{};
    for (int i = 0; i < 5; ++i) {
      quick.on_failure(refused);
      last = quick.next_delay(1.0);
    }
    CHECK(last == 1s);
  }
}
