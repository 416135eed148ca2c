#include "cli/options.hpp"

#include <doctest/doctest.h>

using namespace promwatch;
using namespace std::chrono_literals;

namespace {
core::result<cli::parsed_command_line> parse(std::initializer_list<std::string_view> args) {
  const std::vector<std::string_view> v(args);
  return cli::parse_command_line(v);
}
}  // namespace

TEST_CASE("no arguments means run with production defaults") {
  const auto r = parse({});
  REQUIRE(r.has_value());
  CHECK(r->cmd == cli::command::run);
  CHECK(r->run.config_file == "/etc/prometheus/prometheus.yml");
  CHECK(r->run.reload_urls == std::vector<std::string>{"http://127.0.0.1:9090/-/reload"});
  CHECK(r->run.listen_address == ":9533");
  CHECK(r->run.debounce == 250ms);
  CHECK(r->run.debounce_max == 2s);
  CHECK(r->run.resync_interval == 3min);
  CHECK(r->run.reload_timeout == 30s);
  CHECK(r->run.reload_on_start);
}

TEST_CASE("flags take values with = or as the next argument") {
  const auto r = parse({"run", "--config-file=/c/p.yml", "--watch-dir", "/c/rules",
                        "--watch-dir=/c/t", "--reload-url=http://127.0.0.1:1/-/reload",
                        "--reload-url", "http://127.0.0.1:2/-/reload", "--debounce=100ms",
                        "--debounce-max=1s", "--log-format=json", "--log-level=debug",
                        "--watch-backend=poll", "--reload-on-start=false", "--resync-interval=0"});
  REQUIRE(r.has_value());
  CHECK(r->run.config_file == "/c/p.yml");
  CHECK(r->run.watch_dirs.size() == 2);
  CHECK(r->run.reload_urls.size() == 2);
  CHECK(r->run.debounce == 100ms);
  CHECK(r->run.backend == cli::watch_backend::poll);
  CHECK(r->run.log_format == core::log_format::json);
  CHECK(r->run.log_level == core::log_level::debug);
  CHECK_FALSE(r->run.reload_on_start);
  CHECK(r->run.resync_interval == 0ms);
}

TEST_CASE("every bad flag is reported at once, each by name") {
  const auto r = parse({"--debounce=fast", "--bogus=1", "--log-level=loud", "--reload-url=ftp://x",
                        "--reload-timeout=0"});
  REQUIRE(r.has_error());
  const auto& msg = r.error().message;
  CHECK(msg.find("--debounce") != std::string::npos);
  CHECK(msg.find("unknown flag --bogus") != std::string::npos);
  CHECK(msg.find("--log-level") != std::string::npos);
  CHECK(msg.find("--reload-url") != std::string::npos);
  CHECK(msg.find("--reload-timeout: must be greater than 0") != std::string::npos);
}

TEST_CASE("a flag without its value is an error naming the flag") {
  const auto r = parse({"--config-file"});
  REQUIRE(r.has_error());
  CHECK(r.error().message == "--config-file: missing value");
}

TEST_CASE("the publish directory must be apart from the watched config directory") {
  CHECK(parse({"--config-file=/etc/prom/prometheus.yml", "--output-dir=/run/prom"}).has_value());
  CHECK(
      parse({"--config-file=/etc/prom/prometheus.yml", "--output-dir=/etc/prom/out"}).has_error());
  CHECK(parse({"--config-file=/etc/prom/prometheus.yml", "--output-dir=/etc"}).has_error());
}

TEST_CASE("debounce-max below debounce is rejected") {
  CHECK(parse({"--debounce=3s", "--debounce-max=1s"}).has_error());
}

TEST_CASE("subcommands parse their own arguments") {
  SUBCASE("check") {
    const auto r = parse({"check", "rules", "a.yml", "b.yml"});
    REQUIRE(r.has_value());
    CHECK(r->cmd == cli::command::check);
    CHECK(r->check_kind == "rules");
    CHECK(r->check_files == std::vector<std::string>{"a.yml", "b.yml"});
  }
  SUBCASE("check needs a known kind and files") {
    CHECK(parse({"check", "alerts", "a.yml"}).has_error());
    CHECK(parse({"check", "rules"}).has_error());
    CHECK(parse({"check"}).has_error());
  }
  SUBCASE("healthcheck") {
    const auto r = parse({"healthcheck", "--url=http://127.0.0.1:1/healthz", "--timeout=1s"});
    REQUIRE(r.has_value());
    CHECK(r->cmd == cli::command::healthcheck);
    CHECK(r->healthcheck_url == "http://127.0.0.1:1/healthz");
    CHECK(r->healthcheck_timeout == 1s);
  }
  SUBCASE("version and help") {
    CHECK(parse({"--version"})->cmd == cli::command::version);
    CHECK(parse({"--help"})->cmd == cli::command::help);
    CHECK(parse({"run", "--help"})->cmd == cli::command::help);
  }
  SUBCASE("unknown subcommand") {
    CHECK(parse({"frobnicate"}).has_error());
  }
}

TEST_CASE("run follows the target's version unless --prometheus-version pins one") {
  const auto d = parse({});
  REQUIRE(d.has_value());
  CHECK_FALSE(d->run.prometheus_version);
  CHECK_FALSE(d->run.enable_features);
  CHECK(d->run.profile_refresh == 30s);
  CHECK_FALSE(parse({"--prometheus-version=auto"})->run.prometheus_version);
  const auto pinned = parse({"--prometheus-version=2.53", "--profile-refresh=5s"});
  REQUIRE(pinned.has_value());
  CHECK(pinned->run.prometheus_version == validate::prometheus_version{2, 53});
  CHECK(pinned->run.profile_refresh == 5s);
  CHECK(parse({"--prometheus-version", "3.5.3"})->run.prometheus_version ==
        validate::prometheus_version{3, 5});
  // Newer than known is allowed: the profile marks it newer_than_known.
  CHECK(parse({"--prometheus-version=3.20"})->run.prometheus_version ==
        validate::prometheus_version{3, 20});
}

TEST_CASE("bad --prometheus-version values are usage errors naming the flag") {
  SUBCASE("not a version") {
    const auto r = parse({"--prometheus-version=latest"});
    REQUIRE(r.has_error());
    CHECK(r.error().message ==
          "--prometheus-version: want auto or a Prometheus version such as 3.5, got \"latest\"");
  }
  SUBCASE("older than any known") {
    const auto r = parse({"--prometheus-version=2.30"});
    REQUIRE(r.has_error());
    CHECK(r.error().message.find("older than any this promwatch knows (2.42 to 3.14)") !=
          std::string::npos);
  }
  SUBCASE("missing or empty") {
    CHECK(parse({"--prometheus-version"}).has_error());
    CHECK(parse({"--prometheus-version="}).has_error());
    CHECK(parse({"--prometheus-version=3"}).has_error());
  }
}

TEST_CASE("--enable-feature is repeatable and comma-separated") {
  const auto r = parse({"--enable-feature=promql-experimental-functions,promql-duration-expr",
                        "--enable-feature", "promql-extended-range-selectors"});
  REQUIRE(r.has_value());
  REQUIRE(r->run.enable_features);
  CHECK(*r->run.enable_features ==
        std::set<std::string, std::less<>>{"promql-duration-expr", "promql-experimental-functions",
                                           "promql-extended-range-selectors"});
  // Given but empty pins "no features", which is not the same as not given.
  const auto none = parse({"--enable-feature="});
  REQUIRE(none.has_value());
  REQUIRE(none->run.enable_features);
  CHECK(none->run.enable_features->empty());
}

TEST_CASE("check mirrors promtool of a version, the newest known by default") {
  SUBCASE("default") {
    const auto r = parse({"check", "rules", "a.yml"});
    REQUIRE(r.has_value());
    CHECK(r->check_profile.version == validate::newest_known_version);
    CHECK(r->check_profile.by == validate::judge::promtool);
    CHECK(r->check_profile.features.empty());
  }
  SUBCASE("pinned, with features, flags before or after the files") {
    const auto r = parse({"check", "rules", "--prometheus-version=3.5", "a.yml",
                          "--enable-feature=promql-experimental-functions"});
    REQUIRE(r.has_value());
    CHECK(r->check_files == std::vector<std::string>{"a.yml"});
    CHECK(r->check_profile.version == validate::prometheus_version{3, 5});
    CHECK(r->check_profile.by == validate::judge::promtool);
    CHECK(r->check_profile.experimental_functions);
  }
  SUBCASE("promtool before 3.4 could not enable experimental functions") {
    const auto r = parse({"check", "rules", "--prometheus-version=2.53",
                          "--enable-feature=promql-experimental-functions", "a.yml"});
    REQUIRE(r.has_value());
    CHECK_FALSE(r->check_profile.experimental_functions);
  }
  SUBCASE("flags may also come before the kind") {
    const auto r = parse({"check", "--prometheus-version", "2.53", "rules", "a.yml"});
    REQUIRE(r.has_value());
    CHECK(r->check_kind == "rules");
    CHECK(r->check_files == std::vector<std::string>{"a.yml"});
    CHECK(r->check_profile.version == validate::prometheus_version{2, 53});
    CHECK(parse({"check", "--prometheus-version=3.5"}).has_error());
  }
  SUBCASE("auto has no target to ask") {
    const auto r = parse({"check", "rules", "--prometheus-version=auto", "a.yml"});
    REQUIRE(r.has_error());
    CHECK(r.error().message.find("--prometheus-version: auto needs a target") == 0);
  }
  SUBCASE("a bad version") {
    CHECK(parse({"check", "config", "--prometheus-version=x", "p.yml"}).has_error());
  }
  SUBCASE("run's other flags stay unknown to check") {
    CHECK(parse({"check", "rules", "--profile-refresh=1s", "a.yml"}).has_error());
  }
}

TEST_CASE("durations have a sane maximum, so none overflows a deadline") {
  const auto r = parse({"--reload-timeout=300y", "--debounce-max=25h", "--resync-interval=10y",
                        "--debounce=2h", "--poll-interval=1d2h", "--profile-refresh=1w"});
  REQUIRE(r.has_error());
  const auto& msg = r.error().message;
  CHECK(msg.find("--reload-timeout: 300y is more than the maximum of 1h") != std::string::npos);
  CHECK(msg.find("--debounce-max: 25h is more than the maximum of 1d") != std::string::npos);
  CHECK(msg.find("--resync-interval: 10y is more than the maximum of 1d") != std::string::npos);
  CHECK(msg.find("--debounce: 2h is more than the maximum of 1h") != std::string::npos);
  CHECK(msg.find("--poll-interval: 1d2h is more than the maximum of 1h") != std::string::npos);
  CHECK(msg.find("--profile-refresh: 1w is more than the maximum of 1d") != std::string::npos);
  CHECK(parse({"healthcheck", "--timeout=2h"}).has_error());

  SUBCASE("the maxima themselves are fine") {
    const auto ok = parse({"--reload-timeout=1h", "--debounce=1h", "--debounce-max=24h",
                           "--resync-interval=24h", "--poll-interval=1h"});
    REQUIRE(ok.has_value());
    CHECK(ok->run.reload_timeout == 1h);
    CHECK(ok->run.resync_interval == 24h);
  }
}
