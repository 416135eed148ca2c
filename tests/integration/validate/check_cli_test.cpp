#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include <doctest/doctest.h>

#include "cli/check.hpp"

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
