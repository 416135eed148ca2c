#include "watch/coalescer.hpp"

#include <algorithm>

#include <doctest/doctest.h>

using namespace promwatch::watch;
using namespace std::chrono_literals;
using time_point = coalescer::time_point;

namespace {
const time_point t0 = time_point{} + 1h;

event ev(std::string path, event_kind kind = event_kind::modified) {
  return event{std::move(path), kind};
}
}  // namespace

TEST_CASE("an idle coalescer has no deadline and fires nothing") {
  coalescer c;
  CHECK_FALSE(c.pending());
  CHECK_FALSE(c.deadline().has_value());
  CHECK_FALSE(c.fire(t0).has_value());
  c.add(std::span<const event>{}, t0);
  CHECK_FALSE(c.pending());
}

TEST_CASE("a single event fires after the quiet period and not before") {
  coalescer c({.quiet = 250ms, .max_wait = 2s});
  c.add(ev("/d/a.yml"), t0);
  REQUIRE(c.deadline() == t0 + 250ms);
  CHECK_FALSE(c.fire(t0 + 249ms).has_value());
  auto ch = c.fire(t0 + 250ms);
  REQUIRE(ch.has_value());
  CHECK(ch->reason == change_reason::events);
  CHECK_FALSE(ch->full_rescan);
  CHECK(ch->paths == std::vector<std::string>{"/d/a.yml"});
  CHECK(ch->path_count == 1);
  SUBCASE("and then the coalescer is idle again") {
    CHECK_FALSE(c.pending());
    CHECK_FALSE(c.deadline().has_value());
    CHECK_FALSE(c.fire(t0 + 10s).has_value());
  }
}

TEST_CASE("each new event pushes the quiet deadline back") {
  coalescer c({.quiet = 250ms, .max_wait = 2s});
  c.add(ev("/d/a"), t0);
  c.add(ev("/d/b"), t0 + 200ms);
  CHECK(c.deadline() == t0 + 450ms);
  CHECK_FALSE(c.fire(t0 + 300ms).has_value());
  auto ch = c.fire(t0 + 450ms);
  REQUIRE(ch.has_value());
  CHECK(ch->paths == std::vector<std::string>{"/d/a", "/d/b"});
}

TEST_CASE("a burst that never goes quiet fires at the max wait from its first event") {
  coalescer c({.quiet = 250ms, .max_wait = 2s});
  auto t = t0;
  for (int i = 0; i < 30; ++i, t += 100ms) {
    c.add(ev("/d/f"), t);
    CHECK(c.deadline() <= t0 + 2s);
    if (t < t0 + 2s) CHECK_FALSE(c.fire(t).has_value());
  }
  REQUIRE(c.deadline() == t0 + 2s);
  auto ch = c.fire(t0 + 2s);
  REQUIRE(ch.has_value());
  CHECK(ch->paths == std::vector<std::string>{"/d/f"});
  SUBCASE("the next burst measures its max wait from its own first event") {
    c.add(ev("/d/g"), t0 + 2500ms);
    CHECK(c.deadline() == t0 + 2750ms);
  }
}

TEST_CASE("a commit makes the burst due at once") {
  coalescer c({.quiet = 250ms, .max_wait = 2s});
  SUBCASE("alone") {
    c.add(ev("/cm/..data", event_kind::commit), t0);
    CHECK(c.deadline() == t0);
    auto ch = c.fire(t0);
    REQUIRE(ch.has_value());
    CHECK(ch->paths == std::vector<std::string>{"/cm/..data"});
  }
  SUBCASE("after other events of the same burst") {
    c.add(ev("/cm/rules.yml"), t0);
    c.add(ev("/cm/..data", event_kind::commit), t0 + 10ms);
    CHECK(c.deadline() == t0 + 10ms);
    auto ch = c.fire(t0 + 10ms);
    REQUIRE(ch.has_value());
    CHECK(ch->path_count == 2);
  }
  SUBCASE("within one batch") {
    std::vector<event> batch{ev("/cm/a"), ev("/cm/..data", event_kind::commit)};
    c.add(batch, t0);
    CHECK(c.fire(t0).has_value());
  }
  SUBCASE("and the burst after it is debounced normally") {
    c.add(ev("/cm/..data", event_kind::commit), t0);
    REQUIRE(c.fire(t0).has_value());
    c.add(ev("/cm/x"), t0 + 1ms);
    CHECK(c.deadline() == t0 + 251ms);
  }
}

TEST_CASE("overflow and watch errors turn the change into a full rescan") {
  coalescer c({.quiet = 250ms, .max_wait = 2s});
  SUBCASE("overflow") {
    c.add(event{"", event_kind::overflow}, t0);
  }
  SUBCASE("watch error") {
    c.add(event{"/d/sub", event_kind::watch_error}, t0);
  }
  SUBCASE("among ordinary events") {
    c.add(ev("/d/a"), t0);
    c.add(event{"", event_kind::overflow}, t0);
    c.add(ev("/d/b"), t0);
  }
  auto ch = c.fire(t0 + 250ms);
  REQUIRE(ch.has_value());
  CHECK(ch->reason == change_reason::overflow);
  CHECK(ch->full_rescan);
  CHECK(std::find(ch->paths.begin(), ch->paths.end(), "") == ch->paths.end());
}

TEST_CASE("a full rescan does not leak into the next burst") {
  coalescer c({.quiet = 10ms, .max_wait = 1s});
  c.add(event{"", event_kind::overflow}, t0);
  REQUIRE(c.fire(t0 + 10ms)->full_rescan);
  c.add(ev("/d/a"), t0 + 20ms);
  auto ch = c.fire(t0 + 30ms);
  REQUIRE(ch.has_value());
  CHECK_FALSE(ch->full_rescan);
  CHECK(ch->reason == change_reason::events);
  CHECK(ch->paths == std::vector<std::string>{"/d/a"});
}

TEST_CASE("repeated paths are listed once and the list is capped") {
  coalescer c({.quiet = 1ms, .max_wait = 1s});
  for (int round = 0; round < 3; ++round) {
    for (int i = 0; i < 10; ++i)
      c.add(ev("/d/same"), t0);
  }
  auto one = c.fire(t0 + 1ms);
  REQUIRE(one.has_value());
  CHECK(one->paths.size() == 1);
  CHECK(one->path_count == 1);

  for (std::size_t i = 0; i < max_change_paths + 10; ++i)
    c.add(ev("/d/" + std::to_string(i)), t0);
  auto many = c.fire(t0 + 1ms);
  REQUIRE(many.has_value());
  CHECK(many->paths.size() == max_change_paths);
  CHECK(many->path_count == max_change_paths + 10);
  CHECK(many->paths.front() == "/d/0");
}

TEST_CASE("a max wait shorter than the quiet period bounds the deadline") {
  coalescer c({.quiet = 500ms, .max_wait = 100ms});
  c.add(ev("/d/a"), t0);
  CHECK(c.deadline() == t0 + 100ms);
}

TEST_CASE("merging pending changes keeps the strongest reason and all paths") {
  change events{change_reason::events, {"/a"}, 1, false};
  change resync{change_reason::resync, {}, 0, true};
  change overflow{change_reason::overflow, {"/b"}, 1, true};
  change initial{change_reason::initial, {}, 0, true};

  SUBCASE("events then resync is events with a full rescan") {
    auto m = merge(events, resync);
    CHECK(m.reason == change_reason::events);
    CHECK(m.full_rescan);
    CHECK(m.paths == std::vector<std::string>{"/a"});
  }
  SUBCASE("initial stays initial when events arrive before the first take") {
    auto m = merge(initial, events);
    CHECK(m.reason == change_reason::initial);
    CHECK(m.full_rescan);
  }
  SUBCASE("overflow wins over everything") {
    CHECK(merge(initial, overflow).reason == change_reason::overflow);
    CHECK(merge(overflow, events).reason == change_reason::overflow);
  }
  SUBCASE("paths are merged without duplicates") {
    change more{change_reason::events, {"/a", "/c"}, 2, false};
    auto m = merge(events, more);
    CHECK(m.paths == std::vector<std::string>{"/a", "/c"});
    CHECK(m.path_count == 2);
    CHECK_FALSE(m.full_rescan);
  }
  SUBCASE("paths beyond the newer change's cap still count") {
    change big{change_reason::events, {"/x"}, 50, false};
    CHECK(merge(events, big).path_count == 51);
  }
}

TEST_CASE("internal Kubernetes names are recognised") {
  CHECK(is_internal_name("..data"));
  CHECK(is_internal_name("..data_tmp"));
  CHECK(is_internal_name("..2024_01_01_00_00_00.1"));
  CHECK_FALSE(is_internal_name(".."));
  CHECK_FALSE(is_internal_name("."));
  CHECK_FALSE(is_internal_name(".hidden"));
  CHECK_FALSE(is_internal_name("rules.yml"));
  CHECK(to_string(event_kind::commit) == "commit");
  CHECK(to_string(change_reason::resync) == "resync");
}

TEST_CASE("while a file is open for writing a burst waits for its close, up to max_wait") {
  coalescer c({.quiet = 250ms, .max_wait = 2s});
  c.add(ev("/d/a.yml"), t0);  // the first half written, the file still open
  c.set_writes_in_progress(true);
  // Before, the burst was due after the quiet period: the half-written file was validated.
  CHECK(c.deadline() == t0 + 2s);
  CHECK_FALSE(c.fire(t0 + 1s).has_value());
  SUBCASE("the close ends the wait with the usual quiet period") {
    c.add(ev("/d/a.yml"), t0 + 1s);  // the second half and IN_CLOSE_WRITE
    c.set_writes_in_progress(false);
    CHECK(c.deadline() == t0 + 1s + 250ms);
    CHECK(c.fire(t0 + 1s + 250ms).has_value());
  }
  SUBCASE("a writer that never closes is waited for no longer than max_wait") {
    CHECK(c.fire(t0 + 2s).has_value());
  }
  SUBCASE("a commit is still due at once") {
    c.add(ev("/d/..data", event_kind::commit), t0 + 1s);
    CHECK(c.deadline() == t0 + 1s);
  }
}
