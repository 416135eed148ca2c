#include "reload/http_reloader.hpp"

#include <sstream>
#include <string>

#include <boost/beast/http/verb.hpp>
#include <doctest/doctest.h>

#include "support/child_process.hpp"
#include "support/fake_http_server.hpp"

using namespace promwatch;
using namespace promwatch::reload;
using promwatch::test::fake_http_server;
using promwatch::test::run_bounded;
using promwatch::test::scripted_response;
using std::chrono::milliseconds;
using namespace std::chrono_literals;
namespace http = boost::beast::http;

namespace {

reload_options fast_options() {
  reload_options o;
  o.attempt_timeout = 1s;
  o.retry.transient = {10ms, 2.0, 50ms};
  o.retry.misconfiguration = {20ms, 2.0, 100ms};
  o.retry.rejected = {20ms, 2.0, 100ms};
  o.readiness = {10ms, 2.0, 50ms};
  o.jitter = [] { return 1.0; };
  return o;
}

bool contains(std::string_view s, std::string_view part) {
  return s.find(part) != std::string_view::npos;
}

struct fixture {
  asio::io_context ioc{1};
  fake_http_server server{ioc};
  std::ostringstream log_text;
  core::logger log{log_text, core::log_format::logfmt, core::log_level::debug};

  http_reloader reloader(reload_options o = fast_options()) {
    return http_reloader(parse_url(server.url("/-/reload")).value(), std::move(o), log);
  }

  /// One POST to the reload path, as the reloader sends it, within a bounded run.
  exchange_result post_reload(milliseconds timeout) {
    exchange_result result;
    REQUIRE(run_bounded(
        ioc,
        [&]() -> awaitable<void> {
          result = co_await http_exchange(http::verb::post,
                                          parse_url(server.url("/-/reload")).value(), timeout);
        }(),
        5s));
    return result;
  }
};

}  // namespace

TEST_CASE_FIXTURE(fixture, "a 200 answer is one successful attempt") {
  server.script("/-/reload", {{200, ""}});
  auto r = reloader();
  reload_result result;
  REQUIRE(run_bounded(
      ioc, [&]() -> awaitable<void> { result = co_await r.reload(); }(), 5s));
  CHECK(result.ok);
  CHECK(result.attempts == 1);
  CHECK(result.last_status == 200);
  CHECK(server.count("POST", "/-/reload") == 1);
  CHECK(server.count("GET", "/-/reload") == 0);
}

TEST_CASE_FIXTURE(fixture, "503 then 200 is retried and succeeds") {
  server.script("/-/reload", {{503, "Service Unavailable"}, {503, ""}, {200, ""}});
  auto r = reloader();
  reload_result result;
  int retries_reported = 0;
  REQUIRE(run_bounded(
      ioc,
      [&]() -> awaitable<void> {
        result = co_await r.reload({}, [&](const reload_result& failed, milliseconds delay) {
          ++retries_reported;
          CHECK(failed.last_class == outcome_class::transient);
          CHECK(delay > 0ms);
        });
      }(),
      5s));
  CHECK(result.ok);
  CHECK(result.attempts == 3);
  CHECK(retries_reported == 2);
  CHECK(server.count("POST", "/-/reload") == 3);
}

TEST_CASE_FIXTURE(fixture, "a 500 surfaces Prometheus' message and is not hammered") {
  const std::string body =
      "failed to reload config: one or more errors occurred while applying the new "
      "configuration (--config.file=\"/etc/prometheus/prometheus.yml\")\n";
  server.script("/-/reload", {{500, body}});

  SUBCASE("a few slow attempts, then it gives up until the next change") {
    auto r = reloader();
    reload_result result;
    REQUIRE(run_bounded(
        ioc, [&]() -> awaitable<void> { result = co_await r.reload(); }(), 5s));
    CHECK_FALSE(result.ok);
    CHECK_FALSE(result.superseded);
    CHECK(result.last_class == outcome_class::rejected);
    CHECK(result.last_status == 500);
    CHECK(result.attempts == 3);
    CHECK(contains(result.message, "failed to reload config: one or more errors occurred"));
    const auto& reqs = server.requests();
    REQUIRE(reqs.size() == 3);
    // Jitter 1 makes the waits exactly 20ms then 40ms.
    CHECK(reqs[1].at - reqs[0].at >= 20ms);
    CHECK(reqs[2].at - reqs[1].at >= 40ms);
  }
  SUBCASE("with the default settings the first retry is ten seconds away") {
    reload_options o;
    o.jitter = [] { return 1.0; };
    auto r = reloader(o);
    milliseconds first_delay{0};
    reload_result result;
    REQUIRE(run_bounded(
        ioc,
        [&]() -> awaitable<void> {
          result =
              co_await r.reload([](milliseconds) -> awaitable<bool> { co_return false; },
                                [&](const reload_result&, milliseconds d) { first_delay = d; });
        }(),
        5s));
    CHECK(first_delay == 10s);
    CHECK(result.superseded);
    CHECK(server.count("POST", "/-/reload") == 1);
  }
}

TEST_CASE_FIXTURE(fixture, "a 403 is a misconfiguration hinting at --web.enable-lifecycle") {
  server.script("/-/reload", {{403, "Lifecycle API is not enabled.\n"}});
  auto r = reloader();
  reload_result reported;
  reload_result result;
  REQUIRE(run_bounded(
      ioc,
      [&]() -> awaitable<void> {
        result = co_await r.reload(
            [](milliseconds) -> awaitable<bool> { co_return false; },
            [&](const reload_result& failed, milliseconds) { reported = failed; });
      }(),
      5s));
  CHECK(reported.last_class == outcome_class::misconfiguration);
  CHECK(reported.last_status == 403);
  CHECK(contains(reported.message, "--web.enable-lifecycle"));
  CHECK(result.superseded);
  CHECK(contains(log_text.str(), "--web.enable-lifecycle"));
}

TEST_CASE_FIXTURE(fixture, "misconfiguration keeps being retried until it is fixed") {
  server.script("/-/reload", {{404, ""}, {404, ""}, {404, ""}, {404, ""}, {200, ""}});
  auto r = reloader();
  reload_result result;
  REQUIRE(run_bounded(
      ioc, [&]() -> awaitable<void> { result = co_await r.reload(); }(), 5s));
  CHECK(result.ok);
  CHECK(result.attempts == 5);
}

TEST_CASE_FIXTURE(fixture, "an attempt that stalls ends at its timeout") {
  server.script("/-/reload", {test::stalled()});
  exchange_result result;
  REQUIRE(run_bounded(
      ioc,
      [&]() -> awaitable<void> {
        result = co_await http_exchange(http::verb::post,
                                        parse_url(server.url("/-/reload")).value(), 200ms);
      }(),
      5s));
  CHECK(result.error == boost::system::errc::timed_out);
  CHECK(result.elapsed >= 190ms);
  CHECK(result.elapsed < 1s);
  CHECK(server.count("POST", "/-/reload") == 1);
  CHECK(classify({result.error, result.status, result.body}).kind == outcome_class::transient);
}

TEST_CASE_FIXTURE(fixture, "a refused connection is a transient transport error") {
  const auto u =
      parse_url("http://127.0.0.1:" + std::to_string(test::free_port()) + "/-/reload").value();
  exchange_result result;
  REQUIRE(run_bounded(
      ioc, [&]() -> awaitable<void> { result = co_await http_exchange(http::verb::post, u, 1s); }(),
      5s));
  CHECK(result.error == boost::system::errc::connection_refused);
  CHECK(result.status == 0);
  const auto c = classify({result.error, result.status, result.body});
  CHECK(c.kind == outcome_class::transient);
  CHECK(contains(c.message, "connection refused"));
}

TEST_CASE_FIXTURE(fixture, "a long body is cut to the excerpt size but keeps its status") {
  server.script("/-/reload", {{500, std::string(10'000, 'x')}});
  const auto result = post_reload(1s);
  CHECK_FALSE(result.error);
  CHECK(result.status == 500);
  CHECK(result.body.size() == max_body_excerpt);
}

TEST_CASE_FIXTURE(fixture, "a 500 with a body over the read limit still carries its message") {
  // Content-Length beyond what any exchange reads: the first bytes are still the message.
  const std::string message = "failed to reload config: bad rule file";
  server.script("/-/reload", {{500, message + std::string(max_body_read + 4096, 'x')}});
  const auto result = post_reload(2s);
  CHECK_FALSE(result.error);
  CHECK(result.status == 500);
  CHECK(result.truncated);
  CHECK(result.body.size() == max_body_excerpt);
  CHECK(result.body.starts_with(message));
  const auto c = classify({result.error, result.status, result.body});
  CHECK(contains(c.message, message));
  CHECK_FALSE(contains(c.message, "without a message"));
}

TEST_CASE_FIXTURE(fixture, "a body of exactly the excerpt size is not marked truncated") {
  server.script("/-/reload", {{500, std::string(max_body_excerpt, 'y')}});
  const auto result = post_reload(1s);
  CHECK_FALSE(result.error);
  CHECK(result.status == 500);
  CHECK_FALSE(result.truncated);
  CHECK(result.body.size() == max_body_excerpt);
}

TEST_CASE_FIXTURE(fixture, "a host name is resolved before connecting") {
  server.script("/-/reload", {{200, ""}});
  const auto u = parse_url("http://localhost:" + std::to_string(server.port()) + "/-/reload");
  exchange_result result;
  REQUIRE(run_bounded(
      ioc,
      [&]() -> awaitable<void> {
        result = co_await http_exchange(http::verb::post, u.value(), 2s);
      }(),
      5s));
  // localhost may resolve to ::1 first; the connect tries every address.
  CHECK_FALSE(result.error);
  CHECK(result.status == 200);
}

TEST_CASE_FIXTURE(fixture, "cancelling an exchange ends it at once with operation_aborted") {
  server.script("/-/reload", {test::stalled()});
  asio::cancellation_signal cancel;
  exchange_result result;
  bool finished = false;
  asio::co_spawn(
      ioc, http_exchange(http::verb::post, parse_url(server.url("/-/reload")).value(), 10s),
      asio::bind_cancellation_slot(cancel.slot(), [&](std::exception_ptr e, exchange_result r) {
        REQUIRE_FALSE(e);
        result = std::move(r);
        finished = true;
      }));
  REQUIRE(run_bounded(
      ioc,
      [&]() -> awaitable<void> {
        while (server.count("POST", "/-/reload") == 0)
          co_await test::sleep_for(5ms);
        cancel.emit(asio::cancellation_type::terminal);
        while (!finished)
          co_await test::sleep_for(5ms);
      }(),
      2s));
  CHECK(result.error == asio::error::operation_aborted);
  CHECK(result.elapsed < 1s);
}

TEST_CASE_FIXTURE(fixture, "readiness is awaited through 503s before the first reload") {
  server.script("/-/ready", {{503, "Service Unavailable"}, {503, ""}, {200, "Ready.\n"}});
  auto r = reloader();
  REQUIRE(run_bounded(ioc, r.wait_until_ready(), 5s));
  CHECK(r.readiness_checked());
  CHECK(server.count("GET", "/-/ready") == 3);
  CHECK(contains(log_text.str(), "waiting for target to become ready"));
  CHECK(contains(log_text.str(), "target is ready"));
}

TEST_CASE_FIXTURE(fixture, "a target without a readiness endpoint is not waited for") {
  auto r = reloader();
  REQUIRE(run_bounded(ioc, r.wait_until_ready(), 5s));
  CHECK(r.readiness_checked());
  CHECK(server.count("GET", "/-/ready") == 1);
  CHECK(contains(log_text.str(), "no readiness endpoint"));
}

TEST_CASE_FIXTURE(fixture, "the readiness wait can be cancelled") {
  server.script("/-/ready", {{503, ""}});
  auto r = reloader();
  bool aborted = false;
  REQUIRE(run_bounded(
      ioc,
      [&]() -> awaitable<void> {
        using namespace asio::experimental::awaitable_operators;
        try {
          co_await (r.wait_until_ready() || test::sleep_for(100ms));
        } catch (const boost::system::system_error&) {
          aborted = true;
        }
      }(),
      2s));
  CHECK_FALSE(aborted);  // the timer won the race and the wait was cancelled cleanly
  CHECK_FALSE(r.readiness_checked());
  CHECK(server.count("GET", "/-/ready") >= 2);
}
