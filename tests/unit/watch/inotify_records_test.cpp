// Only where the inotify ABI exists: CMake compiles src/watch/inotify_*.cpp on Linux only.
#if __has_include(<sys/inotify.h>)
#include "watch/inotify_records.hpp"

#include <cstring>
#include <sys/inotify.h>

#include <doctest/doctest.h>

using namespace promwatch::watch;

namespace {

// Appends one record the way the kernel lays it out: header, then the name NUL-padded to a
// multiple of the header size, `len` counting the padding.
void append(std::vector<std::byte>& buf, int wd, std::uint32_t mask, std::string_view name = {},
            std::uint32_t cookie = 0) {
  inotify_event h{};
  h.wd = wd;
  h.mask = mask;
  h.cookie = cookie;
  std::size_t len = 0;
  if (!name.empty()) len = (name.size() + 1 + sizeof h - 1) / sizeof h * sizeof h;
  h.len = static_cast<std::uint32_t>(len);
  auto at = buf.size();
  buf.resize(at + sizeof h + len);
  std::memcpy(buf.data() + at, &h, sizeof h);
  if (!name.empty()) std::memcpy(buf.data() + at + sizeof h, name.data(), name.size());
}

const std::unordered_map<int, std::string> dirs{{1, "/etc/prom"}, {2, "/etc/prom/rules"}};

std::vector<event> events_of(const std::vector<std::byte>& buf) {
  return parse_inotify_records(buf, dirs).events;
}

}  // namespace

TEST_CASE("an empty buffer means nothing") {
  auto b = parse_inotify_records({}, dirs);
  CHECK(b.events.empty());
  CHECK(b.dirs_added.empty());
  CHECK(b.ignored.empty());
}

TEST_CASE("a record's name is cut at its padding") {
  std::vector<std::byte> buf;
  SUBCASE("a name shorter than the padding unit") {
    append(buf, 1, IN_CREATE, "a");
  }
  SUBCASE("a name that fills the unit exactly leaves room for the NUL") {
    append(buf, 1, IN_CREATE, "exactly16chars.y");
    CHECK(buf.size() == sizeof(inotify_event) + 32);
  }
  auto ev = events_of(buf);
  REQUIRE(ev.size() == 1);
  CHECK(ev[0].kind == event_kind::created);
  CHECK(ev[0].path.find('\0') == std::string::npos);
  CHECK(ev[0].path.starts_with("/etc/prom/"));
}

TEST_CASE("several records in one buffer map to events on their own directories") {
  std::vector<std::byte> buf;
  append(buf, 1, IN_CREATE, "prometheus.yml");
  append(buf, 2, IN_MODIFY, "alerts.yml");
  append(buf, 2, IN_DELETE, "old.yml");
  append(buf, 1, IN_ATTRIB, "prometheus.yml");
  append(buf, 2, IN_MOVED_FROM, "a.yml", 7);
  append(buf, 2, IN_MOVED_TO, "b.yml", 7);
  CHECK(events_of(buf) == std::vector<event>{
                              {"/etc/prom/prometheus.yml", event_kind::created},
                              {"/etc/prom/rules/alerts.yml", event_kind::modified},
                              {"/etc/prom/rules/old.yml", event_kind::removed},
                              {"/etc/prom/prometheus.yml", event_kind::attrib},
                              {"/etc/prom/rules/a.yml", event_kind::moved},
                              {"/etc/prom/rules/b.yml", event_kind::moved},
                          });
}

TEST_CASE("a write reported as modify then close-write is one event") {
  std::vector<std::byte> buf;
  append(buf, 1, IN_MODIFY, "a.yml");
  append(buf, 1, IN_MODIFY, "a.yml");
  append(buf, 1, IN_CLOSE_WRITE, "a.yml");
  append(buf, 1, IN_MODIFY, "b.yml");
  append(buf, 1, IN_MODIFY, "a.yml");
  CHECK(events_of(buf) == std::vector<event>{{"/etc/prom/a.yml", event_kind::modified},
                                             {"/etc/prom/b.yml", event_kind::modified},
                                             {"/etc/prom/a.yml", event_kind::modified}});
}

TEST_CASE("a queue overflow is reported without a path whatever the descriptor") {
  std::vector<std::byte> buf;
  append(buf, -1, IN_Q_OVERFLOW);
  append(buf, 1, IN_CREATE, "after.yml");
  auto ev = events_of(buf);
  REQUIRE(ev.size() == 2);
  CHECK(ev[0] == event{"", event_kind::overflow});
  CHECK(ev[1].path == "/etc/prom/after.yml");
}

TEST_CASE("IN_IGNORED reports the dropped descriptor and no event") {
  std::vector<std::byte> buf;
  append(buf, 2, IN_IGNORED);
  auto b = parse_inotify_records(buf, dirs);
  CHECK(b.events.empty());
  CHECK(b.ignored == std::vector<int>{2});
}

TEST_CASE("a watched directory deleted or moved itself is reported and its watch is lost") {
  std::vector<std::byte> buf;
  SUBCASE("deleted") {
    append(buf, 2, IN_DELETE_SELF);
    append(buf, 2, IN_IGNORED);
    auto b = parse_inotify_records(buf, dirs);
    CHECK(b.events == std::vector<event>{{"/etc/prom/rules", event_kind::removed}});
    CHECK(b.self_gone == std::vector<int>{2});
    CHECK(b.ignored == std::vector<int>{2});
  }
  SUBCASE("moved") {
    append(buf, 1, IN_MOVE_SELF);
    auto b = parse_inotify_records(buf, dirs);
    CHECK(b.events == std::vector<event>{{"/etc/prom", event_kind::moved}});
    CHECK(b.self_gone == std::vector<int>{1});
  }
  SUBCASE("unmounted") {
    append(buf, 1, IN_UNMOUNT);
    append(buf, 1, IN_IGNORED);
    auto b = parse_inotify_records(buf, dirs);
    CHECK(b.events == std::vector<event>{{"/etc/prom", event_kind::watch_error}});
    CHECK(b.ignored == std::vector<int>{1});
  }
}

TEST_CASE("the ..data rename is a commit and other internals are ignored") {
  std::vector<std::byte> buf;
  append(buf, 1, IN_CREATE | IN_ISDIR, "..2024_01_01_00_00_00.2");
  append(buf, 1, IN_CREATE, "..data_tmp");
  append(buf, 1, IN_MOVED_FROM, "..data_tmp", 9);
  append(buf, 1, IN_MOVED_TO, "..data", 9);
  append(buf, 1, IN_DELETE | IN_ISDIR, "..2024_01_01_00_00_00.1");
  auto b = parse_inotify_records(buf, dirs);
  CHECK(b.events == std::vector<event>{{"/etc/prom/..data", event_kind::commit}});
  CHECK(b.dirs_added.empty());
  CHECK(b.dirs_gone.empty());
  SUBCASE("a ..data that is deleted is no commit") {
    std::vector<std::byte> del;
    append(del, 1, IN_DELETE, "..data");
    CHECK(events_of(del).empty());
  }
  SUBCASE("a ..data created directly is a commit too") {
    std::vector<std::byte> created;
    append(created, 1, IN_CREATE, "..data");
    CHECK(events_of(created) == std::vector<event>{{"/etc/prom/..data", event_kind::commit}});
  }
}

TEST_CASE("subdirectories appearing and leaving are reported for watch bookkeeping") {
  std::vector<std::byte> buf;
  append(buf, 1, IN_CREATE | IN_ISDIR, "new");
  append(buf, 1, IN_MOVED_TO | IN_ISDIR, "moved_in", 3);
  append(buf, 2, IN_DELETE | IN_ISDIR, "gone");
  append(buf, 2, IN_MOVED_FROM | IN_ISDIR, "moved_out", 4);
  append(buf, 1, IN_CREATE, "plain_file");
  auto b = parse_inotify_records(buf, dirs);
  CHECK(b.dirs_added == std::vector<std::string>{"/etc/prom/new", "/etc/prom/moved_in"});
  CHECK(b.dirs_gone ==
        std::vector<std::string>{"/etc/prom/rules/gone", "/etc/prom/rules/moved_out"});
  CHECK(b.events.size() == 5);
  CHECK(b.events[0] == event{"/etc/prom/new", event_kind::created});
}

TEST_CASE("records for descriptors no longer known are skipped") {
  std::vector<std::byte> buf;
  append(buf, 42, IN_CREATE, "stale.yml");
  append(buf, 42, IN_DELETE_SELF);
  append(buf, 1, IN_CREATE, "fresh.yml");
  auto b = parse_inotify_records(buf, dirs);
  CHECK(b.events == std::vector<event>{{"/etc/prom/fresh.yml", event_kind::created}});
  CHECK(b.self_gone.empty());
}

TEST_CASE("a truncated trailing record is a watch error, not a crash") {
  std::vector<std::byte> buf;
  append(buf, 1, IN_CREATE, "whole.yml");
  std::vector<std::byte> partial;
  append(partial, 1, IN_CREATE, "cut.yml");
  SUBCASE("cut in the header") {
    buf.insert(buf.end(), partial.begin(), partial.begin() + 5);
  }
  SUBCASE("cut in the name") {
    buf.insert(buf.end(), partial.begin(), partial.end() - 3);
  }
  auto ev = events_of(buf);
  REQUIRE(ev.size() == 2);
  CHECK(ev[0].path == "/etc/prom/whole.yml");
  CHECK(ev[1].kind == event_kind::watch_error);
}

TEST_CASE("the watch mask covers directory events and never follows into files") {
  auto mask = inotify_watch_mask();
  for (auto bit : {IN_CREATE, IN_DELETE, IN_MODIFY, IN_CLOSE_WRITE, IN_MOVED_FROM, IN_MOVED_TO,
                   IN_ATTRIB, IN_DELETE_SELF, IN_MOVE_SELF, IN_ONLYDIR}) {
    CHECK((mask & bit) == bit);
  }
  CHECK((mask & IN_ACCESS) == 0);
  CHECK((mask & IN_OPEN) == 0);
}
#endif

TEST_CASE("a file written but not closed yet is reported as open for writing") {
  std::vector<std::byte> buf;
  append(buf, 1, IN_MODIFY, "a.yml");
  append(buf, 1, IN_MODIFY, "b.yml");
  append(buf, 1, IN_CLOSE_WRITE, "b.yml");
  append(buf, 1, IN_MODIFY, "c.yml");
  append(buf, 1, IN_DELETE, "c.yml");
  const auto b = parse_inotify_records(buf, dirs);
  CHECK(b.open_for_writing == std::map<std::string, bool>{{"/etc/prom/a.yml", true},
                                                          {"/etc/prom/b.yml", false},
                                                          {"/etc/prom/c.yml", false}});
  SUBCASE("the close arriving in a later read ends it") {
    std::vector<std::byte> later;
    append(later, 1, IN_CLOSE_WRITE, "a.yml");
    CHECK(parse_inotify_records(later, dirs).open_for_writing ==
          std::map<std::string, bool>{{"/etc/prom/a.yml", false}});
  }
}
