#include "apply/publish_plan.hpp"

#include <doctest/doctest.h>

using namespace promwatch;
using apply::dir_entry;
using apply::entry_type;

namespace {

snapshot::snapshot snap_of(std::initializer_list<std::pair<std::string, std::string>> files) {
  snapshot::snapshot s;
  for (const auto& [path, content] : files)
    s.files[path].content = content;
  return s;
}

std::vector<std::string> paths(const apply::tree_plan& t) {
  std::vector<std::string> out;
  for (const auto& f : t.files)
    out.push_back(f.relative_path);
  return out;
}

dir_entry sym(std::string name, std::string target) {
  return {std::move(name), entry_type::symlink, std::move(target)};
}
dir_entry ours(const std::string& name) {
  return sym(name, "..data/" + name);
}
dir_entry directory(std::string name) {
  return {std::move(name), entry_type::directory, {}};
}
dir_entry regular(std::string name) {
  return {std::move(name), entry_type::regular, {}};
}

const std::string old_dir = "..2024_01_02_03_04_05.000000001";

// For tests of paths and errors: the snapshot dies here, so the content views are cleared.
core::result<apply::tree_plan> plan_paths(
    std::initializer_list<std::pair<std::string, std::string>> files, const std::string& root) {
  const auto s = snap_of(files);
  auto plan = apply::plan_tree(s, root);
  if (plan) {
    for (auto& f : plan->files)
      f.content = {};
  }
  return plan;
}

// The plan views the snapshot's bytes: the caller keeps the snapshot alive.
apply::tree_plan tree(snapshot::snapshot&&) = delete;
apply::tree_plan tree(const snapshot::snapshot& s) {
  return apply::plan_tree(s, "/etc/p").value();
}

}  // namespace

TEST_CASE("files are placed at their paths relative to the source root, with their bytes") {
  const auto s = snap_of({{"/etc/p/prometheus.yml", "global: {}\n"},
                          {"/etc/p/rules/b/x.yml", "groups: []\n"},
                          {"/etc/p/rules/a.yml", "a"},
                          {"/etc/p/targets.json", "[]"}});
  const auto plan = apply::plan_tree(s, "/etc/p");
  REQUIRE(plan.has_value());
  CHECK(paths(*plan) ==
        std::vector<std::string>{"prometheus.yml", "rules/a.yml", "rules/b/x.yml", "targets.json"});
  CHECK(plan->files[0].content == "global: {}\n");
  CHECK(plan->files[2].content == "groups: []\n");
  CHECK(plan->directories == std::vector<std::string>{"rules", "rules/b"});
  CHECK(plan->top_level == std::vector<std::string>{"prometheus.yml", "rules", "targets.json"});
}

TEST_CASE("the content views the snapshot's bytes without copying them") {
  const auto s = snap_of({{"/etc/p/prometheus.yml", std::string(1000, 'x')}});
  const auto plan = apply::plan_tree(s, "/etc/p").value();
  CHECK(plan.files[0].content.data() == s.files.begin()->second.content.data());
}

TEST_CASE("the source root may be given with a trailing slash or unnormalised") {
  const auto s = snap_of({{"/etc/p/prometheus.yml", ""}, {"/etc/p/r/a.yml", ""}});
  for (const std::string root : {"/etc/p/", "/etc/./p", "/etc/q/../p", "/etc//p//"}) {
    CAPTURE(root);
    const auto plan = apply::plan_tree(s, root);
    REQUIRE(plan.has_value());
    CHECK(paths(*plan) == std::vector<std::string>{"prometheus.yml", "r/a.yml"});
  }
}

TEST_CASE("the filesystem root as source root keeps whole paths") {
  const auto plan = plan_paths({{"/etc/p/prometheus.yml", ""}}, "/");
  REQUIRE(plan.has_value());
  CHECK(paths(*plan) == std::vector<std::string>{"etc/p/prometheus.yml"});
  CHECK(plan->directories == std::vector<std::string>{"etc", "etc/p"});
  CHECK(plan->top_level == std::vector<std::string>{"etc"});
}

TEST_CASE("a file outside the source root is an error naming it") {
  std::string outside;
  SUBCASE("a sibling directory, as ../shared/x.yml") {
    outside = "/etc/shared/x.yml";
  }
  SUBCASE("an absolute reference elsewhere") {
    outside = "/srv/rules/x.yml";
  }
  SUBCASE("a directory whose name only starts like the root") {
    outside = "/etc/prom/x.yml";
  }
  SUBCASE("an unnormalised path that climbs out") {
    outside = "/etc/p/../shared/x.yml";
  }
  SUBCASE("the root itself") {
    outside = "/etc/p";
  }
  SUBCASE("the root's parent") {
    outside = "/etc";
  }
  CAPTURE(outside);
  const auto plan = plan_paths({{"/etc/p/prometheus.yml", ""}, {outside, ""}}, "/etc/p");
  REQUIRE_FALSE(plan.has_value());
  CHECK(plan.error().message.find(outside) != std::string::npos);
  CHECK(plan.error().message.find("outside /etc/p") != std::string::npos);
}

TEST_CASE("an unnormalised path that stays inside the root is published at its normal place") {
  const auto plan = plan_paths({{"/etc/p/rules/../x.yml", ""}}, "/etc/p");
  REQUIRE(plan.has_value());
  CHECK(paths(*plan) == std::vector<std::string>{"x.yml"});
}

TEST_CASE("snapshots that cannot be published are errors naming the file") {
  SUBCASE("an unreadable file") {
    auto s = snap_of({{"/etc/p/prometheus.yml", ""}, {"/etc/p/r.yml", ""}});
    s.files["/etc/p/r.yml"].read_error = "permission denied";
    const auto plan = apply::plan_tree(s, "/etc/p");
    REQUIRE_FALSE(plan.has_value());
    CHECK(plan.error().message.find("/etc/p/r.yml") != std::string::npos);
    CHECK(plan.error().message.find("permission denied") != std::string::npos);
  }
  SUBCASE("a top-level name reserved for the internals") {
    for (const std::string name : {"..data", "..2024_01_01_00_00_00.1", "..x"}) {
      const auto plan = plan_paths({{"/etc/p/" + name + "/a.yml", ""}}, "/etc/p");
      REQUIRE_FALSE(plan.has_value());
      CHECK(plan.error().message.find("reserved") != std::string::npos);
    }
  }
  SUBCASE("a name starting with .. below the top level is fine") {
    CHECK(plan_paths({{"/etc/p/r/..x.yml", ""}}, "/etc/p").has_value());
  }
  SUBCASE("a file that is also the directory of another") {
    const auto plan = plan_paths({{"/etc/p/rules", ""}, {"/etc/p/rules/a.yml", ""}}, "/etc/p");
    REQUIRE_FALSE(plan.has_value());
    CHECK(plan.error().message.find("/etc/p/rules") != std::string::npos);
  }
  SUBCASE("two spellings of one file") {
    const auto plan = plan_paths({{"/etc/p/a.yml", "1"}, {"/etc/p/./a.yml", "2"}}, "/etc/p");
    REQUIRE_FALSE(plan.has_value());
    CHECK(plan.error().message.find("twice") != std::string::npos);
  }
  SUBCASE("a relative path") {
    CHECK_FALSE(plan_paths({{"p/a.yml", ""}}, "/etc/p").has_value());
  }
  SUBCASE("a relative source root") {
    CHECK_FALSE(plan_paths({{"/etc/p/a.yml", ""}}, "etc/p").has_value());
  }
  SUBCASE("an empty snapshot") {
    const snapshot::snapshot empty;
    CHECK_FALSE(apply::plan_tree(empty, "/etc/p").has_value());
  }
}

TEST_CASE("a first publish into an empty output dir creates one link per top-level name") {
  const auto s = snap_of({{"/etc/p/prometheus.yml", ""}, {"/etc/p/r/a.yml", ""}});
  const auto plan = apply::plan_links(tree(s), {});
  REQUIRE(plan.has_value());
  CHECK(plan->create == std::vector<std::string>{"prometheus.yml", "r"});
  CHECK(plan->remove.empty());
  CHECK(plan->current_data_dir.empty());
  CHECK(plan->leftovers.empty());
}

TEST_CASE("a second publish keeps existing links, adds new names and removes stale ones") {
  const auto s = snap_of({{"/etc/p/prometheus.yml", ""}, {"/etc/p/new.yml", ""}});
  const auto t = tree(s);
  const std::vector<dir_entry> current{sym("..data", old_dir), directory(old_dir),
                                       ours("prometheus.yml"), ours("gone.yml"), ours("rules")};
  const auto plan = apply::plan_links(t, current);
  REQUIRE(plan.has_value());
  CHECK(plan->create == std::vector<std::string>{"new.yml"});
  CHECK(plan->remove == std::vector<std::string>{"gone.yml", "rules"});
  CHECK(plan->current_data_dir == old_dir);
  CHECK(plan->leftovers.empty());
}

TEST_CASE("entries promwatch did not create are never touched") {
  const auto s = snap_of({{"/etc/p/prometheus.yml", ""}});
  const auto t = tree(s);
  SUBCASE("unrelated user files beside ours stay") {
    const auto plan = apply::plan_links(
        t, {regular("notes.txt"), directory("data"), sym("other", "/elsewhere"),
            sym("x", "..data/y"), directory("..hidden"), regular("..2024_01_02_03_04_05.000000001"),
            sym("..data_old", old_dir)});
    REQUIRE(plan.has_value());
    CHECK(plan->remove.empty());
    CHECK(plan->leftovers.empty());
  }
  SUBCASE("a user's entry where a visible name must go is an error") {
    for (const auto& e :
         {regular("prometheus.yml"), directory("prometheus.yml"),
          sym("prometheus.yml", "/etc/p/prometheus.yml"), sym("prometheus.yml", "..data/other.yml"),
          dir_entry{"prometheus.yml", entry_type::other, {}}}) {
      const auto plan = apply::plan_links(t, {e});
      REQUIRE_FALSE(plan.has_value());
      CHECK(plan.error().message.find("prometheus.yml") != std::string::npos);
      CHECK(plan.error().message.find("not created by promwatch") != std::string::npos);
    }
  }
  SUBCASE("a ..data that is not our symlink is an error") {
    for (const auto& e : {directory("..data"), regular("..data"), sym("..data", "/somewhere"),
                          sym("..data", "..2024_01_01_00_00_00.abc")}) {
      const auto plan = apply::plan_links(t, {e});
      REQUIRE_FALSE(plan.has_value());
      CHECK(plan.error().message.find("..data") != std::string::npos);
    }
  }
  SUBCASE("a ..data pointing at a non-directory is an error") {
    CHECK_FALSE(apply::plan_links(t, {sym("..data", old_dir), regular(old_dir)}).has_value());
  }
}

TEST_CASE("a dangling ..data has no previous data dir to remove") {
  const auto s = snap_of({{"/etc/p/prometheus.yml", ""}});
  const auto plan = apply::plan_links(tree(s), {sym("..data", old_dir)});
  REQUIRE(plan.has_value());
  CHECK(plan->current_data_dir.empty());
}

TEST_CASE("leftovers of an interrupted publish are collected, the live data dir is not") {
  const std::string orphan = "..2024_01_02_03_04_06.000000002_1";
  const auto s = snap_of({{"/etc/p/prometheus.yml", ""}});
  const auto plan =
      apply::plan_links(tree(s), {sym("..data", old_dir), directory(old_dir), directory(orphan),
                                  sym("..data_tmp", orphan), sym("..visible_tmp", "..data/x"),
                                  ours("prometheus.yml")});
  REQUIRE(plan.has_value());
  CHECK(plan->leftovers == std::vector<std::string>{orphan, "..data_tmp", "..visible_tmp"});
  CHECK(plan->create.empty());
  CHECK(plan->remove.empty());
}

TEST_CASE("same_tree compares paths and bytes exactly") {
  const auto s = snap_of({{"/etc/p/prometheus.yml", "a"}, {"/etc/p/r/x.yml", "b"}});
  const auto t = tree(s);
  CHECK(apply::same_tree(t, {{"prometheus.yml", "a"}, {"r/x.yml", "b"}}));
  CHECK_FALSE(apply::same_tree(t, {{"prometheus.yml", "a"}, {"r/x.yml", "b "}}));
  CHECK_FALSE(apply::same_tree(t, {{"prometheus.yml", "a"}}));
  CHECK_FALSE(apply::same_tree(t, {{"prometheus.yml", "a"}, {"r/x.yml", "b"}, {"extra", ""}}));
  CHECK_FALSE(apply::same_tree(t, {{"prometheus.yml", "a"}, {"r/y.yml", "b"}}));
  CHECK_FALSE(apply::same_tree(t, {}));
}

TEST_CASE("data dir names carry the UTC time to the nanosecond and an attempt counter") {
  using namespace std::chrono;
  const auto t =
      sys_days{year{2024} / 5 / 1} + hours{13} + minutes{2} + seconds{3} + nanoseconds{45};
  CHECK(apply::data_dir_name(system_clock::time_point{duration_cast<system_clock::duration>(
            t.time_since_epoch())}) == "..2024_05_01_13_02_03.000000045");
  CHECK(apply::data_dir_name(
            system_clock::time_point{duration_cast<system_clock::duration>(t.time_since_epoch())},
            3) == "..2024_05_01_13_02_03.000000045_3");
  CHECK(apply::data_dir_name(system_clock::time_point{}) == "..1970_01_01_00_00_00.000000000");
}

TEST_CASE("only names of the data dir shape are recognised as ours") {
  CHECK(apply::is_data_dir_name("..2024_05_01_13_02_03.000000045"));
  CHECK(apply::is_data_dir_name("..2024_05_01_13_02_03.000000045_12"));
  CHECK(apply::is_data_dir_name(apply::data_dir_name(std::chrono::system_clock::now())));
  CHECK_FALSE(apply::is_data_dir_name("..data"));
  CHECK_FALSE(apply::is_data_dir_name("..data_tmp"));
  CHECK_FALSE(apply::is_data_dir_name("2024_05_01_13_02_03.000000045"));
  CHECK_FALSE(apply::is_data_dir_name("..2024_05_01_13_02_03.00000004"));
  CHECK_FALSE(apply::is_data_dir_name("..2024_05_01_13_02_03.000000045_"));
  CHECK_FALSE(apply::is_data_dir_name("..2024_05_01_13_02_03.000000045x"));
  CHECK_FALSE(apply::is_data_dir_name("..2024-05-01_13_02_03.000000045"));
  CHECK_FALSE(apply::is_data_dir_name(""));
}

TEST_CASE("an absolute reference in the config is refused at its position in publish mode") {
  auto s = snap_of({{"/etc/p/prometheus.yml", ""}, {"/etc/p/rules/a.yml", ""}});
  s.files["/etc/p/prometheus.yml"].kind = core::file_kind::config;
  // Before, the files were inside the root, so the plan passed and the published config
  // sent Prometheus to /etc/p/rules: the unvalidated sources.
  s.absolute_references = {{"rule_files", "/etc/p/rules/*.yml", 3, 5},
                           {"file_sd_configs files", "/srv/sd/*.json", 9, 17}};
  const auto plan = apply::plan_tree(s, "/etc/p");
  REQUIRE_FALSE(plan.has_value());
  const auto& m = plan.error().message;
  CHECK(m.find("/etc/p/prometheus.yml:3:5: rule_files entry /etc/p/rules/*.yml is an absolute "
               "path") != std::string::npos);
  CHECK(m.find("write it relative to the config file's directory (rules/*.yml)") !=
        std::string::npos);
  CHECK(m.find("/etc/p/prometheus.yml:9:17: file_sd_configs files entry /srv/sd/*.json") !=
        std::string::npos);
}
