#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <sys/stat.h>
#include <sys/wait.h>
#include <vector>

#include <doctest/doctest.h>

#include "cli/check.hpp"
#include "cli/options.hpp"

namespace fs = std::filesystem;

namespace {
struct scratch {
  fs::path dir;
  scratch() {
    std::string tmpl = (fs::temp_directory_path() / "promwatch-check-XXXXXX").string();
    dir = ::mkdtemp(tmpl.data());
  }
  ~scratch() {
    std::error_code ec;
    fs::remove_all(dir, ec);
  }
  std::string write(const std::string& name, const std::string& text) const {
    fs::create_directories((dir / name).parent_path());
    std::ofstream(dir / name) << text;
    return (dir / name).string();
  }
};

struct outcome {
  int code;
  std::string out, err;
};

outcome check(std::string_view what, std::vector<std::string> files) {
  std::ostringstream out, err;
  int code = promwatch::cli::run_check(what, files, out, err);
  return {code, out.str(), err.str()};
}
}  // namespace

TEST_CASE("check rules prints promtool-like results and exits 0 or 1") {
  scratch s;
  auto good = s.write("good.yml", "groups:\n- name: g\n  rules:\n  - record: a\n    expr: up\n");
  auto bad = s.write("bad.yml", "groups:\n- name: g\n  rules:\n  - record: a-b\n    expr: up\n");
  auto ok = check("rules", {good});
  CHECK(ok.code == 0);
  CHECK(ok.out.find("Checking " + good) != std::string::npos);
  CHECK(ok.out.find("  SUCCESS: 1 rules found") != std::string::npos);
  auto failed = check("rules", {good, bad});
  CHECK(failed.code == 1);
  CHECK(failed.err.find("  FAILED:") != std::string::npos);
  CHECK(failed.err.find(bad + ":4:13: ") != std::string::npos);
  CHECK(check("rules", {(s.dir / "missing.yml").string()}).code == 1);
}

TEST_CASE("check file-sd validates target files by extension") {
  scratch s;
  CHECK(check("file-sd", {s.write("t.json", "[{\"targets\":[\"a:1\"]}]")}).code == 0);
  CHECK(check("file-sd", {s.write("u.yml", "- null\n")}).code == 1);
}

TEST_CASE("check config also checks the rule files the config references") {
  scratch s;
  s.write("rules/a.yml", "groups:\n- name: g\n  rules:\n  - record: a\n    expr: up\n");
  s.write("rules/b.yml", "groups:\n- name: g\n  rules:\n  - record: b\n    expr: sum(\n");
  auto cfg = s.write("prometheus.yml", "rule_files:\n  - rules/*.yml\n");
  auto files = promwatch::cli::resolve_rule_files(cfg, "rule_files:\n  - rules/*.yml\n");
  REQUIRE(files.size() == 2);
  auto r = check("config", {cfg});
  CHECK(r.code == 1);
  CHECK(r.out.find("Checking " + (s.dir / "rules/a.yml").string()) != std::string::npos);
  CHECK(r.err.find("b.yml:5:") != std::string::npos);
}

TEST_CASE("check reports usage errors with exit code 2") {
  CHECK(check("bogus", {"x"}).code == 2);
  CHECK(check("rules", {}).code == 2);
}

namespace {
// `promwatch check ARGS...` as main runs it: flags parsed into a profile, then run_check.
outcome check_cli(std::vector<std::string> args) {
  std::vector<std::string_view> views(args.begin(), args.end());
  const auto parsed = promwatch::cli::parse_command_line(views);
  if (parsed.has_error()) return {2, "", parsed.error().message};
  std::ostringstream out, err;
  int code = promwatch::cli::run_check(parsed->check_kind, parsed->check_files, out, err,
                                       parsed->check_profile);
  return {code, out.str(), err.str()};
}

constexpr auto group_labels_rules =
    "groups:\n- name: g\n  labels:\n    team: a\n  query_offset: 1m\n  rules:\n  - record: a\n"
    "    expr: up\n";
constexpr auto holt_winters_rules =
    "groups:\n- name: g\n  rules:\n  - record: a\n    expr: holt_winters(up[5m], 0.5, 0.5)\n";
}  // namespace

TEST_CASE("check --prometheus-version judges as promtool of that version") {
  scratch s;
  const auto labels = s.write("labels.yml", group_labels_rules);
  const auto hw = s.write("hw.yml", holt_winters_rules);
  SUBCASE("group labels: unknown to 2.42, valid for 3.5") {
    const auto old = check_cli({"check", "rules", "--prometheus-version=2.42", labels});
    CHECK(old.code == 1);
    CHECK(old.err.find("field labels not found") != std::string::npos);
    CHECK(check_cli({"check", "rules", "--prometheus-version=3.5", labels}).code == 0);
  }
  SUBCASE("holt_winters: valid for 2.53, removed in 3.0") {
    CHECK(check_cli({"check", "rules", "--prometheus-version=2.53", hw}).code == 0);
    const auto r = check_cli({"check", "rules", "--prometheus-version=3.5", hw});
    CHECK(r.code == 1);
    CHECK(r.err.find("holt_winters") != std::string::npos);
  }
  SUBCASE("the default is the newest known promtool") {
    CHECK(check_cli({"check", "rules", hw}).code == 1);
    CHECK(check_cli({"check", "rules", labels}).code == 0);
  }
  SUBCASE("a version newer than known is said to be judged as the newest") {
    const auto r = check_cli({"check", "rules", "--prometheus-version=3.99", labels});
    CHECK(r.err.find("newer than Prometheus 3.14") != std::string::npos);
  }
}

TEST_CASE("bad check versions are usage errors, from the binary too") {
  CHECK(check_cli({"check", "rules", "--prometheus-version=auto", "x.yml"}).code == 2);
  CHECK(check_cli({"check", "rules", "--prometheus-version=1.8", "x.yml"}).code == 2);
  const int code = std::system(
      (std::string(PROMWATCH_BINARY) + " check rules --prometheus-version=banana x.yml 2>/dev/null")
          .c_str());
  CHECK(WEXITSTATUS(code) == 2);
}

namespace {
#if defined(__SANITIZE_ADDRESS__)
// ASan reserves terabytes of address space for its shadow memory, so an address-space limit
// aborts the binary at start; under ASan the timeout alone bounds the test.
constexpr const char* address_space_limit = "";
#else
constexpr const char* address_space_limit = "ulimit -v 1048576; ";
#endif

/// Runs the promwatch binary with `args` (shell words) under a 10 s timeout and a 1 GiB
/// address-space limit, so a hang or an endless read fails the test instead of the machine.
/// Returns the exit status (124 on timeout) and stderr.
outcome bounded_binary(const scratch& s, const std::string& args) {
  const std::string err_file = (s.dir / "stderr.txt").string();
  const std::string cmd = "sh -c '" + std::string(address_space_limit) + "exec timeout 10 " +
                          std::string(PROMWATCH_BINARY) + " " + args + "' >/dev/null 2>" + err_file;
  const int status = std::system(cmd.c_str());
  std::ifstream in(err_file);
  std::stringstream err;
  err << in.rdbuf();
  return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, "", err.str()};
}
}  // namespace

TEST_CASE("check reads only regular files: a FIFO or /dev/zero fails at once") {
  scratch s;
  const std::string fifo = (s.dir / "fifo.yml").string();
  REQUIRE(::mkfifo(fifo.c_str(), 0600) == 0);
  const auto start = std::chrono::steady_clock::now();

  const auto f = bounded_binary(s, "check rules " + fifo);
  CHECK(f.code == 1);
  CHECK(f.err.find(fifo + ":1:1: cannot read " + fifo + ": not a regular file") !=
        std::string::npos);

  const auto zero = bounded_binary(s, "check rules /dev/zero");
  CHECK(zero.code == 1);
  CHECK(zero.err.find("not a regular file") != std::string::npos);

  SUBCASE("a FIFO matched by a rule_files glob of check config") {
    fs::create_directories(s.dir / "rules");
    REQUIRE(::mkfifo((s.dir / "rules/pipe.yml").c_str(), 0600) == 0);
    const auto cfg = s.write("prometheus.yml", "rule_files:\n  - rules/*.yml\n");
    const auto c = bounded_binary(s, "check config " + cfg);
    CHECK(c.code == 1);
    CHECK(c.err.find("pipe.yml: not a regular file") != std::string::npos);
  }
  CHECK(std::chrono::steady_clock::now() - start < std::chrono::seconds(10));
}

TEST_CASE("check refuses a file over the size limit without reading it all") {
  scratch s;
  const std::string big = (s.dir / "big.yml").string();
  {
    std::ofstream out(big);
    out << "groups:\n";
  }
  fs::resize_file(big, 17 * 1024 * 1024);
  const auto r = check("rules", {big});
  CHECK(r.code == 1);
  CHECK(r.err.find("is more than the limit of 16777216 bytes") != std::string::npos);
}
