#include "apply/publish.hpp"

#include <atomic>
#include <fstream>
#include <set>
#include <sstream>
#include <sys/stat.h>
#include <thread>

#include <doctest/doctest.h>

#include "apply/publish_plan.hpp"
#include "support/child_process.hpp"

namespace fs = std::filesystem;
using namespace promwatch;
using test::temp_dir;

namespace {

const char* const promtool_path = "/usr/bin/promtool";

const std::string config_v1 =
    "global:\n  scrape_interval: 15s\nrule_files: [rules/*.yml]\nscrape_configs:\n"
    "- job_name: node\n  file_sd_configs:\n  - files: [targets/*.json]\n";
const std::string rules_v1 =
    "groups:\n- name: g\n  rules:\n  - record: job:up:sum\n    expr: sum by (job) (up)\n";
const std::string targets_v1 = R"([{"targets": ["127.0.0.1:9100"], "labels": {"env": "t"}}])";

snapshot::snapshot snap_of(const fs::path& root,
                           std::initializer_list<std::pair<std::string, std::string>> files) {
  snapshot::snapshot s;
  for (const auto& [rel, content] : files)
    s.files[(root / rel).lexically_normal().string()].content = content;
  return s;
}

// Every entry of a tree with its kind, symlink target or content: a picture to compare.
std::map<std::string, std::string> picture(const fs::path& dir) {
  std::map<std::string, std::string> out;
  for (auto it = fs::recursive_directory_iterator(dir); it != fs::recursive_directory_iterator();
       ++it) {
    const auto rel = it->path().lexically_relative(dir).string();
    if (it->is_symlink()) {
      out[rel] = "-> " + fs::read_symlink(it->path()).string();
    } else if (it->is_directory()) {
      out[rel] = "dir";
    } else {
      out[rel] = "file " + test::read_file(it->path());
    }
  }
  return out;
}

std::vector<std::string> data_dirs(const fs::path& out) {
  std::vector<std::string> names;
  for (const auto& e : fs::directory_iterator(out)) {
    const auto name = e.path().filename().string();
    if (apply::is_data_dir_name(name)) names.push_back(name);
  }
  return names;
}

unsigned mode_of(const fs::path& p) {
  struct stat st {};
  REQUIRE(::stat(p.c_str(), &st) == 0);
  return st.st_mode & 07777;
}

}  // namespace

TEST_CASE("a first publish creates the output dir, the data dir, ..data and the visible links") {
  temp_dir t;
  const auto src = t.path / "src";
  const auto out = t.path / "out/nested";
  const auto snap = snap_of(
      src,
      {{"prometheus.yml", config_v1}, {"rules/a.yml", rules_v1}, {"targets/t.json", targets_v1}});
  const mode_t old_umask = ::umask(077);  // modes must not depend on the umask
  const auto report = apply::publish_atomically(snap, src, out);
  ::umask(old_umask);
  REQUIRE_MESSAGE(report.has_value(), report.error().message);

  CHECK(report->files_written == 3);
  CHECK(report->bytes_written == config_v1.size() + rules_v1.size() + targets_v1.size());
  CHECK_FALSE(report->unchanged);
  CHECK(report->links_created == 3);
  CHECK(apply::is_data_dir_name(report->data_dir));
  CHECK(data_dirs(out) == std::vector<std::string>{report->data_dir});

  CHECK(fs::read_symlink(out / "..data") == report->data_dir);
  CHECK(fs::read_symlink(out / "prometheus.yml") == "..data/prometheus.yml");
  CHECK(fs::read_symlink(out / "rules") == "..data/rules");
  CHECK(fs::read_symlink(out / "targets") == "..data/targets");
  CHECK(test::read_file(out / "prometheus.yml") == config_v1);
  CHECK(test::read_file(out / "rules/a.yml") == rules_v1);
  CHECK(test::read_file(out / "targets/t.json") == targets_v1);
  CHECK_FALSE(fs::exists(out / "..data_tmp"));
  CHECK_FALSE(fs::exists(src));  // written from the snapshot's bytes, not the source

  const auto data = out / report->data_dir;
  CHECK(mode_of(data) == 0755);
  CHECK(mode_of(data / "rules") == 0755);
  CHECK(mode_of(data / "prometheus.yml") == 0644);
  CHECK(mode_of(data / "rules/a.yml") == 0644);
}

TEST_CASE("readers of the visible file see one whole version or the other, never a gap") {
  temp_dir t;
  const auto src = t.path / "src";
  const auto out = t.path / "out";
  // Versions of different lengths, so a torn or mixed read could not pass for either.
  const std::string v1 = config_v1;
  const std::string v2 = config_v1 + "# second version\n" + std::string(20000, '#') + "\n";
  const auto snap1 = snap_of(src, {{"prometheus.yml", v1}, {"rules/a.yml", rules_v1}});
  const auto snap2 = snap_of(src, {{"prometheus.yml", v2}, {"rules/a.yml", rules_v1 + "\n"}});
  REQUIRE(apply::publish_atomically(snap1, src, out).has_value());

  std::atomic<bool> stop{false};
  std::atomic<int> reads{0};
  std::atomic<int> bad_reads{0};
  std::string first_bad;
  std::thread reader([&] {
    // Bounded: the writer sets `stop` after its fixed number of publishes.
    while (!stop.load()) {
      std::ifstream in(out / "prometheus.yml", std::ios::binary);
      std::ostringstream buf;
      if (in) buf << in.rdbuf();
      const std::string got = in ? buf.str() : std::string("<missing>");
      if (got != v1 && got != v2 && bad_reads.fetch_add(1) == 0) first_bad = got.substr(0, 200);
      reads.fetch_add(1);
    }
  });
  constexpr int publishes = 60;
  int failures = 0;
  for (int i = 0; i < publishes; ++i) {
    const auto r = apply::publish_atomically(i % 2 == 0 ? snap2 : snap1, src, out);
    if (!r || r->unchanged) ++failures;
  }
  // Let the reader see the last version a few times too.
  const int before = reads.load();
  test::eventually([&] { return reads.load() > before + 10; }, std::chrono::seconds(5));
  stop.store(true);
  reader.join();

  CHECK(failures == 0);
  CHECK(reads.load() > publishes);
  CHECK_MESSAGE(bad_reads.load() == 0, "first bad read: " << first_bad);
  CHECK(test::read_file(out / "prometheus.yml") == v1);  // the 60th publish was snap1
  // Only the current data dir and the one before it remain; older ones were removed.
  CHECK(data_dirs(out).size() == 2);
}

TEST_CASE("names that left the tree lose their visible link; the user's entries stay") {
  temp_dir t;
  const auto src = t.path / "src";
  const auto out = t.path / "out";
  test::write_file(out / "notes.txt", "mine");
  fs::create_directories(out / "mydir");
  REQUIRE(apply::publish_atomically(
              snap_of(src, {{"prometheus.yml", config_v1}, {"old.yml", "x"}, {"old/r.yml", "y"}}),
              src, out)
              .has_value());
  REQUIRE(fs::is_symlink(out / "old.yml"));

  const auto report = apply::publish_atomically(
      snap_of(src, {{"prometheus.yml", config_v1}, {"rules/a.yml", rules_v1}}), src, out);
  REQUIRE_MESSAGE(report.has_value(), report.error().message);
  CHECK(report->links_created == 1);
  CHECK(report->links_removed == 2);
  CHECK_FALSE(fs::exists(fs::symlink_status(out / "old.yml")));
  CHECK_FALSE(fs::exists(fs::symlink_status(out / "old")));
  CHECK(test::read_file(out / "rules/a.yml") == rules_v1);
  CHECK(test::read_file(out / "notes.txt") == "mine");
  CHECK(fs::is_directory(fs::symlink_status(out / "mydir")));
  CHECK(data_dirs(out).size() == 2);  // the previous one stays until the next publish
}

TEST_CASE("a user's entry where a visible name must go is an error and nothing changes") {
  temp_dir t;
  const auto src = t.path / "src";
  const auto out = t.path / "out";
  const auto snap = snap_of(src, {{"prometheus.yml", config_v1}, {"rules/a.yml", rules_v1}});

  SUBCASE("a regular file, before any publish") {
    test::write_file(out / "prometheus.yml", "the user's own");
  }
  SUBCASE("a directory replacing one of our links") {
    REQUIRE(
        apply::publish_atomically(snap_of(src, {{"prometheus.yml", "old"}}), src, out).has_value());
    fs::create_directories(out / "rules");
  }
  SUBCASE("a symlink of the user's elsewhere") {
    REQUIRE(
        apply::publish_atomically(snap_of(src, {{"prometheus.yml", "old"}}), src, out).has_value());
    fs::remove(out / "prometheus.yml");
    fs::create_symlink("/etc/hosts", out / "prometheus.yml");
  }
  SUBCASE("a ..data directory of someone else") {
    fs::create_directories(out / "..data");
  }

  const auto before = picture(out);
  const auto report = apply::publish_atomically(snap, src, out);
  REQUIRE_FALSE(report.has_value());
  CHECK(report.error().message.find("not created by promwatch") != std::string::npos);
  CHECK(picture(out) == before);
}

TEST_CASE("publishing the content already published writes nothing and restores lost links") {
  temp_dir t;
  const auto src = t.path / "src";
  const auto out = t.path / "out";
  const auto snap = snap_of(src, {{"prometheus.yml", config_v1}, {"rules/a.yml", rules_v1}});
  const auto first = apply::publish_atomically(snap, src, out);
  REQUIRE(first.has_value());

  auto again = apply::publish_atomically(snap, src, out);
  REQUIRE(again.has_value());
  CHECK(again->unchanged);
  CHECK(again->files_written == 0);
  CHECK(again->bytes_written == 0);
  CHECK(again->links_created == 0);
  CHECK(again->data_dir == first->data_dir);
  CHECK(data_dirs(out) == std::vector<std::string>{first->data_dir});

  fs::remove(out / "rules");  // someone deleted a visible link
  again = apply::publish_atomically(snap, src, out);
  REQUIRE(again.has_value());
  CHECK(again->unchanged);
  CHECK(again->links_created == 1);
  CHECK(test::read_file(out / "rules/a.yml") == rules_v1);
  CHECK(data_dirs(out) == std::vector<std::string>{first->data_dir});

  // One byte more is a change.
  again = apply::publish_atomically(
      snap_of(src, {{"prometheus.yml", config_v1 + " "}, {"rules/a.yml", rules_v1}}), src, out);
  REQUIRE(again.has_value());
  CHECK_FALSE(again->unchanged);
  CHECK(again->data_dir != first->data_dir);
}

TEST_CASE("a file outside the source root is an error naming it, and nothing is written") {
  temp_dir t;
  const auto src = t.path / "src";
  const auto out = t.path / "out";
  test::write_file(src / "prometheus.yml", "rule_files: [../shared/*.yml]\n");
  test::write_file(t.path / "shared/x.yml", "groups: []\n");
  const auto snap = snapshot::take_snapshot({src / "prometheus.yml", {}});
  REQUIRE(snap.files.size() == 2);

  const auto report = apply::publish_atomically(snap, src, out);
  REQUIRE_FALSE(report.has_value());
  CHECK(report.error().message.find((t.path / "shared/x.yml").string()) != std::string::npos);
  CHECK_FALSE(fs::exists(out));
}

TEST_CASE("leftovers of an interrupted publish are cleaned up, other hidden entries are not") {
  temp_dir t;
  const auto src = t.path / "src";
  const auto out = t.path / "out";
  const std::string orphan = "..2020_01_01_00_00_00.000000000";
  test::write_file(out / orphan / "prometheus.yml", "half");
  fs::create_symlink(orphan, out / "..data_tmp");
  test::write_file(out / "..user_hidden/x", "keep");
  const auto report =
      apply::publish_atomically(snap_of(src, {{"prometheus.yml", config_v1}}), src, out);
  REQUIRE_MESSAGE(report.has_value(), report.error().message);
  CHECK_FALSE(fs::exists(out / orphan));
  CHECK_FALSE(fs::exists(fs::symlink_status(out / "..data_tmp")));
  CHECK(test::read_file(out / "..user_hidden/x") == "keep");
  CHECK(data_dirs(out) == std::vector<std::string>{report->data_dir});
}

TEST_CASE("the published tree of a real snapshot passes promtool check config") {
  if (!fs::exists(promtool_path)) {
    MESSAGE("skipped: " << promtool_path << " is missing");
    return;
  }
  temp_dir t;
  const auto src = t.path / "src";
  const auto out = t.path / "out";
  test::write_file(src / "prometheus.yml", config_v1);
  test::write_file(src / "rules/a.yml", rules_v1);
  test::write_file(src / "targets/t.json", targets_v1);
  const auto snap = snapshot::take_snapshot({src / "prometheus.yml", {src}});
  REQUIRE(snap.files.size() == 3);
  const auto report = apply::publish_atomically(snap, src, out);
  REQUIRE_MESSAGE(report.has_value(), report.error().message);
  fs::remove_all(src);  // promtool must find everything in the output dir alone

  const auto log = t.path / "promtool.log";
  test::child_process promtool(promtool_path,
                               {"check", "config", (out / "prometheus.yml").string()}, log);
  const auto code = promtool.wait_exit(std::chrono::seconds(60));
  INFO(promtool.log());
  REQUIRE(code.has_value());
  CHECK(*code == 0);
  CHECK(promtool.log().find("rules/a.yml") != std::string::npos);  // the glob resolved
  CHECK(promtool.log().find("1 rules found") != std::string::npos);
}

TEST_CASE("publish keeps each source file's mode and refuses files resolving outside the tree") {
  temp_dir t;
  const auto src = t.path / "src";
  const auto out = t.path / "out";
  test::write_file(src / "prometheus.yml", config_v1);
  test::write_file(src / "rules/a.yml", rules_v1);
  test::write_file(src / "targets/t.json", targets_v1);
  fs::permissions(src / "prometheus.yml", fs::perms::owner_read | fs::perms::owner_write);
  fs::permissions(src / "rules/a.yml",
                  fs::perms::owner_read | fs::perms::owner_write | fs::perms::group_read);
  const auto snap = snapshot::take_snapshot({src / "prometheus.yml", {}});
  REQUIRE(snap.files.size() == 3);
  const mode_t old_umask = ::umask(0);  // a lax umask must not widen anything either
  const auto report = apply::publish_atomically(snap, src, out);
  ::umask(old_umask);
  REQUIRE_MESSAGE(report.has_value(), report.error().message);
  const auto data = out / report->data_dir;
  // Before, every file became 0644: a config holding a password turned world-readable.
  CHECK(mode_of(data / "prometheus.yml") == 0600);
  CHECK(mode_of(data / "rules/a.yml") == 0640);
  CHECK(mode_of(data / "targets/t.json") == 0644);

  SUBCASE("a chmod alone is published again") {
    fs::permissions(src / "rules/a.yml", fs::perms::owner_read | fs::perms::owner_write);
    const auto again =
        apply::publish_atomically(snapshot::take_snapshot({src / "prometheus.yml", {}}), src, out);
    REQUIRE_MESSAGE(again.has_value(), again.error().message);
    CHECK_FALSE(again->unchanged);
    CHECK(mode_of(out / again->data_dir / "rules/a.yml") == 0600);
  }
  SUBCASE("a rule file that is a symlink to a file outside the config tree is refused") {
    test::write_file(t.path / "secret/password.yml", "groups: []\n");
    fs::create_symlink("../../secret/password.yml", src / "rules/b.yml");
    const auto s = snapshot::take_snapshot({src / "prometheus.yml", {}});
    REQUIRE(s.files.size() == 4);
    const auto refused = apply::publish_atomically(s, src, out);
    REQUIRE(refused.has_error());
    CHECK(refused.error().message.find("rules/b.yml resolves to") != std::string::npos);
    CHECK(refused.error().message.find("outside the config tree") != std::string::npos);
    CHECK(fs::read_symlink(out / "..data") == report->data_dir);  // nothing changed
  }
  SUBCASE("symlinks that stay inside the tree, as in a ConfigMap volume, are fine") {
    fs::create_symlink("a.yml", src / "rules/b.yml");
    const auto ok =
        apply::publish_atomically(snapshot::take_snapshot({src / "prometheus.yml", {}}), src, out);
    REQUIRE_MESSAGE(ok.has_value(), ok.error().message);
  }
}

TEST_CASE("a config naming its rules by absolute path into the source tree is not published") {
  temp_dir t;
  const auto src = fs::canonical(t.path) / "src";
  const auto out = t.path / "out";
  test::write_file(src / "prometheus.yml",
                   "rule_files:\n  - " + (src / "rules/*.yml").string() + "\n");
  test::write_file(src / "rules/a.yml", rules_v1);
  const auto snap = snapshot::take_snapshot({src / "prometheus.yml", {}});
  REQUIRE(snap.files.size() == 2);  // the rules are inside the tree: only the path is wrong
  const auto report = apply::publish_atomically(snap, src, out);
  // Before, this published, and the output dir's config sent Prometheus to the sources.
  REQUIRE(report.has_error());
  CHECK(report.error().message.find((src / "prometheus.yml").string() + ":2:5: rule_files entry " +
                                    (src / "rules/*.yml").string() + " is an absolute path") !=
        std::string::npos);
  CHECK(report.error().message.find("(rules/*.yml)") != std::string::npos);
  CHECK_FALSE(fs::exists(out / "..data"));
}
