// The poll backend's walk on a real tree: what it records, what it skips, and that
// symlink loops end.
#include <algorithm>
#include <filesystem>
#include <fstream>
#include <stdlib.h>

#include <doctest/doctest.h>

#include "watch/poll_state.hpp"

using namespace promwatch::watch;
namespace fs = std::filesystem;

namespace {

struct tree {
  fs::path root;
  tree() {
    std::string pattern = (fs::temp_directory_path() / "promwatch-walk-XXXXXX").string();
    REQUIRE(::mkdtemp(pattern.data()) != nullptr);
    root = pattern;
  }
  ~tree() {
    std::error_code ec;
    fs::remove_all(root, ec);
  }
  void write(const fs::path& rel, std::string_view content) {
    fs::create_directories((root / rel).parent_path());
    std::ofstream(root / rel) << content;
  }
  std::string at(const fs::path& rel) const { return (root / rel).string(); }
};

}  // namespace

TEST_CASE("the walk records visible entries through symlinks and skips internals") {
  tree t;
  t.write("..2024_01_01_00_00_00.1/rules.yml", "groups: []\n");
  fs::create_directory_symlink("..2024_01_01_00_00_00.1", t.root / "..data");
  fs::create_symlink("..data/rules.yml", t.root / "rules.yml");
  t.write("sub/deep/a.yml", "abc");

  auto walked = walk_trees({t.root.string()}, true);
  const auto& e = walked.entries;
  REQUIRE(e.contains(t.at("rules.yml")));
  CHECK(e.at(t.at("rules.yml")).is_link);
  CHECK(e.at(t.at("rules.yml")).link_target == "..data/rules.yml");
  CHECK(e.at(t.at("rules.yml")).kind == entry_state::type::file);
  CHECK(e.at(t.at("rules.yml")).size == std::string_view("groups: []\n").size());
  REQUIRE(e.contains(t.at("..data")));
  CHECK(e.at(t.at("..data")).link_target == "..2024_01_01_00_00_00.1");
  CHECK_FALSE(e.contains(t.at("..2024_01_01_00_00_00.1")));
  CHECK_FALSE(e.contains(t.at("..2024_01_01_00_00_00.1/rules.yml")));
  CHECK(e.contains(t.at("sub/deep/a.yml")));
  CHECK(walked.dirs == 3);

  SUBCASE("without recursion only the top level is recorded") {
    auto flat = walk_trees({t.root.string()}, false);
    CHECK(flat.entries.contains(t.at("sub")));
    CHECK_FALSE(flat.entries.contains(t.at("sub/deep")));
    CHECK(flat.dirs == 1);
  }
  SUBCASE("a missing watch dir contributes nothing") {
    auto none = walk_trees({t.at("absent")}, true);
    CHECK(none.entries.empty());
  }
}

TEST_CASE("a symlink loop is walked once and the walk ends") {
  tree t;
  t.write("a/file.yml", "x");
  fs::create_directory_symlink("..", t.root / "a" / "up");
  auto walked = walk_trees({t.root.string()}, true);
  CHECK(walked.entries.contains(t.at("a/file.yml")));
  CHECK(walked.entries.contains(t.at("a/up")));
  CHECK_FALSE(walked.entries.contains(t.at("a/up/a")));
}

TEST_CASE("a dangling symlink is recorded as such, and its repair is a modification") {
  tree t;
  fs::create_symlink("missing.yml", t.root / "link.yml");
  auto before = walk_trees({t.root.string()}, true);
  CHECK(before.entries.at(t.at("link.yml")).kind == entry_state::type::dangling_link);
  t.write("missing.yml", "now here");
  auto after = walk_trees({t.root.string()}, true);
  auto events = diff_trees(before.entries, after.entries);
  CHECK(std::find(events.begin(), events.end(), event{t.at("link.yml"), event_kind::modified}) !=
        events.end());
  CHECK(std::find(events.begin(), events.end(), event{t.at("missing.yml"), event_kind::created}) !=
        events.end());
}
