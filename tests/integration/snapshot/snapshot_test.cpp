#include "snapshot/snapshot.hpp"

#include <chrono>
#include <functional>
#include <future>
#include <grp.h>
#include <memory>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

#include <doctest/doctest.h>

#include "core/sha256.hpp"
#include "support/child_process.hpp"

namespace fs = std::filesystem;
using namespace promwatch;

using test::temp_dir;

TEST_CASE("a snapshot classifies files by the config's references and hashes their bytes") {
  temp_dir t;
  test::write_file(t.path / "prometheus.yml",
                   "rule_files: [rules/*.yml]\nscrape_configs:\n- job_name: a\n  file_sd_configs:\n"
                   "  - files: [targets/*.json]\n");
  test::write_file(t.path / "rules/a.yml", "groups: []\n");
  test::write_file(t.path / "targets/t.json", "[]");
  test::write_file(t.path / "README.txt", "hello");
  const auto snap = snapshot::take_snapshot({t.path / "prometheus.yml", {t.path}});
  REQUIRE(snap.files.size() == 3);
  const auto base = fs::canonical(t.path).string();
  CHECK(snap.files.at(base + "/prometheus.yml").kind == core::file_kind::config);
  CHECK(snap.files.at(base + "/rules/a.yml").kind == core::file_kind::rules);
  CHECK(snap.files.at(base + "/rules/a.yml").sha256 == core::sha256::hex("groups: []\n"));
  CHECK(snap.files.at(base + "/targets/t.json").kind == core::file_kind::file_sd);
  CHECK_FALSE(snap.files.contains(base + "/README.txt"));  // Prometheus never loads it
  CHECK(snap.warnings.empty());
}

TEST_CASE("a Kubernetes ConfigMap volume yields each file once under its visible name") {
  temp_dir t;
  const auto v = t.path / "cm";
  test::write_file(v / "..2024_01_01_00_00_00.1/prometheus.yml", "rule_files: ['*.rules.yml']\n");
  test::write_file(v / "..2024_01_01_00_00_00.1/a.rules.yml", "groups: []\n");
  fs::create_directory_symlink("..2024_01_01_00_00_00.1", v / "..data");
  fs::create_symlink("..data/prometheus.yml", v / "prometheus.yml");
  fs::create_symlink("..data/a.rules.yml", v / "a.rules.yml");
  const auto snap = snapshot::take_snapshot({v / "prometheus.yml", {v}});
  const auto base = fs::canonical(v).string();
  REQUIRE(snap.files.size() == 2);
  CHECK(snap.files.at(base + "/a.rules.yml").kind == core::file_kind::rules);
  CHECK(snap.files.contains(base + "/prometheus.yml"));
}

TEST_CASE("referenced files outside the watch dirs are included, missing config is a read error") {
  temp_dir t;
  test::write_file(t.path / "etc/prometheus.yml", "rule_files: [../shared/*.yml]\n");
  test::write_file(t.path / "shared/x.yml", "groups: []\n");
  auto snap = snapshot::take_snapshot({t.path / "etc/prometheus.yml", {}});
  const auto base = fs::canonical(t.path).string();
  CHECK(snap.files.at(base + "/shared/x.yml").kind == core::file_kind::rules);

  snap = snapshot::take_snapshot({t.path / "nope.yml", {}});
  REQUIRE(snap.files.size() == 1);
  CHECK_FALSE(snap.files.begin()->second.read_error.empty());
}

TEST_CASE("without a usable config, kinds are guessed from content") {
  temp_dir t;
  test::write_file(t.path / "prometheus.yml", "rule_files: [\n");
  test::write_file(t.path / "r.yml", "groups: []\n");
  const auto snap = snapshot::take_snapshot({t.path / "prometheus.yml", {t.path}});
  CHECK(snap.warnings.size() == 1);
  CHECK(snap.files.at(fs::canonical(t.path).string() + "/r.yml").kind == core::file_kind::rules);
}

TEST_CASE("files over the size limit are not read") {
  temp_dir t;
  test::write_file(t.path / "prometheus.yml", "rule_files: [big.yml]\n");
  test::write_file(t.path / "big.yml", std::string(2000, '#'));
  snapshot::snapshot_spec spec{t.path / "prometheus.yml", {}};
  spec.max_file_bytes = 1000;
  const auto snap = snapshot::take_snapshot(spec);
  const auto& big = snap.files.at(fs::canonical(t.path).string() + "/big.yml");
  CHECK(big.content.empty());
  CHECK(big.read_error.find("larger than the limit") != std::string::npos);
}

namespace {

// Runs `snap_of` where permissions apply: in a child that drops to nobody (65534) when the
// tests run as root (root reads a mode-000 directory anyway), in-process otherwise. The
// child reports one line through a pipe; a child that does not answer in 20s fails the test.
std::string as_unprivileged(const std::function<std::string()>& snap_of) {
  if (::geteuid() != 0) return snap_of();
  int fds[2];
  REQUIRE(::pipe(fds) == 0);
  const pid_t pid = ::fork();
  REQUIRE(pid >= 0);
  if (pid == 0) {
    ::close(fds[0]);
    ::alarm(20);
    if (::setgroups(0, nullptr) != 0 || ::setgid(65534) != 0 || ::setuid(65534) != 0) ::_exit(3);
    const std::string out = snap_of();
    const auto written = ::write(fds[1], out.data(), out.size());
    ::_exit(written == static_cast<ssize_t>(out.size()) ? 0 : 4);
  }
  ::close(fds[1]);
  std::string out;
  char buf[4096];
  for (ssize_t n; (n = ::read(fds[0], buf, sizeof buf)) > 0;)
    out.append(buf, static_cast<std::size_t>(n));
  ::close(fds[0]);
  int status = 0;
  ::waitpid(pid, &status, 0);
  REQUIRE_MESSAGE((WIFEXITED(status) && WEXITSTATUS(status) == 0),
                  "the unprivileged child failed, status " << status);
  return out;
}

// The tree must be walkable by nobody: mkdtemp makes it 0700.
void open_up(const fs::path& dir) {
  fs::permissions(dir, fs::perms::owner_all | fs::perms::group_read | fs::perms::group_exec |
                           fs::perms::others_read | fs::perms::others_exec);
}

}  // namespace

TEST_CASE("an unreadable rules directory is an unreadable rules entry, not an empty match") {
  temp_dir t;
  open_up(t.path);
  test::write_file(t.path / "prometheus.yml", "rule_files: [rules/*.yml, other/a.yml]\n");
  test::write_file(t.path / "rules/a.yml", "groups: []\n");
  test::write_file(t.path / "other/a.yml", "groups: []\n");
  open_up(t.path / "rules");
  fs::permissions(t.path / "other", fs::perms::none);
  fs::permissions(t.path / "rules", fs::perms::none);
  const auto base = fs::canonical(t.path).string();

  const auto seen = as_unprivileged([&] {
    const auto snap = snapshot::take_snapshot({t.path / "prometheus.yml", {t.path}});
    std::string out;
    for (const auto& [path, e] : snap.files) {
      out += path + "|" + std::string(core::to_string(e.kind)) + "|" + e.read_error + "\n";
    }
    return out;
  });
  fs::permissions(t.path / "rules", fs::perms::owner_all);
  fs::permissions(t.path / "other", fs::perms::owner_all);

  INFO(seen);
  // Before, the glob skipped the directory and the snapshot held the config alone, so a
  // valid config was reloaded without those rules.
  CHECK(seen.find(base + "/prometheus.yml|config|\n") != std::string::npos);
  CHECK(seen.find(base + "/rules|rules|cannot be read (Permission denied), so the files the "
                         "rule_files pattern rules/*.yml matches there are unknown") !=
        std::string::npos);
  CHECK(seen.find(base + "/other/a.yml|rules|cannot be read (Permission denied)") !=
        std::string::npos);
}

TEST_CASE("a rule file that cannot be opened says why") {
  temp_dir t;
  open_up(t.path);
  test::write_file(t.path / "prometheus.yml", "rule_files: [rules/*.yml]\n");
  test::write_file(t.path / "rules/a.yml", "groups: []\n");
  open_up(t.path / "rules");
  fs::permissions(t.path / "prometheus.yml",
                  fs::perms::owner_read | fs::perms::group_read | fs::perms::others_read);
  fs::permissions(t.path / "rules/a.yml", fs::perms::none);
  const auto base = fs::canonical(t.path).string();

  const auto seen = as_unprivileged([&] {
    const auto snap = snapshot::take_snapshot({t.path / "prometheus.yml", {t.path}});
    std::string out;
    for (const auto& [path, e] : snap.files)
      out += path + "|" + e.read_error + "\n";
    return out;
  });
  fs::permissions(t.path / "rules/a.yml", fs::perms::owner_all);

  INFO(seen);
  // Before, the error was "cannot open the file" with no cause to act on.
  CHECK(seen.find(base + "/rules/a.yml|cannot open the file (Permission denied)\n") !=
        std::string::npos);
}

namespace {

// take_snapshot on a thread, failing the test instead of hanging it when it does not end.
snapshot::snapshot snapshot_within(const snapshot::snapshot_spec& spec,
                                   std::chrono::seconds limit) {
  auto task = std::make_shared<std::packaged_task<snapshot::snapshot()>>(
      [spec] { return snapshot::take_snapshot(spec); });
  auto done = task->get_future();
  std::thread([task] { (*task)(); }).detach();
  REQUIRE_MESSAGE(done.wait_for(limit) == std::future_status::ready,
                  "take_snapshot did not finish within " << limit.count() << "s");
  return done.get();
}

}  // namespace

TEST_CASE("symlink loops in the watch dirs are walked once, counted and reported") {
  temp_dir t;
  // An unusable config: kinds are guessed, so the watch dir is walked.
  test::write_file(t.path / "prometheus.yml", "rule_files: [\n");
  test::write_file(t.path / "rules/r.yml", "groups: []\n");
  test::write_file(t.path / "rules/deep/d.yml", "groups: []\n");
  fs::create_directory_symlink(".", t.path / "rules/a");
  fs::create_directory_symlink(".", t.path / "rules/b");
  fs::create_directory_symlink("..", t.path / "rules/deep/up");
  const auto base = fs::canonical(t.path).string();

  // Before, each level doubled the work down to depth 32: this never ended.
  const auto start = std::chrono::steady_clock::now();
  const auto snap =
      snapshot_within({t.path / "prometheus.yml", {t.path / "rules"}}, std::chrono::seconds(20));
  CHECK(std::chrono::steady_clock::now() - start < std::chrono::seconds(2));
  CHECK(snap.files.size() == 3);
  CHECK(snap.files.contains(base + "/rules/r.yml"));
  CHECK(snap.files.contains(base + "/rules/deep/d.yml"));
  CHECK(snap.walk.symlink_loops == 3);
  CHECK_FALSE(snap.walk.truncated);
  REQUIRE(snap.warnings.size() == 2);  // the config's, and the loops'
  CHECK(snap.warnings[1].starts_with("3 symlinked directories lead back"));

  SUBCASE("a link to / is a loop too: / holds the watch dir") {
    fs::create_directory_symlink("/", t.path / "rules/root");
    const auto s =
        snapshot_within({t.path / "prometheus.yml", {t.path / "rules"}}, std::chrono::seconds(20));
    CHECK(s.files.size() == 3);  // nothing from the rest of the machine
    CHECK(s.walk.symlink_loops == 4);
    CHECK_FALSE(s.walk.truncated);
  }
  SUBCASE("with a usable config the watch dirs are not walked at all") {
    test::write_file(t.path / "prometheus.yml", "rule_files: [rules/*.yml]\n");
    const auto s =
        snapshot_within({t.path / "prometheus.yml", {t.path / "rules"}}, std::chrono::seconds(20));
    CHECK(s.files.size() == 2);
    CHECK(s.walk.symlink_loops == 0);
    CHECK(s.warnings.empty());
  }
}
