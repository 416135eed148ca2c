// promwatch, the binary, beside a real Prometheus: what Prometheus actually loaded is the
// judge (/api/v1/rules, its reload metrics and log), not promwatch's own word.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <doctest/doctest.h>

#include "support/child_process.hpp"
#include "support/http_get.hpp"
#include "support/prometheus_process.hpp"

namespace fs = std::filesystem;
using namespace std::chrono_literals;
using namespace promwatch::test;
using promwatch::testing::prometheus_options;
using promwatch::testing::prometheus_process;

namespace {

constexpr auto prometheus_yml = R"(global:
  scrape_interval: 1h
  evaluation_interval: 1h
rule_files: [rules/*.yml]
scrape_configs:
  - job_name: files
    file_sd_configs: [{files: [targets/*.json]}]
)";

// Prometheus logs this line once per configuration load, the initial one included.
int count_reloads(const prometheus_process& p) {
  const std::string log = read_file(p.log_path());
  int n = 0;
  for (std::size_t at = 0;
       (at = log.find("Completed loading of configuration file", at)) != std::string::npos; ++at)
    ++n;
  return n;
}

std::string rule_file(std::string_view record_name) {
  return "groups:\n  - name: e2e\n    rules:\n      - record: " + std::string(record_name) +
         "\n        expr: sum(up)\n";
}

/// A config tree, a real Prometheus loading it, and promwatch watching it.
struct stack {
  temp_dir dir;
  std::unique_ptr<prometheus_process> prometheus;
  fs::path config_dir;
  std::unique_ptr<child_process> promwatch;
  int promwatch_port = 0;

  explicit stack(std::vector<std::string> extra_args = {}) {
    prometheus_options opts;
    opts.config_yaml = prometheus_yml;
    opts.files = {{"rules/a.yml", rule_file("job:first")},
                  {"targets/t.json", R"([{"targets": ["127.0.0.1:1"]}])"}};
    prometheus = std::make_unique<prometheus_process>(opts);
    config_dir = prometheus->dir();
    promwatch_port = free_port();
    std::vector<std::string> args{"--config-file=" + prometheus->config_path().string(),
                                  "--reload-url=" + prometheus->url("/-/reload"),
                                  "--listen-address=127.0.0.1:" + std::to_string(promwatch_port),
                                  "--debounce=100ms", "--log-level=debug"};
    args.insert(args.end(), extra_args.begin(), extra_args.end());
    promwatch = std::make_unique<child_process>(PROMWATCH_BINARY, args, dir.path / "promwatch.log");
  }

  std::string metrics() { return http_get(promwatch_port, "/metrics").body; }
  double metric(std::string_view series) { return metric_value(metrics(), series); }
  bool ready() { return http_get(promwatch_port, "/readyz").status == 200; }
  std::string rules() { return prometheus->get("/api/v1/rules"); }
  int prometheus_reloads() { return count_reloads(*prometheus); }
  std::string diagnostics() { return "promwatch log:\n" + promwatch->log(); }
};

}  // namespace

TEST_CASE("a rule change reaches Prometheus, and only valid content ever does") {
  stack s;
  REQUIRE_MESSAGE(eventually([&] { return s.ready(); }, 15s), s.diagnostics());
  CHECK(s.metric("reloader_last_reload_successful") == 1);
  const double reloads = s.metric("reloader_reloads_total");

  SUBCASE("a valid edit is loaded") {
    write_file(s.config_dir / "rules/a.yml", rule_file("job:second"));
    CHECK_MESSAGE(
        eventually([&] { return s.rules().find("job:second") != std::string::npos; }, 10s),
        s.diagnostics());
    CHECK(s.metric("reloader_reloads_total") == reloads + 1);
  }

  SUBCASE("a broken rule file is never loaded and is reported with its position") {
    const int before = s.prometheus_reloads();
    write_file(
        s.config_dir / "rules/a.yml",
        "groups:\n  - name: e2e\n    rules:\n      - record: job:broken\n        expr: sum(up\n");
    REQUIRE_MESSAGE(
        eventually(
            [&] { return s.metric("promwatch_validation_failures_total{kind=\"rules\"}") == 1; },
            10s),
        s.diagnostics());
    CHECK(s.promwatch->log().find("rules/a.yml:5:") != std::string::npos);
    ::usleep(300000);
    CHECK(s.prometheus_reloads() == before);
    CHECK(s.metric("reloader_reloads_total") == reloads);
    const auto rules = s.rules();
    CHECK(rules.find("job:first") != std::string::npos);
    CHECK(rules.find("job:broken") == std::string::npos);
    CHECK(s.ready());

    // Fixing it reloads at once.
    write_file(s.config_dir / "rules/a.yml", rule_file("job:fixed"));
    CHECK(eventually([&] { return s.rules().find("job:fixed") != std::string::npos; }, 10s));
  }

  SUBCASE("a touch changes nothing and is counted as skipped") {
    const double skipped = s.metric("promwatch_changes_skipped_total");
    const int before = s.prometheus_reloads();
    fs::last_write_time(s.config_dir / "rules/a.yml", fs::file_time_type::clock::now());
    fs::permissions(s.config_dir / "rules/a.yml", fs::perms::owner_all, fs::perm_options::add);
    CHECK_MESSAGE(
        eventually([&] { return s.metric("promwatch_changes_skipped_total") > skipped; }, 10s),
        s.diagnostics());
    CHECK(s.prometheus_reloads() == before);
    CHECK(s.metric("reloader_reloads_total") == reloads);
  }

  SUBCASE("a file_sd change is validated but needs no reload") {
    const int before = s.prometheus_reloads();
    write_file(s.config_dir / "targets/t.json", R"([{"targets": ["127.0.0.1:2"]}])");
    CHECK(eventually(
        [&] { return s.promwatch->log().find("needs no reload") != std::string::npos; }, 10s));
    CHECK(s.prometheus_reloads() == before);
    write_file(s.config_dir / "targets/t.json",
               R"([{"targets": ["127.0.0.1:2"], "labels": {"0bad": "x"}}])");
    CHECK(eventually(
        [&] { return s.metric("promwatch_validation_failures_total{kind=\"file_sd\"}") == 1; },
        10s));
  }

  SUBCASE("SIGTERM stops promwatch cleanly within a second") {
    s.promwatch->signal(SIGTERM);
    const auto code = s.promwatch->wait_exit(1s);
    REQUIRE(code.has_value());
    CHECK(*code == 0);
  }
}

TEST_CASE("a Kubernetes ConfigMap swap causes exactly one reload") {
  // The rules come from a ConfigMap volume: visible names are symlinks through `..data`,
  // and an update swaps `..data` atomically, then removes the old timestamped directory.
  prometheus_options opts;
  opts.config_yaml = "global: {evaluation_interval: 1h}\nrule_files: ['cm/*.rules.yml']\n";
  opts.files = {{"cm/..2024_01_01_00_00_00/a.rules.yml", rule_file("job:v1")}};
  temp_dir scratch;
  auto prometheus = std::make_unique<prometheus_process>(opts);
  const fs::path vol = prometheus->dir() / "cm";
  fs::create_directory_symlink("..2024_01_01_00_00_00", vol / "..data");
  fs::create_symlink("..data/a.rules.yml", vol / "a.rules.yml");

  const int port = free_port();
  child_process promwatch(
      PROMWATCH_BINARY,
      {"--config-file=" + prometheus->config_path().string(), "--watch-dir=" + vol.string(),
       "--reload-url=" + prometheus->url("/-/reload"),
       "--listen-address=127.0.0.1:" + std::to_string(port), "--debounce=200ms",
       "--debounce-max=5s"},
      scratch.path / "promwatch.log");
  // The startup reload makes Prometheus load job:v1 through the symlinks.
  REQUIRE_MESSAGE(eventually([&] { return http_get(port, "/readyz").status == 200; }, 15s),
                  promwatch.log());
  REQUIRE(eventually(
      [&] { return prometheus->get("/api/v1/rules").find("job:v1") != std::string::npos; }, 5s));
  const double reloads = metric_value(http_get(port, "/metrics").body, "reloader_reloads_total");
  const int prometheus_loads = count_reloads(*prometheus);

  write_file(vol / "..2024_01_01_00_00_01/a.rules.yml", rule_file("job:v2"));
  fs::create_directory_symlink("..2024_01_01_00_00_01", vol / "..data_tmp");
  fs::rename(vol / "..data_tmp", vol / "..data");
  fs::remove_all(vol / "..2024_01_01_00_00_00");
  REQUIRE_MESSAGE(
      eventually(
          [&] { return prometheus->get("/api/v1/rules").find("job:v2") != std::string::npos; },
          10s),
      promwatch.log());
  ::usleep(600000);  // would a second, spurious reload follow?
  CHECK(metric_value(http_get(port, "/metrics").body, "reloader_reloads_total") == reloads + 1);
  CHECK(count_reloads(*prometheus) == prometheus_loads + 1);
}

TEST_CASE("bad flags exit with code 2 and name the flag") {
  temp_dir dir;
  child_process p(PROMWATCH_BINARY, {"--debounce=soon"}, dir.path / "log");
  const auto code = p.wait_exit(5s);
  REQUIRE(code.has_value());
  CHECK(*code == 2);
  CHECK(p.log().find("--debounce") != std::string::npos);
}

TEST_CASE("a listen address in use exits with code 1 and says so") {
  temp_dir dir;
  write_file(dir.path / "prometheus.yml", "global: {}\n");
  const int port = free_port();
  child_process first(PROMWATCH_BINARY,
                      {"--config-file=" + (dir.path / "prometheus.yml").string(),
                       "--reload-url=http://127.0.0.1:1/-/reload",
                       "--listen-address=127.0.0.1:" + std::to_string(port)},
                      dir.path / "first.log");
  REQUIRE(eventually([&] { return http_get(port, "/healthz").status == 200; }, 10s));
  child_process second(PROMWATCH_BINARY,
                       {"--config-file=" + (dir.path / "prometheus.yml").string(),
                        "--listen-address=127.0.0.1:" + std::to_string(port)},
                       dir.path / "second.log");
  const auto code = second.wait_exit(5s);
  REQUIRE(code.has_value());
  CHECK(*code == 1);
  CHECK(second.log().find("address already in use") != std::string::npos);
}

TEST_CASE("SIGTERM mid-reload exits cleanly within a second") {
  // A reload target that accepts connections and never answers: promwatch is stuck waiting
  // for it (readiness probe or reload) when the signal arrives.
  const int listener = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  REQUIRE(::bind(listener, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0);
  REQUIRE(::listen(listener, 16) == 0);
  socklen_t len = sizeof addr;
  ::getsockname(listener, reinterpret_cast<sockaddr*>(&addr), &len);
  const int stall_port = ntohs(addr.sin_port);

  temp_dir dir;
  write_file(dir.path / "prometheus.yml", "global: {}\n");
  const int port = free_port();
  child_process p(PROMWATCH_BINARY,
                  {"--config-file=" + (dir.path / "prometheus.yml").string(),
                   "--reload-url=http://127.0.0.1:" + std::to_string(stall_port) + "/-/reload",
                   "--listen-address=127.0.0.1:" + std::to_string(port), "--reload-timeout=60s"},
                  dir.path / "log");
  REQUIRE(eventually([&] { return http_get(port, "/healthz").status == 200; }, 10s));
  CHECK(http_get(port, "/readyz").status == 503);  // the startup reload has no answer yet
  const auto start = std::chrono::steady_clock::now();
  p.signal(SIGTERM);
  const auto code = p.wait_exit(2s);
  const auto took = std::chrono::steady_clock::now() - start;
  ::close(listener);
  REQUIRE_MESSAGE(code.has_value(), p.log());
  CHECK(*code == 0);
  CHECK(took < 1s);
}

TEST_CASE("in publish mode Prometheus only ever reads validated files") {
  temp_dir dir;
  const fs::path src = dir.path / "src";
  const fs::path out = dir.path / "out";
  write_file(src / "prometheus.yml",
             "global: {evaluation_interval: 1h}\nrule_files: [rules/*.yml]\n");
  write_file(src / "rules/a.yml", rule_file("job:first"));
  const int prom_port = free_port();
  const int port = free_port();
  child_process promwatch(
      PROMWATCH_BINARY,
      {"--config-file=" + (src / "prometheus.yml").string(), "--output-dir=" + out.string(),
       "--reload-url=http://127.0.0.1:" + std::to_string(prom_port) + "/-/reload",
       "--listen-address=127.0.0.1:" + std::to_string(port), "--debounce=100ms"},
      dir.path / "promwatch.log");
  // The first publish happens before Prometheus exists, as when both start in one pod.
  REQUIRE_MESSAGE(eventually([&] { return fs::exists(out / "prometheus.yml"); }, 10s),
                  promwatch.log());
  CHECK(fs::is_symlink(out / "..data"));

  prometheus_options opts;
  opts.config_file = out / "prometheus.yml";
  opts.port = static_cast<unsigned short>(prom_port);
  prometheus_process prometheus(opts);
  REQUIRE_MESSAGE(eventually([&] { return http_get(port, "/readyz").status == 200; }, 15s),
                  promwatch.log());
  CHECK(prometheus.get("/api/v1/rules").find("job:first") != std::string::npos);

  write_file(
      src / "rules/a.yml",
      "groups:\n  - name: e2e\n    rules:\n      - record: job:broken\n        expr: rate(up)\n");
  REQUIRE_MESSAGE(eventually(
                      [&] {
                        return metric_value(
                                   http_get(port, "/metrics").body,
                                   "promwatch_validation_failures_total{kind=\"rules\"}") == 1;
                      },
                      10s),
                  promwatch.log());
  // The published tree still holds the last good rules, so even a reload (or restart) that
  // promwatch did not ask for cannot load the broken file.
  CHECK(read_file(out / "rules/a.yml").find("job:first") != std::string::npos);
  CHECK(prometheus.request("POST", "/-/reload").status == 200);
  CHECK(prometheus.get("/api/v1/rules").find("job:broken") == std::string::npos);

  write_file(src / "rules/a.yml", rule_file("job:second"));
  CHECK_MESSAGE(
      eventually(
          [&] { return prometheus.get("/api/v1/rules").find("job:second") != std::string::npos; },
          10s),
      promwatch.log());
  CHECK(read_file(out / "rules/a.yml").find("job:second") != std::string::npos);
}
