#include "snapshot/config_refs.hpp"

#include <doctest/doctest.h>

#include "snapshot/classify.hpp"

using namespace promwatch;

TEST_CASE("rule files, scrape config files and file_sd globs are read from the config") {
  const auto refs = snapshot::read_config_refs(R"(
global:
  scrape_interval: 15s
rule_files:
  - rules/*.yml
  - /etc/extra.rules
scrape_config_files: [scrape/*.yml]
scrape_configs:
  - job_name: a
    file_sd_configs:
      - files: [targets/*.json, 'targets/*.yml']
      - files: [more.json]
  - job_name: b
    static_configs: [{targets: ['127.0.0.1:9090']}]
)");
  REQUIRE(refs.has_value());
  CHECK(refs->rule_files == std::vector<std::string>{"rules/*.yml", "/etc/extra.rules"});
  CHECK(refs->scrape_config_files == std::vector<std::string>{"scrape/*.yml"});
  CHECK(refs->file_sd_files ==
        std::vector<std::string>{"targets/*.json", "targets/*.yml", "more.json"});
}

TEST_CASE("absolute references are listed with their field and 1-based position") {
  const auto refs = snapshot::read_config_refs(
      "rule_files:\n  - rules/*.yml\n  - /etc/p/rules/*.yml\nscrape_configs:\n  - job_name: a\n"
      "    file_sd_configs:\n      - files: [sd/*.json, '/srv/sd/*.json']\n");
  REQUIRE(refs.has_value());
  CHECK(refs->absolute == std::vector<snapshot::absolute_reference>{
                              {"rule_files", "/etc/p/rules/*.yml", 3, 5},
                              {"file_sd_configs files", "/srv/sd/*.json", 7, 28}});
}

TEST_CASE("an empty config references nothing and a broken one is an error") {
  CHECK(snapshot::read_config_refs("").value().rule_files.empty());
  CHECK(snapshot::read_config_refs("# only a comment\n").value().rule_files.empty());
  CHECK(snapshot::read_config_refs("rule_files: [a\n").has_error());
  CHECK(snapshot::read_config_refs("- a\n- b\n").has_error());
}

TEST_CASE("odd shapes are skipped rather than trusted") {
  const auto refs = snapshot::read_config_refs(R"(
rule_files: not-a-list
scrape_configs:
  - 42
  - job_name: x
    file_sd_configs: {files: [a.json]}
)");
  REQUIRE(refs.has_value());
  CHECK(refs->rule_files.empty());
  CHECK(refs->file_sd_files.empty());
}

TEST_CASE("without a config, a file's kind is guessed from its content") {
  using core::file_kind;
  CHECK(snapshot::classify_by_content("a.yml", "groups: []\n") == file_kind::rules);
  CHECK(snapshot::classify_by_content("t.json", R"([{"targets": ["h:1"]}])") == file_kind::file_sd);
  CHECK(snapshot::classify_by_content("t.yaml", "- targets: [h:1]\n") == file_kind::file_sd);
  CHECK(snapshot::classify_by_content("a.txt", "groups: []\n") == file_kind::other);
  CHECK(snapshot::classify_by_content("a.yml", "key: value\n") == file_kind::other);
  CHECK(snapshot::classify_by_content("a.yml", "groups: [\n") == file_kind::other);
}
