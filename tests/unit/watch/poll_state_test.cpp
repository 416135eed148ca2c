#include "watch/poll_state.hpp"

#include <algorithm>

#include <doctest/doctest.h>

using namespace promwatch::watch;

namespace {
entry_state file(std::int64_t mtime, std::uintmax_t size, std::uint64_t inode) {
  entry_state e;
  e.kind = entry_state::type::file;
  e.mtime_ns = mtime;
  e.size = size;
  e.inode = inode;
  return e;
}
entry_state link(std::string target, entry_state followed) {
  followed.is_link = true;
  followed.link_target = std::move(target);
  return followed;
}
}  // namespace

TEST_CASE("identical trees differ in nothing") {
  tree_state t{{"/d", {}}, {"/d/a", file(1, 2, 3)}};
  CHECK(diff_trees(t, t).empty());
  CHECK(diff_trees({}, {}).empty());
}

TEST_CASE("new, vanished and changed entries become created, removed and modified") {
  tree_state before{
      {"/d/a", file(1, 10, 100)}, {"/d/b", file(1, 10, 101)}, {"/d/c", file(1, 10, 102)}};
  tree_state after{
      {"/d/a", file(1, 10, 100)}, {"/d/c", file(1, 10, 102)}, {"/d/e", file(5, 1, 103)}};
  SUBCASE("membership only") {
    CHECK(diff_trees(before, after) ==
          std::vector<event>{{"/d/b", event_kind::removed}, {"/d/e", event_kind::created}});
  }
  SUBCASE("any of mtime, size, inode or type changing is a modification") {
    entry_state changed = file(1, 10, 102);
    SUBCASE("mtime") {
      changed.mtime_ns = 2;
    }
    SUBCASE("size") {
      changed.size = 11;
    }
    SUBCASE("inode, as after a rename over the file") {
      changed.inode = 999;
    }
    SUBCASE("type") {
      changed.kind = entry_state::type::other;
    }
    after["/d/c"] = changed;
    auto ev = diff_trees(before, after);
    CHECK(std::find(ev.begin(), ev.end(), event{"/d/c", event_kind::modified}) != ev.end());
  }
}

TEST_CASE("a visible symlink whose target content changed is a modification") {
  tree_state before{{"/cm/rules.yml", link("..data/rules.yml", file(1, 10, 100))}};
  tree_state after{{"/cm/rules.yml", link("..data/rules.yml", file(2, 12, 200))}};
  CHECK(diff_trees(before, after) == std::vector<event>{{"/cm/rules.yml", event_kind::modified}});
  SUBCASE("and a retargeted link is one too") {
    tree_state retargeted{{"/cm/rules.yml", link("other.yml", file(1, 10, 100))}};
    CHECK(diff_trees(before, retargeted).size() == 1);
  }
}

TEST_CASE("any change of ..data is a commit") {
  entry_state dir;
  dir.kind = entry_state::type::directory;
  tree_state before{{"/cm/..data", link("..2024_01_01_00_00_00.1", dir)}};
  tree_state after{{"/cm/..data", link("..2024_01_01_00_00_00.2", dir)}};
  CHECK(diff_trees(before, after) == std::vector<event>{{"/cm/..data", event_kind::commit}});
  CHECK(diff_trees({}, after) == std::vector<event>{{"/cm/..data", event_kind::commit}});
  CHECK(diff_trees(before, {}) == std::vector<event>{{"/cm/..data", event_kind::commit}});
}
