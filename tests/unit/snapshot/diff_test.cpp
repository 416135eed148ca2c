#include "snapshot/diff.hpp"

#include <doctest/doctest.h>

using namespace promwatch;
using snapshot::file_entry;

namespace {
file_entry entry(core::file_kind kind, std::string hash) {
  file_entry e;
  e.kind = kind;
  e.sha256 = std::move(hash);
  return e;
}
}  // namespace

TEST_CASE("identical snapshots have no changes") {
  snapshot::snapshot a;
  a.files["/c/prometheus.yml"] = entry(core::file_kind::config, "h1");
  a.files["/c/rules/a.yml"] = entry(core::file_kind::rules, "h2");
  auto b = a;
  b.files["/c/rules/a.yml"].content = "not compared: the hash is";
  CHECK(snapshot::diff(a, b).empty());
  CHECK(snapshot::reload_fingerprint(a) == snapshot::reload_fingerprint(b));
}

TEST_CASE("added, modified and removed files are reported by path") {
  snapshot::snapshot a;
  a.files["/c/a"] = entry(core::file_kind::rules, "1");
  a.files["/c/b"] = entry(core::file_kind::rules, "2");
  a.files["/c/d"] = entry(core::file_kind::rules, "4");
  snapshot::snapshot b;
  b.files["/c/b"] = entry(core::file_kind::rules, "2b");
  b.files["/c/c"] = entry(core::file_kind::rules, "3");
  b.files["/c/d"] = entry(core::file_kind::rules, "4");
  const auto d = snapshot::diff(a, b);
  CHECK(d.removed == std::vector<std::string>{"/c/a"});
  CHECK(d.modified == std::vector<std::string>{"/c/b"});
  CHECK(d.added == std::vector<std::string>{"/c/c"});
  CHECK(d.size() == 3);
}

TEST_CASE("a file whose kind changes counts as modified") {
  snapshot::snapshot a;
  a.files["/c/t.yml"] = entry(core::file_kind::other, "1");
  auto b = a;
  b.files["/c/t.yml"].kind = core::file_kind::rules;
  CHECK(snapshot::diff(a, b).modified == std::vector<std::string>{"/c/t.yml"});
}

TEST_CASE("the reload fingerprint ignores files Prometheus re-reads by itself") {
  snapshot::snapshot a;
  a.files["/c/prometheus.yml"] = entry(core::file_kind::config, "h1");
  a.files["/c/targets.json"] = entry(core::file_kind::file_sd, "t1");
  a.files["/c/notes.txt"] = entry(core::file_kind::other, "n1");
  auto b = a;
  b.files["/c/targets.json"].sha256 = "t2";
  b.files["/c/notes.txt"].sha256 = "n2";
  CHECK_FALSE(snapshot::diff(a, b).empty());
  CHECK(snapshot::reload_fingerprint(a) == snapshot::reload_fingerprint(b));

  SUBCASE("but not rule files") {
    b.files["/c/rules.yml"] = entry(core::file_kind::rules, "r1");
    CHECK(snapshot::reload_fingerprint(a) != snapshot::reload_fingerprint(b));
  }
  SUBCASE("nor the config") {
    b.files["/c/prometheus.yml"].sha256 = "h2";
    CHECK(snapshot::reload_fingerprint(a) != snapshot::reload_fingerprint(b));
  }
}
