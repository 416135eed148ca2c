#include "snapshot/snapshot.hpp"

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
