#include "reload/retry_policy.hpp"

#include <algorithm>
#include <limits>
#include <string>
#include <vector>

#include <boost/asio/error.hpp>
#include <boost/system/errc.hpp>
#include <doctest/doctest.h>

using namespace promwatch::reload;
using std::chrono::milliseconds;
using std::chrono::minutes;
using std::chrono::seconds;

namespace {

bool contains(const std::string& s, std::string_view part) {
  return s.find(part) != std::string::npos;
}

classification status(unsigned code, std::string_view body = {}) {
  return classify({{}, code, body});
}

classification transport(boost::system::error_code ec, unsigned code = 0) {
  return classify({ec, code, {}});
}

std::vector<milliseconds> delays(retry_policy& p, outcome_class c, int n, double jitter) {
  std::vector<milliseconds> out;
  for (int i = 0; i < n; ++i) {
    const auto d = p.next(c, jitter);
    REQUIRE(d.retry);
    out.push_back(d.delay);
  }
  return out;
}

}  // namespace

TEST_CASE("every 2xx status is a success") {
  for (unsigned code : {200u, 201u, 202u, 204u, 299u}) {
    CAPTURE(code);
    CHECK(status(code).kind == outcome_class::success);
  }
}

TEST_CASE("transport failures are transient and say what happened") {
  namespace errc = boost::system::errc;
  SUBCASE("refused") {
    const auto c = transport(make_error_code(errc::connection_refused));
    CHECK(c.kind == outcome_class::transient);
    CHECK(contains(c.message, "connection refused"));
  }
  SUBCASE("refused as reported by Asio") {
    const auto c = transport(boost::asio::error::connection_refused);
    CHECK(c.kind == outcome_class::transient);
    CHECK(contains(c.message, "connection refused"));
  }
  SUBCASE("timeout") {
    const auto c = transport(make_error_code(errc::timed_out));
    CHECK(c.kind == outcome_class::transient);
    CHECK(contains(c.message, "timeout"));
  }
  SUBCASE("reset") {
    const auto c = transport(boost::asio::error::connection_reset);
    CHECK(c.kind == outcome_class::transient);
    CHECK(contains(c.message, "reset"));
  }
  SUBCASE("resolve failure") {
    const auto c = transport(boost::asio::error::host_not_found);
    CHECK(c.kind == outcome_class::transient);
    CHECK(contains(c.message, "transport error"));
  }
  SUBCASE("a transport error wins over a stale status") {
    CHECK(transport(boost::asio::error::eof, 200).kind == outcome_class::transient);
  }
}

TEST_CASE("gateway and overload statuses are transient") {
  for (unsigned code : {408u, 429u, 502u, 503u, 504u, 507u, 520u}) {
    CAPTURE(code);
    CHECK(status(code).kind == outcome_class::transient);
  }
}

TEST_CASE("a 500 is a rejection carrying Prometheus' message") {
  SUBCASE("with Prometheus' body, trimmed") {
    const auto c = status(500, "failed to reload config: one or more errors occurred\n");
    CHECK(c.kind == outcome_class::rejected);
    CHECK(c.message == "HTTP 500: failed to reload config: one or more errors occurred");
  }
  SUBCASE("without a body") {
    const auto c = status(500, " \n");
    CHECK(c.kind == outcome_class::rejected);
    CHECK(contains(c.message, "without a message"));
  }
}

TEST_CASE("client errors are misconfiguration with a hint naming the fix") {
  SUBCASE("403 names --web.enable-lifecycle and keeps the server's words") {
    const auto c = status(403, "Lifecycle API is not enabled.\n");
    CHECK(c.kind == outcome_class::misconfiguration);
    CHECK(contains(c.message, "--web.enable-lifecycle"));
    CHECK(contains(c.message, "Lifecycle API is not enabled."));
  }
  SUBCASE("401 says authentication is needed") {
    const auto c = status(401);
    CHECK(c.kind == outcome_class::misconfiguration);
    CHECK(contains(c.message, "authentication"));
  }
  SUBCASE("404 points at the path and the route prefix") {
    const auto c = status(404, "404 page not found");
    CHECK(c.kind == outcome_class::misconfiguration);
    CHECK(contains(c.message, "--web.route-prefix"));
  }
  SUBCASE("405 points at the method and URL") {
    const auto c = status(405);
    CHECK(c.kind == outcome_class::misconfiguration);
    CHECK(contains(c.message, "POST"));
  }
  SUBCASE("other 4xx, redirects and unimplemented methods") {
    for (unsigned code : {301u, 302u, 308u, 400u, 410u, 418u, 501u, 505u}) {
      CAPTURE(code);
      CHECK(status(code).kind == outcome_class::misconfiguration);
    }
  }
}

TEST_CASE("outcome classes have stable names for logs and metrics") {
  CHECK(to_string(outcome_class::success) == "success");
  CHECK(to_string(outcome_class::transient) == "transient");
  CHECK(to_string(outcome_class::misconfiguration) == "misconfiguration");
  CHECK(to_string(outcome_class::rejected) == "rejected");
}

TEST_CASE("transient failures back off exponentially from 250ms up to a 30s cap") {
  retry_policy p;
  SUBCASE("full jitter sample gives the base delay") {
    const auto d = delays(p, outcome_class::transient, 10, 1.0);
    CHECK(d == std::vector<milliseconds>{milliseconds{250}, milliseconds{500}, seconds{1},
                                         seconds{2}, seconds{4}, seconds{8}, seconds{16},
                                         seconds{30}, seconds{30}, seconds{30}});
  }
  SUBCASE("zero jitter halves it, never less") {
    const auto d = delays(p, outcome_class::transient, 3, 0.0);
    CHECK(d == std::vector<milliseconds>{milliseconds{125}, milliseconds{250}, milliseconds{500}});
  }
  SUBCASE("jitter in between scales linearly") {
    CHECK(p.next(outcome_class::transient, 0.5).delay == milliseconds{187});
  }
  SUBCASE("out-of-range and NaN jitter is clamped") {
    CHECK(p.next(outcome_class::transient, 7.0).delay == milliseconds{250});
    CHECK(p.next(outcome_class::transient, -3.0).delay == milliseconds{250});
    CHECK(p.next(outcome_class::transient, std::numeric_limits<double>::quiet_NaN()).delay ==
          milliseconds{500});
  }
  SUBCASE("it never stops on its own and never overflows") {
    bool always_retries = true;
    milliseconds shortest = milliseconds::max(), longest{0};
    for (int i = 0; i < 10000; ++i) {
      const auto d = p.next(outcome_class::transient, 1.0);
      always_retries = always_retries && d.retry;
      shortest = std::min(shortest, d.delay);
      longest = std::max(longest, d.delay);
    }
    CHECK(always_retries);
    CHECK(shortest == milliseconds{250});
    CHECK(longest == seconds{30});
    CHECK(p.failures(outcome_class::transient) == 10000);
  }
}

TEST_CASE("misconfiguration keeps retrying slowly up to 5 minutes") {
  retry_policy p;
  const auto d = delays(p, outcome_class::misconfiguration, 8, 1.0);
  CHECK(d == std::vector<milliseconds>{seconds{5}, seconds{10}, seconds{20}, seconds{40},
                                       seconds{80}, seconds{160}, minutes{5}, minutes{5}});
  for (int i = 0; i < 1000; ++i)
    REQUIRE(p.next(outcome_class::misconfiguration, 0.3).retry);
}

TEST_CASE("a rejected config is retried slowly and only a few times per change") {
  retry_policy p;
  auto first = p.next(outcome_class::rejected, 1.0);
  CHECK(first.retry);
  CHECK(first.delay == seconds{10});
  auto second = p.next(outcome_class::rejected, 1.0);
  CHECK(second.retry);
  CHECK(second.delay == seconds{20});
  auto third = p.next(outcome_class::rejected, 1.0);
  CHECK_FALSE(third.retry);
  CHECK(p.failures(outcome_class::rejected) == 3);

  SUBCASE("a new change starts a new series") {
    p.reset();
    CHECK(p.failures(outcome_class::rejected) == 0);
    CHECK(p.next(outcome_class::rejected, 1.0).delay == seconds{10});
  }
  SUBCASE("the limit is configurable") {
    retry_settings s;
    s.rejected_max_attempts = 1;
    retry_policy once(s);
    CHECK_FALSE(once.next(outcome_class::rejected, 0.0).retry);
  }
}

TEST_CASE("each class keeps its own count within a series") {
  retry_policy p;
  p.next(outcome_class::transient, 1.0);
  p.next(outcome_class::transient, 1.0);
  // A misconfiguration after two transient failures starts at its own initial delay.
  CHECK(p.next(outcome_class::misconfiguration, 1.0).delay == seconds{5});
  CHECK(p.next(outcome_class::transient, 1.0).delay == seconds{1});
  // Interleaved transient failures do not refill the rejection budget.
  p.next(outcome_class::rejected, 1.0);
  p.next(outcome_class::transient, 1.0);
  p.next(outcome_class::rejected, 1.0);
  CHECK_FALSE(p.next(outcome_class::rejected, 1.0).retry);
}

TEST_CASE("a success ends the series and resets the counts") {
  retry_policy p;
  p.next(outcome_class::transient, 1.0);
  p.next(outcome_class::rejected, 1.0);
  const auto d = p.next(outcome_class::success, 1.0);
  CHECK_FALSE(d.retry);
  CHECK(p.failures(outcome_class::transient) == 0);
  CHECK(p.failures(outcome_class::rejected) == 0);
  CHECK(p.next(outcome_class::transient, 1.0).delay == milliseconds{250});
}

TEST_CASE("custom backoff settings are honoured even with an initial above the cap") {
  retry_settings s;
  s.transient = {milliseconds{100}, 3.0, milliseconds{1000}};
  s.misconfiguration = {seconds{10}, 2.0, seconds{1}};
  retry_policy p(s);
  CHECK(delays(p, outcome_class::transient, 4, 1.0) ==
        std::vector<milliseconds>{milliseconds{100}, milliseconds{300}, milliseconds{900},
                                  milliseconds{1000}});
  CHECK(p.next(outcome_class::misconfiguration, 1.0).delay == seconds{1});
}
