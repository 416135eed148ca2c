// promwatch, the binary, under the faults of issue #8: a reload target down among two, a
// publish that fails and must be retried, SIGHUP and SIGPIPE.
#include <signal.h>
#include <unistd.h>

#include <doctest/doctest.h>

#include "support/child_process.hpp"
#include "support/http_get.hpp"
#include "support/prometheus_process.hpp"

namespace fs = std::filesystem;
using namespace std::chrono_literals;
using namespace promwatch::test;

namespace {

std::string rule_file(std::string_view record_name) {
  return "groups:\n  - name: robust\n    rules:\n      - record: " + std::string(record_name) +
         "\n        expr: sum(up)\n";
}

std::string dead_reload_url() {
  return "http://127.0.0.1:" + std::to_string(free_port()) + "/-/reload";
}

}  // namespace

TEST_CASE("a reload target down among two does not hold back the healthy one") {
  // Regression (#7): readiness was awaited for every target within one series, so after the
  // startup reload no change ever reached the healthy Prometheus.
  if (!prometheus_available()) {
    MESSAGE("skipped: no Prometheus at ", prometheus_binary);
    return;
  }
  prometheus_options opts;
  opts.config_yaml = "global: {evaluation_interval: 1h}\nrule_files: [rules/*.yml]\n";
  opts.files = {{"rules/a.yml", rule_file("job:first")}};
  prometheus_process prometheus(opts);
  temp_dir dir;
  const int port = free_port();
  child_process promwatch(
      PROMWATCH_BINARY,
      {"--config-file=" + prometheus.config_path().string(), "--reload-url=" + dead_reload_url(),
       "--reload-url=" + prometheus.url("/-/reload"),
       "--listen-address=127.0.0.1:" + std::to_string(port), "--debounce=100ms",
       "--log-level=debug"},
      dir.path / "promwatch.log");
  REQUIRE_MESSAGE(eventually([&] { return http_get(port, "/readyz").status == 200; }, 15s),
                  promwatch.log());
  for (const auto* name : {"job:second", "job:third"}) {
    write_file(prometheus.dir() / "rules/a.yml", rule_file(name));
    REQUIRE_MESSAGE(
        eventually([&] { return prometheus.get("/api/v1/rules").find(name) != std::string::npos; },
                   10s),
        promwatch.log());
  }
  CHECK(promwatch.running());
}

TEST_CASE("a failed publish is retried with backoff until it works") {
  // Regression (#8): after a failed publish every resync said "no content changed", and the
  // change never reached the output dir. The fault: the output dir's parent is a regular
  // file (ENOTDIR, which root cannot bypass); then it is replaced by a directory.
  temp_dir dir;
  const fs::path src = dir.path / "src";
  const fs::path blocker = dir.path / "blocker";
  const fs::path out = blocker / "out";
  write_file(src / "prometheus.yml",
             "global: {evaluation_interval: 1h}\nrule_files: [rules/*.yml]\n");
  write_file(src / "rules/a.yml", rule_file("job:first"));
  write_file(blocker, "not a directory\n");
  const int port = free_port();
  child_process promwatch(
      PROMWATCH_BINARY,
      {"--config-file=" + (src / "prometheus.yml").string(), "--output-dir=" + out.string(),
       "--listen-address=127.0.0.1:" + std::to_string(port), "--debounce=100ms",
       "--reload-url=" + dead_reload_url(), "--prometheus-version=2.42"},
      dir.path / "promwatch.log");
  REQUIRE_MESSAGE(
      eventually([&] { return promwatch.log().find("cannot publish") != std::string::npos; }, 10s),
      promwatch.log());
  const auto metrics = http_get(port, "/metrics").body;
  CHECK(metric_value(metrics, "reloader_config_apply_operations_failed_total") >= 1);
  // Regression (#21): a failed publish counted as failed but not as an operation.
  CHECK(metric_value(metrics, "reloader_config_apply_operations_total") >=
        metric_value(metrics, "reloader_config_apply_operations_failed_total"));
  // Regression (#21): ready although nothing was ever published.
  const auto readyz = http_get(port, "/readyz");
  CHECK(readyz.status == 503);
  CHECK(readyz.body.find("nothing published yet") != std::string::npos);

  fs::remove(blocker);
  fs::create_directory(blocker);
  CHECK_MESSAGE(eventually([&] { return fs::exists(out / "rules/a.yml"); }, 10s), promwatch.log());
  CHECK(read_file(out / "rules/a.yml").find("job:first") != std::string::npos);
  CHECK(eventually(
      [&] { return promwatch.log().find("publishing works again") != std::string::npos; }, 5s));
  // Now it waits for the (dead) reload target, no longer for a publish.
  CHECK(eventually(
      [&] {
        return http_get(port, "/readyz").body.find("nothing published yet") == std::string::npos;
      },
      5s));
}

TEST_CASE("SIGHUP resyncs and SIGPIPE is ignored") {
  // Regression (#18): both signals killed promwatch silently.
  temp_dir dir;
  write_file(dir.path / "prometheus.yml", "global: {}\n");
  const int port = free_port();
  child_process promwatch(
      PROMWATCH_BINARY,
      {"--config-file=" + (dir.path / "prometheus.yml").string(),
       "--listen-address=127.0.0.1:" + std::to_string(port), "--log-level=debug",
       "--reload-url=" + dead_reload_url(), "--prometheus-version=2.42"},
      dir.path / "promwatch.log");
  REQUIRE_MESSAGE(
      eventually([&] { return promwatch.log().find("initial sync") != std::string::npos; }, 10s),
      promwatch.log());
  promwatch.signal(SIGHUP);
  CHECK_MESSAGE(eventually(
                    [&] {
                      const auto log = promwatch.log();
                      return log.find("SIGHUP: resyncing") != std::string::npos &&
                             log.find("reason=SIGHUP") != std::string::npos;
                    },
                    5s),
                promwatch.log());
  promwatch.signal(SIGPIPE);
  ::usleep(200000);
  CHECK(promwatch.running());
  CHECK(http_get(port, "/healthz").status == 200);
  promwatch.signal(SIGTERM);
  const auto code = promwatch.wait_exit(2s);
  REQUIRE(code.has_value());
  CHECK(*code == 0);
}

TEST_CASE("with --reload-on-start=false invalid startup files are still logged and counted") {
  // Regression (#21): the startup decision skipped the reporting of invalid files.
  temp_dir dir;
  write_file(dir.path / "prometheus.yml",
             "scrape_configs:\n  - job_name: files\n    file_sd_configs: [{files: [t/*.json]}]\n");
  write_file(dir.path / "t/bad.json", R"([{"targets": ["127.0.0.1:2"], "labels": {"0bad": "x"}}])");
  const int port = free_port();
  child_process promwatch(PROMWATCH_BINARY,
                          {"--config-file=" + (dir.path / "prometheus.yml").string(),
                           "--listen-address=127.0.0.1:" + std::to_string(port),
                           "--reload-on-start=false", "--prometheus-version=2.42"},
                          dir.path / "promwatch.log");
  CHECK_MESSAGE(eventually(
                    [&] {
                      return metric_value(
                                 http_get(port, "/metrics").body,
                                 "promwatch_validation_failures_total{kind=\"file_sd\"}") == 1;
                    },
                    10s),
                promwatch.log());
  CHECK(promwatch.log().find("invalid file") != std::string::npos);
}
