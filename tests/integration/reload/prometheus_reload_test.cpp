// The reloader against the real Prometheus (Debian's /usr/bin/prometheus), where the
// answers are Prometheus' own rather than a script's.
#include <sstream>
#include <string>

#include <doctest/doctest.h>

#include "../support/fake_http_server.hpp"
#include "../support/prometheus_process.hpp"
#include "reload/http_reloader.hpp"

using namespace promwatch;
using namespace promwatch::reload;
using promwatch::testing::prometheus_process;
using promwatch::testing::run_bounded;
using std::chrono::milliseconds;
using namespace std::chrono_literals;

namespace {

constexpr std::string_view config_with_rules =
    "global:\n"
    "  scrape_interval: 15s\n"
    "rule_files:\n"
    "  - rules.yml\n";

constexpr std::string_view good_rules =
    "groups:\n"
    "  - name: promwatch_test\n"
    "    rules:\n"
    "      - record: job:up:sum\n"
    "        expr: sum by (job) (up)\n";

constexpr std::string_view changed_rules =
    "groups:\n"
    "  - name: promwatch_test_changed\n"
    "    rules:\n"
    "      - record: job:up:count\n"
    "        expr: count by (job) (up)\n";

constexpr std::string_view broken_rules =
    "groups:\n"
    "  - name: promwatch_test\n"
    "    rules:\n"
    "      - record: job:up:sum\n"
    "        expr: sum by (job) (up\n";

bool contains(std::string_view s, std::string_view part) {
  return s.find(part) != std::string_view::npos;
}

testing::prometheus_options with_rules(bool lifecycle = true) {
  testing::prometheus_options o;
  o.config_yaml = std::string(config_with_rules);
  o.files["rules.yml"] = std::string(good_rules);
  o.enable_lifecycle = lifecycle;
  return o;
}

reload_options quick_options() {
  reload_options o;
  o.attempt_timeout = 10s;
  o.retry.rejected = {20ms, 2.0, 100ms};
  o.jitter = [] { return 1.0; };
  return o;
}

struct fixture {
  asio::io_context ioc{1};
  std::ostringstream log_text;
  core::logger log{log_text, core::log_format::logfmt, core::log_level::debug};

  http_reloader reloader_for(const prometheus_process& prom) {
    return http_reloader(parse_url(prom.url("/-/reload")).value(), quick_options(), log);
  }
};

}  // namespace

TEST_CASE_FIXTURE(fixture, "a reload of the real Prometheus succeeds and takes effect" *
                               doctest::skip(!testing::prometheus_available())) {
  prometheus_process prom(with_rules());
  CHECK(contains(prom.get("/api/v1/rules"), "promwatch_test"));
  prom.write_file("rules.yml", changed_rules);

  auto r = reloader_for(prom);
  reload_result result;
  REQUIRE(run_bounded(
      ioc,
      [&]() -> awaitable<void> {
        co_await r.wait_until_ready();
        result = co_await r.reload();
      }(),
      20s));
  CHECK(result.ok);
  CHECK(result.attempts == 1);
  CHECK(result.last_status == 200);
  CHECK(contains(prom.get("/metrics"), "prometheus_config_last_reload_successful 1"));
  const std::string rules = prom.get("/api/v1/rules");
  CHECK(contains(rules, "promwatch_test_changed"));
  CHECK(contains(rules, "job:up:count"));
}

TEST_CASE_FIXTURE(fixture, "without --web.enable-lifecycle the reload is a misconfiguration" *
                               doctest::skip(!testing::prometheus_available())) {
  prometheus_process prom(with_rules(false));
  auto r = reloader_for(prom);
  reload_result reported;
  reload_result result;
  REQUIRE(run_bounded(
      ioc,
      [&]() -> awaitable<void> {
        result = co_await r.reload(
            [](milliseconds) -> awaitable<bool> { co_return false; },
            [&](const reload_result& failed, milliseconds) { reported = failed; });
      }(),
      20s));
  CHECK(result.superseded);
  CHECK(reported.last_status == 403);
  CHECK(reported.last_class == outcome_class::misconfiguration);
  CHECK(contains(reported.message, "--web.enable-lifecycle"));
  INFO(reported.message);
}

TEST_CASE_FIXTURE(fixture,
                  "a broken rule file makes the real Prometheus answer 500 with its reason" *
                      doctest::skip(!testing::prometheus_available())) {
  prometheus_process prom(with_rules());
  prom.write_file("rules.yml", broken_rules);
  auto r = reloader_for(prom);
  reload_result result;
  REQUIRE(run_bounded(
      ioc, [&]() -> awaitable<void> { result = co_await r.reload(); }(), 20s));
  INFO(result.message);
  CHECK_FALSE(result.ok);
  CHECK(result.last_status == 500);
  CHECK(result.last_class == outcome_class::rejected);
  CHECK(result.attempts == 3);
  CHECK(contains(result.message, "failed to reload config"));
  // 2.42 names only the config file in the answer; the broken rule file is in its log,
  // which is why promwatch validates before it reloads.
  CHECK(contains(result.message, "one or more errors occurred"));
  CHECK(contains(result.message, prom.config_path().string()));
  CHECK(contains(prom.log_tail(), "rules.yml"));
  CHECK(contains(prom.get("/metrics"), "prometheus_config_last_reload_successful 0"));
  // Prometheus keeps the previous rules after the failed reload.
  CHECK(contains(prom.get("/api/v1/rules"), "job:up:sum"));
}

TEST_CASE("the Prometheus helper fails with the log tail when Prometheus cannot start" *
          doctest::skip(!testing::prometheus_available())) {
  testing::prometheus_options o;
  o.config_yaml = "global:\n  scrape_interval: not-a-duration\n";
  o.ready_timeout = 20s;
  try {
    prometheus_process prom(o);
    FAIL("Prometheus started with an invalid config");
  } catch (const std::runtime_error& e) {
    CHECK(contains(e.what(), "exited"));
    CHECK(contains(e.what(), "not-a-duration"));
  }
}
