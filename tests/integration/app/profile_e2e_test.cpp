// promwatch validating for the Prometheus it reloads: the version, flags and features come from
// the running target, real Prometheus servers of several versions are the judges, and what they
// actually load (/api/v1/rules, their reload metrics) decides.
#include <doctest/doctest.h>

#include "support/child_process.hpp"
#include "support/http_get.hpp"
#include "support/prometheus_process.hpp"
#include "support/reference_tools.hpp"
#include "validate/json/parse.hpp"

namespace fs = std::filesystem;
using namespace std::chrono_literals;
using namespace promwatch::test;

namespace {

std::optional<fs::path> server_binary(const std::string& version) {
  const auto tools = find_reference(version);
  if (!tools) {
    MESSAGE("skipped: no Prometheus " << version
                                      << " here; run scripts/fetch-prometheus.sh to fetch it");
    return std::nullopt;
  }
  return tools->prometheus;
}

constexpr auto base_config = R"(global:
  scrape_interval: 1h
  evaluation_interval: 1h
rule_files: [rules/*.yml]
)";

std::string rule_file(std::string_view record) {
  return "groups:\n  - name: e2e\n    rules:\n      - record: " + std::string(record) +
         "\n        expr: sum(up)\n";
}

// Valid for 3.x only: a quoted UTF-8 selector, group labels (3.0) and query_offset (2.53).
constexpr auto utf8_rules = R"(groups:
  - name: utf8
    labels:
      team: observability
    query_offset: 1m
    rules:
      - record: job:utf8_selector
        expr: sum({"my.metric"})
)";

// Valid up to 2.x only: holt_winters was renamed in 3.0.
constexpr auto holt_winters_rules = R"(groups:
  - name: hw
    rules:
      - record: job:smoothed
        expr: holt_winters(up[10m], 0.5, 0.5)
)";

struct profile_view {
  std::string version, source, features, target_version;
};

/// The validation profiles promwatch's /status reports.
std::vector<profile_view> status_profiles(int port) {
  std::vector<profile_view> out;
  const auto answer = http_get(port, "/status");
  if (answer.status != 200) return out;
  const auto doc = promwatch::validate::json::parse("status", answer.body);
  if (!doc.ok() || !doc.root) return out;
  const auto* profiles = doc.root->find("validation_profiles");
  if (!profiles) return out;
  for (const auto& p : profiles->items) {
    auto field = [&](std::string_view k) {
      const auto* v = p.find(k);
      return v ? v->value : std::string();
    };
    out.push_back({field("version"), field("source"), field("features"), field("target_version")});
  }
  return out;
}

/// The errors /status reports for files whose path ends with `suffix`.
std::vector<std::string> status_errors(int port, std::string_view suffix) {
  std::vector<std::string> out;
  const auto doc = promwatch::validate::json::parse("status", http_get(port, "/status").body);
  if (!doc.ok() || !doc.root) return out;
  for (const auto& f : doc.root->find("files")->items) {
    if (!f.find("path")->value.ends_with(suffix)) continue;
    for (const auto& e : f.find("errors")->items)
      out.push_back(e.value);
  }
  return out;
}

/// promwatch beside one Prometheus that it reloads.
struct sidecar {
  int port = free_port();
  temp_dir scratch;
  std::unique_ptr<child_process> process;

  sidecar(const prometheus_process& p, std::vector<std::string> extra = {}) {
    std::vector<std::string> args{"--config-file=" + p.config_path().string(),
                                  "--reload-url=" + p.url("/-/reload"),
                                  "--listen-address=127.0.0.1:" + std::to_string(port),
                                  "--debounce=100ms", "--log-level=debug"};
    args.insert(args.end(), extra.begin(), extra.end());
    process = std::make_unique<child_process>(PROMWATCH_BINARY, args, scratch.path / "log");
  }
  bool ready() { return http_get(port, "/readyz").status == 200; }
  double metric(std::string_view series) {
    return metric_value(http_get(port, "/metrics").body, series);
  }
  std::string log() { return "promwatch log:\n" + process->log(); }
};

prometheus_options options_for(const fs::path& binary, std::string rules) {
  prometheus_options o;
  o.binary = binary;
  o.config_yaml = base_config;
  o.files = {{"rules/a.yml", std::move(rules)}};
  return o;
}

}  // namespace

TEST_CASE("promwatch reads the validation profile from a real 3.5 target") {
  const auto bin = server_binary("3.5");
  if (!bin) return;
  auto opts = options_for(*bin, rule_file("job:first"));
  opts.extra_args = {"--enable-feature=promql-experimental-functions"};
  prometheus_process prometheus(opts);
  sidecar pw(prometheus);
  REQUIRE_MESSAGE(eventually([&] { return pw.ready(); }, 15s), pw.log());
  const auto profiles = status_profiles(pw.port);
  REQUIRE(profiles.size() == 1);
  CHECK(profiles[0].version == "3.5");
  CHECK(profiles[0].source == "target");
  CHECK(profiles[0].target_version.starts_with("3.5."));
  CHECK(profiles[0].features == "promql-experimental-functions");
  CHECK(pw.metric("promwatch_validation_profile_info{features=\"promql-experimental-functions\","
                  "names=\"utf8\",source=\"target\",target=\"" +
                  prometheus.url("/-/reload") + "\",version=\"3.5\"}") == 1);
  // The startup log says which profile is in use and where it came from.
  CHECK(pw.process->log().find("msg=\"validation profile\"") != std::string::npos);
  CHECK(pw.process->log().find("Prometheus 3.5 (server; features: promql-experimental-functions; "
                               "names: utf8)\" source=target") != std::string::npos);
}

TEST_CASE("flags pin the profile; without an answer the newest known profile is used") {
  // Nothing listens at the reload target: promwatch must not wait for it to validate.
  temp_dir dir;
  write_file(dir.path / "prometheus.yml", "global: {}\n");
  const int port = free_port();
  const std::string target = "http://127.0.0.1:" + std::to_string(free_port()) + "/-/reload";
  std::vector<std::string> args{"--config-file=" + (dir.path / "prometheus.yml").string(),
                                "--reload-url=" + target,
                                "--listen-address=127.0.0.1:" + std::to_string(port)};
  SUBCASE("pinned") {
    args.push_back("--prometheus-version=2.53");
    args.push_back("--enable-feature=promql-experimental-functions");
    child_process p(PROMWATCH_BINARY, args, dir.path / "log");
    REQUIRE_MESSAGE(eventually([&] { return status_profiles(port).size() == 1; }, 10s), p.log());
    const auto profiles = status_profiles(port);
    CHECK(profiles[0].version == "2.53");
    CHECK(profiles[0].source == "flag");
    CHECK(profiles[0].features == "promql-experimental-functions");
    CHECK(metric_value(http_get(port, "/metrics").body,
                       "promwatch_validation_profile_info{features=\"promql-experimental-"
                       "functions\",names=\"legacy\",source=\"flag\",target=\"" +
                           target + "\",version=\"2.53\"}") == 1);
  }
  SUBCASE("no answer yet") {
    child_process p(PROMWATCH_BINARY, args, dir.path / "log");
    REQUIRE_MESSAGE(eventually([&] { return status_profiles(port).size() == 1; }, 10s), p.log());
    const auto profiles = status_profiles(port);
    CHECK(profiles[0].version == "3.14");
    CHECK(profiles[0].source == "default");
    CHECK(p.log().find("validating with the newest known profile") != std::string::npos);
  }
  SUBCASE("a bad version is a usage error") {
    child_process p(PROMWATCH_BINARY, {"--prometheus-version=2.x"}, dir.path / "log");
    const auto code = p.wait_exit(5s);
    REQUIRE(code.has_value());
    CHECK(*code == 2);
    CHECK(p.log().find("--prometheus-version") != std::string::npos);
  }
}

// Needs the 3.x config validator (otlp, runtime, scrape_protocols).
TEST_CASE("a 3.x prometheus.yml with new sections reloads into 3.5") {
  const auto bin = server_binary("3.5");
  if (!bin) return;
  prometheus_process prometheus(options_for(*bin, rule_file("job:first")));
  sidecar pw(prometheus);
  REQUIRE_MESSAGE(eventually([&] { return pw.ready(); }, 15s), pw.log());
  write_file(prometheus.config_path(),
             std::string(base_config) + R"(otlp:
  promote_resource_attributes: [service.instance.id]
runtime:
  gogc: 80
)" +
                 "scrape_configs:\n  - job_name: self\n    scrape_protocols: [PrometheusText1.0.0, "
                 "OpenMetricsText1.0.0]\n    static_configs: [{targets: "
                 "['127.0.0.1:1']}]\n");
  REQUIRE_MESSAGE(eventually(
                      [&] {
                        return prometheus.get("/api/v1/status/config").find("gogc: 80") !=
                               std::string::npos;
                      },
                      10s),
                  pw.log());
  CHECK(metric_value(prometheus.get("/metrics"), "prometheus_config_last_reload_successful") == 1);
  CHECK(prometheus.get("/api/v1/status/runtimeinfo").find("\"reloadConfigSuccess\":true") !=
        std::string::npos);
  CHECK(pw.metric("promwatch_validation_failures_total{kind=\"config\"}") == 0);
}

// Needs the 3.x rules validator (group labels) for the 3.5 half.
TEST_CASE("a UTF-8 rule group reaches 3.5 and is blocked against 2.42, naming the version") {
  SUBCASE("3.5 loads it") {
    const auto bin = server_binary("3.5");
    if (!bin) return;
    prometheus_process prometheus(options_for(*bin, rule_file("job:first")));
    sidecar pw(prometheus);
    REQUIRE_MESSAGE(eventually([&] { return pw.ready(); }, 15s), pw.log());
    write_file(prometheus.dir() / "rules/a.yml", utf8_rules);
    REQUIRE_MESSAGE(eventually(
                        [&] {
                          return prometheus.get("/api/v1/rules").find("job:utf8_selector") !=
                                 std::string::npos;
                        },
                        10s),
                    pw.log());
    const auto rules = prometheus.get("/api/v1/rules");
    CHECK(rules.find("my.metric") != std::string::npos);
    CHECK(rules.find("observability") != std::string::npos);
    CHECK(pw.metric("promwatch_validation_failures_total{kind=\"rules\"}") == 0);
  }
  SUBCASE("2.42 never sees it") {
    const auto bin = server_binary("2.42");
    if (!bin) return;
    prometheus_process prometheus(options_for(*bin, rule_file("job:first")));
    sidecar pw(prometheus);
    REQUIRE_MESSAGE(eventually([&] { return pw.ready(); }, 15s), pw.log());
    write_file(prometheus.dir() / "rules/a.yml", utf8_rules);
    REQUIRE_MESSAGE(
        eventually(
            [&] { return pw.metric("promwatch_validation_failures_total{kind=\"rules\"}") == 1; },
            10s),
        pw.log());
    const auto errors = status_errors(pw.port, "rules/a.yml");
    REQUIRE(!errors.empty());
    CHECK_MESSAGE(errors[0].find("Prometheus 2.42") != std::string::npos, errors[0]);
    CHECK(pw.process->log().find("(Prometheus 2.42)") != std::string::npos);
    CHECK(prometheus.get("/api/v1/rules").find("job:utf8_selector") == std::string::npos);
    CHECK(prometheus.get("/api/v1/rules").find("job:first") != std::string::npos);
  }
}

// Needs the version-aware PromQL validator for the 3.5 half.
TEST_CASE("holt_winters is blocked against 3.5 and loaded by 2.53") {
  SUBCASE("3.5 rejects it") {
    const auto bin = server_binary("3.5");
    if (!bin) return;
    prometheus_process prometheus(options_for(*bin, rule_file("job:first")));
    sidecar pw(prometheus);
    REQUIRE_MESSAGE(eventually([&] { return pw.ready(); }, 15s), pw.log());
    const double reloads = pw.metric("reloader_reloads_total");
    write_file(prometheus.dir() / "rules/a.yml", holt_winters_rules);
    REQUIRE_MESSAGE(
        eventually(
            [&] { return pw.metric("promwatch_validation_failures_total{kind=\"rules\"}") == 1; },
            10s),
        pw.log());
    const auto errors = status_errors(pw.port, "rules/a.yml");
    REQUIRE(!errors.empty());
    CHECK(errors[0].find("holt_winters") != std::string::npos);
    CHECK(errors[0].find("Prometheus 3.5") != std::string::npos);
    CHECK(pw.metric("reloader_reloads_total") == reloads);
    CHECK(prometheus.get("/api/v1/rules").find("job:first") != std::string::npos);
  }
  SUBCASE("2.53 loads it") {
    const auto bin = server_binary("2.53");
    if (!bin) return;
    prometheus_process prometheus(options_for(*bin, rule_file("job:first")));
    sidecar pw(prometheus);
    REQUIRE_MESSAGE(eventually([&] { return pw.ready(); }, 15s), pw.log());
    write_file(prometheus.dir() / "rules/a.yml", holt_winters_rules);
    CHECK_MESSAGE(eventually(
                      [&] {
                        return prometheus.get("/api/v1/rules").find("job:smoothed") !=
                               std::string::npos;
                      },
                      10s),
                  pw.log());
    CHECK(pw.metric("promwatch_validation_failures_total{kind=\"rules\"}") == 0);
  }
}

namespace {

/// Prometheus 2.53 on a fixed port over a config tree that outlives it, so a 3.5 can take its
/// place: the same files, the same URL.
struct replaceable {
  temp_dir tree;
  unsigned short port = free_port();
  std::unique_ptr<prometheus_process> prometheus;

  explicit replaceable(std::string rules) {
    write_file(tree.path / "prometheus.yml", base_config);
    write_file(tree.path / "rules/a.yml", rules);
  }
  void start(const fs::path& binary) {
    prometheus_options o;
    o.binary = binary;
    o.config_file = tree.path / "prometheus.yml";
    o.port = port;
    prometheus = std::make_unique<prometheus_process>(o);
  }
};

}  // namespace

TEST_CASE("replacing 2.53 by 3.5 on the same port changes the profile and re-validates") {
  const auto old_bin = server_binary("2.53");
  const auto new_bin = server_binary("3.5");
  if (!old_bin || !new_bin) return;
  replaceable target(rule_file("job:first"));
  target.start(*old_bin);
  sidecar pw(*target.prometheus, {"--profile-refresh=1s"});
  REQUIRE_MESSAGE(eventually([&] { return pw.ready(); }, 15s), pw.log());
  REQUIRE(status_profiles(pw.port).at(0).version == "2.53");

  target.prometheus.reset();  // stopped (the config tree stays)
  target.start(*new_bin);
  REQUIRE_MESSAGE(eventually(
                      [&] {
                        const auto p = status_profiles(pw.port);
                        return p.size() == 1 && p[0].version == "3.5";
                      },
                      15s),
                  pw.log());
  CHECK(status_profiles(pw.port)[0].source == "target");
  CHECK(eventually(
      [&] { return pw.process->log().find("now runs another version") != std::string::npos; }, 5s));
  CHECK(
      pw.metric("promwatch_validation_profile_info{features=\"\",names=\"utf8\",source=\"target\","
                "target=\"" +
                target.prometheus->url("/-/reload") + "\",version=\"3.5\"}") == 1);
  CHECK(pw.metric(
            "promwatch_validation_profile_info{features=\"\",names=\"legacy\",source=\"target\","
            "target=\"" +
            target.prometheus->url("/-/reload") + "\",version=\"2.53\"}") == -1);
}

// Needs the 3.x rules validator (group labels are invalid for 2.53, valid for 3.5).
TEST_CASE("a rule file blocked for 2.53 is reloaded once 3.5 replaces it") {
  const auto old_bin = server_binary("2.53");
  const auto new_bin = server_binary("3.5");
  if (!old_bin || !new_bin) return;
  replaceable target(rule_file("job:first"));
  target.start(*old_bin);
  sidecar pw(*target.prometheus, {"--profile-refresh=1s"});
  REQUIRE_MESSAGE(eventually([&] { return pw.ready(); }, 15s), pw.log());

  write_file(target.tree.path / "rules/a.yml", utf8_rules);
  REQUIRE_MESSAGE(
      eventually(
          [&] { return pw.metric("promwatch_validation_failures_total{kind=\"rules\"}") == 1; },
          10s),
      pw.log());
  CHECK(target.prometheus->get("/api/v1/rules").find("job:utf8_selector") == std::string::npos);
  CHECK_FALSE(status_errors(pw.port, "rules/a.yml").empty());

  target.prometheus.reset();
  target.start(*new_bin);
  // Re-validated for 3.5: the file is valid now, so it is no longer reported and is loaded.
  REQUIRE_MESSAGE(eventually([&] { return status_errors(pw.port, "rules/a.yml").empty(); }, 15s),
                  pw.log());
  CHECK(status_profiles(pw.port).at(0).version == "3.5");
  CHECK(eventually(
      [&] {
        return target.prometheus->get("/api/v1/rules").find("job:utf8_selector") !=
               std::string::npos;
      },
      10s));
  CHECK(eventually([&] { return pw.ready(); }, 5s));
}

// Needs the version-aware PromQL validator.
TEST_CASE("with a 2.53 and a 3.5 target a file must be valid for both") {
  const auto old_bin = server_binary("2.53");
  const auto new_bin = server_binary("3.5");
  if (!old_bin || !new_bin) return;
  // Both read the same tree, as two replicas of one Prometheus would.
  replaceable tree(rule_file("job:first"));
  tree.start(*old_bin);
  prometheus_options o;
  o.binary = *new_bin;
  o.config_file = tree.tree.path / "prometheus.yml";
  prometheus_process newer(o);
  temp_dir scratch;
  const int port = free_port();
  child_process pw(PROMWATCH_BINARY,
                   {"--config-file=" + (tree.tree.path / "prometheus.yml").string(),
                    "--reload-url=" + tree.prometheus->url("/-/reload"),
                    "--reload-url=" + newer.url("/-/reload"),
                    "--listen-address=127.0.0.1:" + std::to_string(port), "--debounce=100ms"},
                   scratch.path / "promwatch.log");
  REQUIRE_MESSAGE(eventually([&] { return http_get(port, "/readyz").status == 200; }, 15s),
                  pw.log());
  const auto profiles = status_profiles(port);
  REQUIRE(profiles.size() == 2);
  CHECK(profiles[0].version == "2.53");
  CHECK(profiles[1].version == "3.5");

  write_file(tree.tree.path / "rules/a.yml", holt_winters_rules);
  REQUIRE_MESSAGE(eventually(
                      [&] {
                        return metric_value(
                                   http_get(port, "/metrics").body,
                                   "promwatch_validation_failures_total{kind=\"rules\"}") == 1;
                      },
                      10s),
                  pw.log());
  const auto errors = status_errors(port, "rules/a.yml");
  REQUIRE(!errors.empty());
  // Only the 3.5 target objects, and the message says so.
  CHECK_MESSAGE(errors[0].ends_with("(Prometheus 3.5)"), errors[0]);
  CHECK(tree.prometheus->get("/api/v1/rules").find("job:smoothed") == std::string::npos);
  CHECK(newer.get("/api/v1/rules").find("job:first") != std::string::npos);
}
