#include "reload/http_client.hpp"

#include <atomic>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <boost/beast/http/verb.hpp>
#include <doctest/doctest.h>

#include "server/healthcheck.hpp"
#include "support/fake_http_server.hpp"

using namespace promwatch;
using namespace promwatch::reload;
using promwatch::test::hostile_http_server;
using promwatch::test::run_bounded;
using namespace std::chrono_literals;
namespace http = boost::beast::http;

namespace {

constexpr std::string_view chunked_head = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n";

struct hostile_case {
  const char* name;
  std::string prefix;
  std::string filler;
};

std::vector<hostile_case> hostile_cases() {
  return {
      {"an endless extension of the last chunk", std::string(chunked_head) + "0;x=", "a"},
      {"an endless chunk-size line", std::string(chunked_head) + "1", "0"},
      {"an endless trailer", std::string(chunked_head) + "0\r\nX-Trailer: ", "a"},
      {"endless chunks of one byte with long extensions", std::string(chunked_head),
       "1;x=" + std::string(1000, 'a') + "\r\nX\r\n"},
  };
}

// Far more than any bound the client keeps, far less than what an unbounded client reads
// before its deadline; socket buffers on loopback take a few MiB of it.
constexpr std::size_t sent_bound = 24 * 1024 * 1024;

}  // namespace

TEST_CASE("the HTTP client gives up on endless chunked framing with bounded reads") {
  for (const auto& c : hostile_cases()) {
    CAPTURE(c.name);
    asio::io_context ioc{1};
    hostile_http_server server(ioc, c.prefix, c.filler);
    exchange_result result;
    const auto start = steady_clock::now();
    REQUIRE(run_bounded(
        ioc,
        [&]() -> awaitable<void> {
          result = co_await http_exchange(http::verb::get,
                                          parse_url(server.url("/-/ready")).value(), 20s);
        }(),
        25s));
    const auto elapsed = steady_clock::now() - start;
    CHECK(result.error);
    CHECK(result.error != make_error_code(boost::system::errc::timed_out));
    CHECK(elapsed < 10s);
    CHECK(server.bytes_sent() < sent_bound);
  }
}

TEST_CASE("healthcheck gives up on endless chunked framing with bounded reads") {
  for (const auto& c : hostile_cases()) {
    CAPTURE(c.name);
    asio::io_context ioc{1};
    hostile_http_server server(ioc, c.prefix, c.filler);
    std::ostringstream err;
    int code = -1;
    const auto start = steady_clock::now();
    std::atomic<bool> done = false;
    std::thread t([&] {
      code = server::run_healthcheck(server.url("/healthz"), 20s, err);
      done = true;
    });
    // Serve until the healthcheck has ended (bounded by its own deadline).
    while (!done && steady_clock::now() - start < 25s)
      ioc.run_for(10ms);
    t.join();
    const auto elapsed = steady_clock::now() - start;
    CHECK(code == 1);
    CHECK(err.str().find("read response:") != std::string::npos);
    CHECK(elapsed < 10s);
    CHECK(server.bytes_sent() < sent_bound);
  }
}
