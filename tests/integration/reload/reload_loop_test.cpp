#include "reload/reload_loop.hpp"

#include <sstream>
#include <string>
#include <vector>

#include <doctest/doctest.h>

#include "support/child_process.hpp"
#include "support/fake_http_server.hpp"

using namespace promwatch;
using namespace promwatch::reload;
using promwatch::test::fake_http_server;
using promwatch::test::run_bounded;
using promwatch::test::sleep_for;
using std::chrono::milliseconds;
using namespace std::chrono_literals;

namespace {

reload_options fast_options() {
  reload_options o;
  o.attempt_timeout = 2s;
  o.retry.transient = {10ms, 2.0, 50ms};
  o.retry.misconfiguration = {20ms, 2.0, 100ms};
  o.retry.rejected = {20ms, 2.0, 100ms};
  o.readiness = {10ms, 2.0, 50ms};
  o.jitter = [] { return 1.0; };
  return o;
}

reload_request request(std::uint64_t generation) {
  return {generation, "sha-" + std::to_string(generation)};
}

// Runs the loop under test beside the scenario; the scenario ending cancels the loop,
// which must then end as well for run_bounded to return true.
struct fixture {
  asio::io_context ioc{1};
  fake_http_server server{ioc};
  std::ostringstream log_text;
  core::logger log{log_text, core::log_format::logfmt, core::log_level::debug};
  core::latest_slot<reload_request> slot{ioc.get_executor()};
  std::vector<reload_report> reports;

  std::vector<reload_report> finals() const {
    std::vector<reload_report> out;
    for (const auto& r : reports) {
      if (r.final) out.push_back(r);
    }
    return out;
  }

  reload_loop make_loop(std::vector<std::string> paths, reload_options o = fast_options()) {
    std::vector<url> targets;
    for (const auto& p : paths)
      targets.push_back(parse_url(server.url(p)).value());
    return reload_loop(std::move(targets), std::move(o), slot, log,
                       [this](const reload_report& r) { reports.push_back(r); });
  }

  awaitable<void> until(std::function<bool()> condition) {
    while (!condition())
      co_await sleep_for(2ms);
  }

  // The loop ends by throwing operation_aborted when the scenario wins the race.
  bool run(reload_loop& loop, awaitable<void> scenario, milliseconds bound = 5s) {
    return run_bounded(
        ioc,
        [&](awaitable<void> s) -> awaitable<void> {
          auto [order, loop_error, scenario_error] =
              co_await asio::experimental::make_parallel_group(
                  asio::co_spawn(ioc, loop.run(), asio::deferred),
                  asio::co_spawn(ioc, std::move(s), asio::deferred))
                  .async_wait(asio::experimental::wait_for_one(), use_awaitable);
          REQUIRE(order[0] == 1);  // run() never ends on its own
          if (scenario_error) std::rethrow_exception(scenario_error);
        }(std::move(scenario)),
        bound);
  }
};

}  // namespace

TEST_CASE_FIXTURE(fixture, "a request reloads the target and reports the outcome") {
  server.script("/-/reload", {{200, ""}});
  auto loop = make_loop({"/-/reload"});
  slot.put(request(1));
  const bool finished = run(loop, until([&] { return finals().size() == 1; }));
  REQUIRE(finished);
  const auto f = finals();
  CHECK(f[0].result.ok);
  CHECK(f[0].request.generation == 1);
  CHECK(f[0].request.sha256 == "sha-1");
  CHECK(f[0].url == server.url("/-/reload"));
  CHECK(f[0].target_index == 0);
}

TEST_CASE_FIXTURE(fixture, "readiness 503 then 200 comes before the first reload only") {
  server.script("/-/ready", {{503, ""}, {503, ""}, {200, ""}});
  server.script("/-/reload", {{200, ""}});
  auto loop = make_loop({"/-/reload"});
  slot.put(request(1));
  const bool finished = run(loop, [&]() -> awaitable<void> {
    co_await until([&] { return finals().size() == 1; });
    slot.put(request(2));
    co_await until([&] { return finals().size() == 2; });
  }());
  REQUIRE(finished);
  const auto& reqs = server.requests();
  REQUIRE(reqs.size() == 5);
  CHECK(reqs[0].target == "/-/ready");
  CHECK(reqs[1].target == "/-/ready");
  CHECK(reqs[2].target == "/-/ready");
  CHECK(reqs[3].method == "POST");
  CHECK(reqs[4].method == "POST");
}

TEST_CASE_FIXTURE(fixture, "requests during an in-flight reload lead to exactly one follow-up") {
  server.script("/-/reload", {test::delayed(200, 300ms)});
  auto loop = make_loop({"/-/reload"});
  slot.put(request(1));
  const bool finished = run(loop, [&]() -> awaitable<void> {
    co_await until([&] { return server.count("POST", "/-/reload") == 1; });
    slot.put(request(2));
    slot.put(request(3));
    co_await sleep_for(50ms);
    slot.put(request(4));
    co_await until([&] { return finals().size() == 2; });
    // Long enough for a wrong third POST to show up.
    co_await sleep_for(400ms);
  }());
  REQUIRE(finished);
  CHECK(server.count("POST", "/-/reload") == 2);
  const auto f = finals();
  REQUIRE(f.size() == 2);
  CHECK(f[0].request.generation == 1);
  CHECK(f[0].result.ok);
  CHECK(f[1].request.generation == 4);
  CHECK(f[1].result.ok);
}

TEST_CASE_FIXTURE(fixture, "a request during a backoff wait is reloaded at once") {
  server.script("/-/reload", {{503, ""}, {200, ""}});
  auto o = fast_options();
  o.retry.transient = {60s, 2.0, 60s};  // a wait no test could sit through
  auto loop = make_loop({"/-/reload"}, o);
  slot.put(request(1));
  steady_clock::time_point pushed;
  const bool finished = run(loop, [&]() -> awaitable<void> {
    co_await until([&] { return reports.size() == 1; });
    CHECK_FALSE(reports[0].final);
    CHECK(reports[0].retry_in == 60s);
    pushed = steady_clock::now();
    slot.put(request(2));
    co_await until([&] { return finals().size() == 2; });
  }());
  REQUIRE(finished);
  const auto f = finals();
  CHECK(f[0].request.generation == 1);
  CHECK(f[0].result.superseded);
  CHECK_FALSE(f[0].result.ok);
  CHECK(f[1].request.generation == 2);
  CHECK(f[1].result.ok);
  std::vector<steady_clock::time_point> posts;
  for (const auto& r : server.requests()) {
    if (r.method == "POST") posts.push_back(r.at);
  }
  REQUIRE(posts.size() == 2);
  CHECK(posts[1] - pushed < 500ms);
}

TEST_CASE_FIXTURE(fixture, "a rejected config stops retrying until the next request") {
  server.script("/-/reload", {{500, "failed to reload config: bad rule"}});
  auto loop = make_loop({"/-/reload"});
  slot.put(request(1));
  const bool finished = run(loop, [&]() -> awaitable<void> {
    co_await until([&] { return finals().size() == 1; });
    co_await sleep_for(300ms);  // nothing more may happen
    CHECK(server.count("POST", "/-/reload") == 3);
    slot.put(request(2));
    co_await until([&] { return finals().size() == 2; });
  }());
  REQUIRE(finished);
  CHECK(server.count("POST", "/-/reload") == 6);
  const auto f = finals();
  CHECK(f[0].result.last_class == outcome_class::rejected);
  CHECK(f[0].result.message.find("failed to reload config: bad rule") != std::string::npos);
  CHECK(f[1].request.generation == 2);
  // The two non-final reports per series carry the message too.
  CHECK(reports.size() == 6);
}

TEST_CASE_FIXTURE(fixture, "a broken target does not hold back a healthy one") {
  server.script("/bad/-/reload", {{403, "Lifecycle API is not enabled."}});
  server.script("/good/-/reload", {{200, ""}});
  auto loop = make_loop({"/bad/-/reload", "/good/-/reload"});
  slot.put(request(1));
  const bool finished = run(
      loop,
      until([&] { return finals().size() == 1 && server.count("POST", "/bad/-/reload") >= 2; }));
  REQUIRE(finished);
  const auto f = finals();
  CHECK(f[0].target_index == 1);
  CHECK(f[0].result.ok);
  bool bad_reported = false;
  for (const auto& r : reports) {
    if (r.target_index == 0) {
      bad_reported = true;
      CHECK_FALSE(r.final);
      CHECK(r.result.last_class == outcome_class::misconfiguration);
      CHECK(r.result.message.find("--web.enable-lifecycle") != std::string::npos);
    }
  }
  CHECK(bad_reported);
}

TEST_CASE_FIXTURE(fixture, "cancellation ends the loop promptly even mid-request") {
  server.script("/-/reload", {test::stalled()});
  auto loop = make_loop({"/-/reload"});
  slot.put(request(1));
  steady_clock::time_point cancelled_at;
  const bool finished = run(loop, until([&] {
                              const bool in_flight = server.count("POST", "/-/reload") == 1;
                              if (in_flight) cancelled_at = steady_clock::now();
                              return in_flight;
                            }),
                            3s);
  REQUIRE(finished);
  CHECK(steady_clock::now() - cancelled_at < 200ms);
  CHECK(finals().empty());
}

TEST_CASE_FIXTURE(fixture, "cancellation also ends the loop while it waits for requests") {
  auto loop = make_loop({"/-/reload"});
  const bool finished = run(loop, sleep_for(20ms), 2s);
  REQUIRE(finished);
  CHECK(server.requests().empty());
}

TEST_CASE_FIXTURE(fixture, "a target that never gets ready does not hold back a healthy one") {
  // Regression (#7): readiness used to be awaited for all targets within one series, so
  // every change after the first waited forever for the dead target.
  server.script("/good/-/reload", {{200, ""}, {200, ""}, {200, ""}});
  std::vector<url> targets;
  targets.push_back(
      parse_url("http://127.0.0.1:" + std::to_string(test::free_port()) + "/-/reload").value());
  targets.push_back(parse_url(server.url("/good/-/reload")).value());
  reload_loop loop(std::move(targets), fast_options(), slot, log,
                   [this](const reload_report& r) { reports.push_back(r); });
  slot.put(request(1));
  const bool finished = run(loop, [&]() -> awaitable<void> {
    co_await until([&] { return finals().size() == 1; });
    slot.put(request(2));
    co_await until([&] { return finals().size() == 2; });
    slot.put(request(3));
    co_await until([&] { return finals().size() == 3; });
  }());
  REQUIRE_MESSAGE(finished, log_text.str());
  for (const auto& f : finals()) {
    CHECK(f.target_index == 1);
    CHECK(f.result.ok);
  }
  CHECK(finals().back().request.generation == 3);
  CHECK(server.count("POST", "/good/-/reload") == 3);
}

TEST_CASE_FIXTURE(fixture, "a target that gets ready late reloads only the newest request") {
  server.script("/-/ready", {{503, ""}, {503, ""}, {503, ""}, {503, ""}, {200, ""}});
  server.script("/-/reload", {{200, ""}});
  auto loop = make_loop({"/-/reload"});
  slot.put(request(1));
  const bool finished = run(loop, [&]() -> awaitable<void> {
    co_await until([&] { return server.count("GET", "/-/ready") >= 1; });
    slot.put(request(2));
    co_await until([&] { return finals().size() == 1; });
  }());
  REQUIRE(finished);
  CHECK(finals()[0].request.generation == 2);
  CHECK(server.count("POST", "/-/reload") == 1);
}
