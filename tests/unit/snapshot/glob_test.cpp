#include "snapshot/glob.hpp"

#include <cerrno>
#include <map>

#include <doctest/doctest.h>

using namespace promwatch;
using snapshot::filesystem_view;
using node_type = filesystem_view::node_type;

namespace {

// A filesystem in a map: directories list their names, every other path has a type; an
// errno in `broken` makes a path fail the way a mode-000 directory fails for a non-root user.
struct fake_fs {
  std::map<std::string, std::vector<std::string>> dirs;
  std::map<std::string, node_type> nodes;
  std::map<std::string, int> broken;

  filesystem_view view() const {
    filesystem_view v;
    v.examine = [this](const std::string& p) {
      if (auto b = broken.find(p); b != broken.end())
        return filesystem_view::node{node_type::missing, b->second};
      if (dirs.contains(p)) return filesystem_view::node{node_type::directory, 0};
      auto n = nodes.find(p);
      return filesystem_view::node{n == nodes.end() ? node_type::missing : n->second, 0};
    };
    v.list = [this](const std::string& p) {
      if (auto b = broken.find(p); b != broken.end())
        return filesystem_view::listing{{}, b->second};
      auto d = dirs.find(p);
      return filesystem_view::listing{d == dirs.end() ? std::vector<std::string>{} : d->second, 0};
    };
    return v;
  }
};

}  // namespace

TEST_CASE("a glob matches regular files in one element, dot-files included, as Go's Glob") {
  fake_fs f;
  f.dirs["/p"] = {"rules"};
  f.dirs["/p/rules"] = {"b.yml", "a.yml", ".hidden.yml", "sub", "notes.txt", "fifo.yml"};
  f.dirs["/p/rules/sub"] = {"c.yml"};
  f.nodes = {
      {"/p/rules/a.yml", node_type::regular},       {"/p/rules/b.yml", node_type::regular},
      {"/p/rules/.hidden.yml", node_type::regular}, {"/p/rules/notes.txt", node_type::regular},
      {"/p/rules/fifo.yml", node_type::other},      {"/p/rules/sub/c.yml", node_type::regular}};
  const auto m = snapshot::expand_glob("/p/rules/*.yml", f.view());
  CHECK(m.files ==
        std::vector<std::string>{"/p/rules/.hidden.yml", "/p/rules/a.yml", "/p/rules/b.yml"});
  CHECK(m.unreadable.empty());

  SUBCASE("a wildcard in a directory element") {
    const auto d = snapshot::expand_glob("/p/*/*.yml", f.view());
    CHECK(d.files ==
          std::vector<std::string>{"/p/rules/.hidden.yml", "/p/rules/a.yml", "/p/rules/b.yml"});
    CHECK(snapshot::expand_glob("/p/rules/s?b/*.yml", f.view()).files ==
          std::vector<std::string>{"/p/rules/sub/c.yml"});
  }
  SUBCASE("a plain path, present or not") {
    CHECK(snapshot::expand_glob("/p/rules/a.yml", f.view()).files ==
          std::vector<std::string>{"/p/rules/a.yml"});
    const auto none = snapshot::expand_glob("/p/nothing/*.yml", f.view());
    CHECK(none.files.empty());
    CHECK(none.unreadable.empty());  // a missing directory is simply no match
  }
}

TEST_CASE("a directory a glob cannot list is unreadable, never an empty match") {
  fake_fs f;
  f.dirs["/p"] = {"rules", "ok"};
  f.dirs["/p/ok"] = {"x.yml"};
  f.nodes["/p/ok/x.yml"] = node_type::regular;
  f.broken["/p/rules"] = EACCES;

  const auto m = snapshot::expand_glob("/p/rules/*.yml", f.view());
  CHECK(m.files.empty());
  REQUIRE(m.unreadable.size() == 1);
  CHECK(m.unreadable[0].first == "/p/rules");
  CHECK(m.unreadable[0].second.find("Permission denied") != std::string::npos);

  SUBCASE("through a wildcard directory element, the readable ones still match") {
    const auto w = snapshot::expand_glob("/p/*/*.yml", f.view());
    CHECK(w.files == std::vector<std::string>{"/p/ok/x.yml"});
    REQUIRE(w.unreadable.size() == 1);
    CHECK(w.unreadable[0].first == "/p/rules");
  }
  SUBCASE("a plain path below it cannot be examined") {
    f.broken["/p/rules/a.yml"] = EACCES;
    const auto p = snapshot::expand_glob("/p/rules/a.yml", f.view());
    CHECK(p.files.empty());
    REQUIRE(p.unreadable.size() == 1);
    CHECK(p.unreadable[0].first == "/p/rules/a.yml");
  }
  SUBCASE("a match that is a symlink loop") {
    f.dirs["/p/ok"].push_back("loop.yml");
    f.broken["/p/ok/loop.yml"] = ELOOP;
    const auto l = snapshot::expand_glob("/p/ok/*.yml", f.view());
    CHECK(l.files == std::vector<std::string>{"/p/ok/x.yml"});
    REQUIRE(l.unreadable.size() == 1);
    CHECK(l.unreadable[0].first == "/p/ok/loop.yml");
  }
}
