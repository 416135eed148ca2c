#include <string>

#include <doctest/doctest.h>

#include "validate/config/referenced.hpp"
#include "validate/validate.hpp"

namespace v = promwatch::validate;

namespace {

std::string first_error(std::string_view content) {
  const auto rep = v::check_config("prometheus.yml", content);
  return rep.errors.empty() ? "" : rep.errors.front().message;
}

}  // namespace

TEST_CASE("a typical prometheus.yml is valid") {
  const auto rep = v::check_config("prometheus.yml", R"(global:
  scrape_interval: 15s
  external_labels: {cluster: eu1}
rule_files: ['rules/*.yml']
alerting:
  alertmanagers:
  - static_configs: [{targets: ['am:9093']}]
scrape_configs:
- job_name: node
  file_sd_configs: [{files: ['targets/*.json']}]
  relabel_configs:
  - {source_labels: [__address__], target_label: instance, regex: '(.*):.*'}
- job_name: prometheus
  static_configs: [{targets: ['localhost:9090']}]
)");
  for (const auto& e : rep.errors)
    CAPTURE(e.message);
  CHECK(rep.ok());
}

TEST_CASE("check_config reports Prometheus' messages with positions") {
  SUBCASE("duplicate job names") {
    const auto rep = v::check_config("p.yml", "scrape_configs:\n- job_name: a\n- job_name: a\n");
    REQUIRE(rep.errors.size() == 1);
    CHECK(rep.errors[0].message == "found multiple scrape configs with job name \"a\"");
    CHECK(rep.errors[0].line == 3);
  }
  SUBCASE("scrape timeout above the interval") {
    CHECK(first_error("scrape_configs:\n- job_name: a\n  scrape_interval: 5s\n  scrape_timeout: "
                      "10s\n") ==
          "scrape timeout greater than scrape interval for scrape config with job name \"a\"");
    CHECK(first_error("global:\n  scrape_timeout: 2m\n") ==
          "global scrape timeout greater than scrape interval");
  }
  SUBCASE("unknown fields, including 2.43's scrape_config_files") {
    CHECK(first_error("scrape_config_files: [a]\n") ==
          "field scrape_config_files not found in type config.plain");
  }
  SUBCASE("auth methods are exclusive") {
    CHECK(first_error("scrape_configs:\n- job_name: a\n  bearer_token: a\n  basic_auth: "
                      "{username: a}\n") ==
          "at most one of basic_auth, oauth2, bearer_token & bearer_token_file must be "
          "configured");
  }
  SUBCASE("relabel rules") {
    CHECK(first_error("scrape_configs:\n- job_name: a\n  relabel_configs: [{action: foo}]\n") ==
          "unknown relabel action \"foo\"");
    CHECK(first_error("scrape_configs:\n- job_name: a\n  relabel_configs: [{action: hashmod, "
                      "target_label: x}]\n") ==
          "relabel configuration for hashmod requires non-zero modulus");
    CHECK(first_error("scrape_configs:\n- job_name: a\n  relabel_configs: [{action: replace}]\n") ==
          "relabel configuration for replace action requires 'target_label' value");
    CHECK(first_error("scrape_configs:\n- job_name: a\n  relabel_configs: [{regex: '(a'}]\n")
              .starts_with("error parsing regexp: "));
  }
  SUBCASE("targets that are URLs") {
    CHECK(first_error("scrape_configs:\n- job_name: a\n  static_configs: [{targets: "
                      "['http://a']}]\n") == "\"http://a\" is not a valid hostname");
  }
  SUBCASE("file_sd path names") {
    CHECK(first_error("scrape_configs:\n- job_name: a\n  file_sd_configs: [{files: [a.txt]}]\n") ==
          "path name \"a.txt\" is not valid for file discovery");
  }
}

TEST_CASE("referenced_files lists the globs as written") {
  const auto refs = v::config::referenced_files(R"(rule_files: ['rules/*.yml', /abs/x.yml]
scrape_configs:
- job_name: a
  file_sd_configs: [{files: ['sd/*.json']}, {files: [b.yml]}]
- job_name: b
)");
  CHECK(refs.rule_files == std::vector<std::string>{"rules/*.yml", "/abs/x.yml"});
  CHECK(refs.file_sd_files == std::vector<std::string>{"sd/*.json", "b.yml"});
  CHECK(refs.scrape_config_files.empty());
  CHECK(v::config::referenced_files("not: [valid").rule_files.empty());
}

TEST_CASE("is_valid_glob follows Go's filepath.Match syntax") {
  CHECK(v::config::is_valid_glob("rules/*.yml"));
  CHECK(v::config::is_valid_glob("a[bc].yml"));
  CHECK(v::config::is_valid_glob("a[^a-z].yml"));
  CHECK_FALSE(v::config::is_valid_glob("a["));
  CHECK_FALSE(v::config::is_valid_glob("a[]"));
  CHECK_FALSE(v::config::is_valid_glob("a\\"));
  CHECK_FALSE(v::config::is_valid_glob("a[z-]"));
}
