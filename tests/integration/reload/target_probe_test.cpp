// Asking a target what it runs, over loopback HTTP against a scripted server.
#include "profile/target_probe.hpp"

#include <vector>

#include <doctest/doctest.h>

#include "support/fake_http_server.hpp"

using namespace promwatch;
using namespace promwatch::profile;
using promwatch::test::fake_http_server;
using promwatch::test::run_bounded;
using promwatch::test::sleep_for;
using std::chrono::milliseconds;
using namespace std::chrono_literals;

namespace {

std::string buildinfo(std::string_view version) {
  return R"({"status":"success","data":{"version":")" + std::string(version) +
         R"(","revision":"x","branch":"HEAD"}})";
}
std::string flags(std::string_view features) {
  return R"({"status":"success","data":{"config.file":"p.yml","enable-feature":")" +
         std::string(features) + R"("}})";
}

struct fixture {
  asio::io_context ioc{1};
  fake_http_server server{ioc};

  query_answer ask(std::string_view reload_path = "/-/reload", milliseconds timeout = 2s) {
    query_answer out;
    const auto url = reload::parse_url(server.url(reload_path)).value();
    REQUIRE(run_bounded(
        ioc, [&]() -> awaitable<void> { out = co_await query_target(url, timeout); }(), 5s));
    return out;
  }
};

}  // namespace

TEST_CASE_FIXTURE(fixture, "a 3.5 target tells its version and flags; features are not asked") {
  server.script("/api/v1/status/buildinfo", {{200, buildinfo("3.5.3+ds1")}});
  server.script("/api/v1/status/flags", {{200, flags("promql-experimental-functions")}});
  const auto a = ask();
  REQUIRE(a.facts);
  CHECK(a.facts->version_text == "3.5.3+ds1");
  CHECK(a.facts->version == validate::prometheus_version{3, 5});
  CHECK(a.facts->features == feature_set{"promql-experimental-functions"});
  CHECK(a.facts->features_api.empty());
  CHECK(server.count("GET", "/api/v1/features") == 0);
}

TEST_CASE_FIXTURE(fixture, "a 3.9+ target is asked for its features too") {
  server.script("/api/v1/status/buildinfo", {{200, buildinfo("3.10.0")}});
  server.script("/api/v1/status/flags", {{200, flags("")}});
  SUBCASE("the features API answers") {
    server.script("/api/v1/features",
                  {{200, R"({"status":"success","data":{"promql_functions":{"mad_over_time":false,)"
                         R"("first_over_time":false},"rules":{"query_offset":true}}})"}});
    const auto a = ask();
    REQUIRE(a.facts);
    CHECK(a.facts->features_api.at("rules").at("query_offset"));
    CHECK_FALSE(a.facts->features_api.at("promql_functions").at("mad_over_time"));
  }
  SUBCASE("a build without it (404) is told by the tables") {
    const auto a = ask();
    REQUIRE(a.facts);
    CHECK(a.facts->features_api.empty());
  }
  SUBCASE("a failing features API is a failure to retry, not a silent table fallback") {
    server.script("/api/v1/features", {{503, "not ready"}});
    const auto a = ask();
    CHECK_FALSE(a.facts);
    CHECK_FALSE(a.failure.definitive);
  }
}

TEST_CASE_FIXTURE(fixture, "a route prefix in the reload URL is kept for the API") {
  server.script("/prom/api/v1/status/buildinfo", {{200, buildinfo("2.53.3")}});
  server.script("/prom/api/v1/status/flags", {{200, flags("")}});
  const auto a = ask("/prom/-/reload");
  REQUIRE(a.facts);
  CHECK(a.facts->version == validate::prometheus_version{2, 53});
}

TEST_CASE_FIXTURE(fixture, "failures say whether asking again soon makes sense") {
  SUBCASE("starting up (503) is worth another try") {
    server.script("/api/v1/status/buildinfo", {{503, "Service Unavailable"}});
    const auto a = ask();
    CHECK_FALSE(a.facts);
    CHECK_FALSE(a.failure.definitive);
    CHECK(a.failure.message.find("/api/v1/status/buildinfo: HTTP 503") != std::string::npos);
  }
  SUBCASE("no such endpoint (404) will not change soon") {
    const auto a = ask();
    CHECK_FALSE(a.facts);
    CHECK(a.failure.definitive);
  }
  SUBCASE("an answer that is no buildinfo") {
    server.script("/api/v1/status/buildinfo", {{200, "<html>hello</html>"}});
    const auto a = ask();
    CHECK_FALSE(a.facts);
    CHECK(a.failure.definitive);
    CHECK(a.failure.message.find("buildinfo: not a JSON answer") == 0);
  }
  SUBCASE("a target that never answers runs into the deadline") {
    server.script("/api/v1/status/buildinfo", {test::stalled()});
    const auto start = steady_clock::now();
    const auto a = ask("/-/reload", 200ms);
    CHECK(steady_clock::now() - start < 2s);
    CHECK_FALSE(a.facts);
    CHECK_FALSE(a.failure.definitive);
  }
}

TEST_CASE_FIXTURE(fixture, "the probe asks at once, again after a poke, and reports changes") {
  server.script("/api/v1/status/buildinfo",
                {{200, buildinfo("2.53.3")}, {200, buildinfo("3.5.3")}});
  server.script("/api/v1/status/flags", {{200, flags("")}});
  std::vector<observation> seen;
  target_probe probe(reload::parse_url(server.url("/-/reload")).value(), 1h, 2s,
                     [&](const tracker&, observation o) { seen.push_back(o); });
  const bool finished = run_bounded(
      ioc,
      [&]() -> awaitable<void> {
        auto [order, probe_error, scenario_error] =
            co_await asio::experimental::make_parallel_group(
                asio::co_spawn(ioc, probe.run(), asio::deferred),
                asio::co_spawn(
                    ioc,
                    [&]() -> awaitable<void> {
                      while (seen.empty())
                        co_await sleep_for(2ms);
                      probe.poke();  // e.g. a reload just failed: the target may be another now
                      while (seen.size() < 2)
                        co_await sleep_for(2ms);
                    },
                    asio::deferred))
                .async_wait(asio::experimental::wait_for_one(), use_awaitable);
        CHECK(order[0] == 1);  // the probe never ends on its own
        if (scenario_error) std::rethrow_exception(scenario_error);
      }(),
      5s);
  REQUIRE(finished);
  REQUIRE(seen.size() == 2);
  CHECK(seen[0] == observation::first_answer);
  CHECK(seen[1] == observation::changed);
  CHECK(probe.state().facts()->version == validate::prometheus_version{3, 5});
}
