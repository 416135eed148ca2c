#include "server/http_server.hpp"

#include <algorithm>
#include <chrono>
#include <future>
#include <memory>
#include <optional>
#include <sstream>
#include <stdexcept>
#include <string>
#include <tuple>
#include <vector>

#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#include <doctest/doctest.h>

#include "core/asio.hpp"
#include "core/logger.hpp"
#include "server/healthcheck.hpp"

namespace {

using namespace std::chrono_literals;
using namespace promwatch;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

server::router test_router(bool ready = true) {
  server::endpoints e;
  e.metrics = [] { return std::string("# TYPE up gauge\nup 1\n"); };
  e.readiness = [ready] {
    return server::probe{.ok = ready, .reason = "waiting for the first sync"};
  };
  e.status = [] { return std::string(R"({"ok":true})"); };
  return server::router(std::move(e));
}

/// Runs handlers on `io` until `finished()` or `bound` passes.
template <typename Predicate>
void pump(asio::io_context& io, Predicate finished, milliseconds bound) {
  const auto deadline = steady_clock::now() + bound;
  while (!finished() && steady_clock::now() < deadline) {
    // An io_context that ran out of work stays stopped until restarted.
    if (io.stopped()) io.restart();
    // Short slices, so a predicate that changes off the loop (another thread) is seen soon.
    io.run_one_for(std::min<steady_clock::duration>(deadline - steady_clock::now(), 10ms));
  }
}

/// Runs `op` on `io` until it finishes or `bound` passes; a hang fails the test instead of
/// stalling CI. Returns nullopt on timeout.
template <typename T>
std::optional<T> run_bounded(asio::io_context& io, awaitable<T> op, milliseconds bound = 5s) {
  std::optional<T> out;
  bool done = false;
  asio::co_spawn(io, std::move(op), [&](const std::exception_ptr& e, T value) {
    done = true;
    if (e) {
      try {
        std::rethrow_exception(e);
      } catch (const std::exception& ex) {
        FAIL("client coroutine threw: " << ex.what());
      }
      return;
    }
    out = std::move(value);
  });
  pump(
      io, [&] { return done; }, bound);
  return out;
}

/// A server on 127.0.0.1:<ephemeral> on a test-owned io_context, stopped (and checked to
/// stop) when the fixture ends.
struct live_server {
  explicit live_server(server::router routes = test_router(), server::serve_options options = {})
      : acceptor(server::open_acceptor(io.get_executor(), {asio::ip::address_v4::loopback(), 0})),
        port(acceptor.local_endpoint().port()) {
    asio::co_spawn(io, server::serve(std::move(acceptor), std::move(routes), log, options),
                   asio::bind_cancellation_slot(
                       stop_signal.slot(), [this](const std::exception_ptr&) { stopped = true; }));
  }

  ~live_server() { CHECK_MESSAGE(stop(), "serve() did not return after cancellation"); }

  /// Cancels serve() as a parallel_group would and waits (bounded) for it to return.
  bool stop(milliseconds bound = 3s) {
    if (stopped) return true;
    stop_signal.emit(asio::cancellation_type::terminal);
    pump(
        io, [this] { return stopped; }, bound);
    return stopped;
  }

  asio::io_context io{1};
  std::ostringstream log_text;
  core::logger log{log_text, core::log_format::logfmt, core::log_level::debug};
  tcp::acceptor acceptor;
  unsigned short port;
  asio::cancellation_signal stop_signal;
  bool stopped = false;
};

struct exchange {
  error_code ec;  // of the last read: end_of_stream/eof means the server closed
  std::string data;
};

/// Sends `raw` and reads until the server closes or `wait` passes.
awaitable<exchange> raw_exchange(unsigned short port, std::string raw, milliseconds wait = 2s) {
  beast::tcp_stream stream(co_await asio::this_coro::executor);
  stream.expires_after(wait);
  exchange out;
  if (auto [ec] = co_await stream.async_connect({asio::ip::address_v4::loopback(), port},
                                                as_tuple_awaitable);
      ec) {
    out.ec = ec;
    co_return out;
  }
  if (!raw.empty()) {
    auto [ec, n] = co_await asio::async_write(stream, asio::buffer(raw), as_tuple_awaitable);
    if (ec) {
      out.ec = ec;
      co_return out;
    }
  }
  char buf[4096];
  for (;;) {
    auto [ec, n] = co_await stream.async_read_some(asio::buffer(buf), as_tuple_awaitable);
    out.data.append(buf, n);
    if (ec) {
      out.ec = ec;
      co_return out;
    }
  }
}

awaitable<http::response<http::string_body>> request(unsigned short port, http::verb method,
                                                     std::string target) {
  beast::tcp_stream stream(co_await asio::this_coro::executor);
  stream.expires_after(2s);
  co_await stream.async_connect({asio::ip::address_v4::loopback(), port}, use_awaitable);
  http::request<http::empty_body> req{method, target, 11};
  req.set(http::field::host, "127.0.0.1");
  co_await http::async_write(stream, req, use_awaitable);
  beast::flat_buffer buffer;
  http::response_parser<http::string_body> parser;
  if (method == http::verb::head) parser.skip(true);
  co_await http::async_read(stream, buffer, parser, use_awaitable);
  co_return parser.release();
}

bool closed_by_peer(const error_code& ec) {
  return ec == asio::error::eof || ec == asio::error::connection_reset;
}

}  // namespace

TEST_CASE("every endpoint answers over HTTP on an ephemeral loopback port") {
  live_server s(test_router(false));
  REQUIRE(s.port != 0);

  struct expectation {
    http::verb method;
    const char* target;
    unsigned status;
    const char* body_part;
  };
  for (const auto& e : {expectation{http::verb::get, "/", 200, "/readyz"},
                        expectation{http::verb::get, "/metrics", 200, "up 1"},
                        expectation{http::verb::get, "/healthz", 200, "ok"},
                        expectation{http::verb::get, "/readyz", 503, "waiting for the first sync"},
                        expectation{http::verb::get, "/status?verbose=1", 200, R"({"ok":true})"},
                        expectation{http::verb::get, "/nope", 404, "not found"},
                        expectation{http::verb::post, "/metrics", 405, "not allowed"}}) {
    CAPTURE(e.target);
    const auto res = run_bounded(s.io, request(s.port, e.method, e.target));
    REQUIRE(res.has_value());
    CHECK(res->result_int() == e.status);
    CHECK(res->body().find(e.body_part) != std::string::npos);
    CHECK(res->at(http::field::server) == "promwatch");
  }

  const auto metrics = run_bounded(s.io, request(s.port, http::verb::get, "/metrics"));
  REQUIRE(metrics.has_value());
  CHECK(metrics->at(http::field::content_type).starts_with("text/plain; version=0.0.4"));
  const auto status = run_bounded(s.io, request(s.port, http::verb::get, "/status"));
  REQUIRE(status.has_value());
  CHECK(status->at(http::field::content_type) == "application/json");
  const auto post = run_bounded(s.io, request(s.port, http::verb::post, "/healthz"));
  REQUIRE(post.has_value());
  CHECK(post->at(http::field::allow) == "GET, HEAD");
}

TEST_CASE("HEAD sends GET's headers and Content-Length but no body") {
  live_server s;
  const auto res = run_bounded(
      s.io, raw_exchange(s.port, "HEAD /metrics HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"));
  REQUIRE(res.has_value());
  CHECK(res->data.starts_with("HTTP/1.1 200 OK\r\n"));
  CHECK(res->data.find("Content-Length: 21\r\n") != std::string::npos);
  CHECK(res->data.ends_with("\r\n\r\n"));
  CHECK(closed_by_peer(res->ec));
}

TEST_CASE("keep-alive serves several requests on one connection and Connection: close ends it") {
  live_server s;
  const std::string two =
      "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n"
      "GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";
  const auto res = run_bounded(s.io, raw_exchange(s.port, two));
  REQUIRE(res.has_value());
  CHECK(closed_by_peer(res->ec));
  const auto first = res->data.find("HTTP/1.1 200 OK");
  REQUIRE(first != std::string::npos);
  CHECK(res->data.find("HTTP/1.1 200 OK", first + 1) != std::string::npos);
  CHECK(res->data.find("Connection: close") != std::string::npos);

  SUBCASE("HTTP/1.0 without keep-alive is closed after one response") {
    const auto old = run_bounded(s.io, raw_exchange(s.port, "GET /healthz HTTP/1.0\r\n\r\n"));
    REQUIRE(old.has_value());
    CHECK(old->data.starts_with("HTTP/1.0 200 OK"));
    CHECK(closed_by_peer(old->ec));
  }
}

TEST_CASE("an oversized request header is answered with 431 and the connection closed") {
  server::serve_options options;
  options.max_header_bytes = 8 * 1024;
  live_server s(test_router(), options);
  const std::string big =
      "GET /metrics HTTP/1.1\r\nHost: x\r\nX-Padding: " + std::string(16 * 1024, 'a') + "\r\n\r\n";
  const auto res = run_bounded(s.io, raw_exchange(s.port, big));
  REQUIRE(res.has_value());
  CHECK(res->data.starts_with("HTTP/1.1 431 "));
  CHECK(closed_by_peer(res->ec));

  SUBCASE("a request body is answered with 413") {
    const auto body = run_bounded(
        s.io, raw_exchange(s.port, "GET / HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello"));
    REQUIRE(body.has_value());
    CHECK(body->data.starts_with("HTTP/1.1 413 "));
  }
  SUBCASE("garbage is answered with 400") {
    const auto bad = run_bounded(s.io, raw_exchange(s.port, "NOT HTTP AT ALL\r\n\r\n"));
    REQUIRE(bad.has_value());
    CHECK(bad->data.starts_with("HTTP/1.1 400 "));
  }
}

TEST_CASE("a client that sends its request too slowly is disconnected after read_timeout") {
  server::serve_options options;
  options.read_timeout = 200ms;
  live_server s(test_router(), options);
  const auto start = steady_clock::now();
  // Half a request, then silence: the server must not wait for the rest forever.
  const auto res =
      run_bounded(s.io, raw_exchange(s.port, "GET /metrics HTTP/1.1\r\nHost: x\r\n", 3s));
  const auto elapsed = steady_clock::now() - start;
  REQUIRE(res.has_value());
  CHECK(closed_by_peer(res->ec));
  CHECK(res->data.empty());
  CHECK(elapsed >= 150ms);
  CHECK(elapsed < 2s);
}

TEST_CASE("opening a port that is in use throws a message naming the address") {
  asio::io_context io{1};
  auto first = server::open_acceptor(io.get_executor(), {asio::ip::address_v4::loopback(), 0});
  const auto port = first.local_endpoint().port();
  const std::string expected =
      "listen on 127.0.0.1:" + std::to_string(port) + ": address already in use";
  CHECK_THROWS_WITH_AS(
      server::open_acceptor(io.get_executor(), {asio::ip::address_v4::loopback(), port}),
      expected.c_str(), std::runtime_error);
}

TEST_CASE("cancelling serve() in a parallel_group stops it and its sessions promptly") {
  asio::io_context io{1};
  std::ostringstream log_text;
  core::logger log{log_text, core::log_format::logfmt, core::log_level::debug};
  auto acceptor = server::open_acceptor(io.get_executor(), {asio::ip::address_v4::loopback(), 0});
  const auto port = acceptor.local_endpoint().port();
  server::serve_options options;
  options.read_timeout = 30s;  // idle sessions would otherwise outlive the test by far

  std::vector<beast::tcp_stream> clients;
  error_code client_ec;
  // Opens idle keep-alive connections, proves one is served, then ends: which cancels serve().
  auto open_idle_clients = [&]() -> awaitable<void> {
    const auto ex = co_await asio::this_coro::executor;
    for (int i = 0; i < 3; ++i) {
      clients.emplace_back(ex);
      co_await clients.back().async_connect({asio::ip::address_v4::loopback(), port},
                                            use_awaitable);
    }
    http::request<http::empty_body> req{http::verb::get, "/healthz", 11};
    co_await http::async_write(clients.front(), req, use_awaitable);
    beast::flat_buffer buffer;
    http::response<http::string_body> res;
    co_await http::async_read(clients.front(), buffer, res, use_awaitable);
    CHECK(res.result_int() == 200);
  };

  bool done = false;
  steady_clock::time_point cancelled_at;
  asio::experimental::make_parallel_group(
      asio::co_spawn(io, server::serve(std::move(acceptor), test_router(), log, options),
                     asio::deferred),
      asio::co_spawn(io, open_idle_clients(), asio::deferred))
      .async_wait(asio::experimental::wait_for_one(),
                  [&](std::array<std::size_t, 2> order, std::exception_ptr serve_e,
                      std::exception_ptr client_e) {
                    done = true;
                    CHECK(order[0] == 1);
                    CHECK_FALSE(serve_e);
                    CHECK_FALSE(client_e);
                  });
  pump(
      io,
      [&] {
        if (cancelled_at == steady_clock::time_point{} && clients.size() == 3) {
          cancelled_at = steady_clock::now();
        }
        return done;
      },
      5s);
  REQUIRE(done);
  CHECK(steady_clock::now() - cancelled_at < 1s);

  // Every session's socket was closed: each idle client sees the end of the stream.
  for (auto& c : clients) {
    auto read_one = [&c]() -> awaitable<error_code> {
      char byte;
      c.expires_after(1s);
      auto [ec, n] = co_await c.async_read_some(asio::buffer(&byte, 1), as_tuple_awaitable);
      co_return ec;
    };
    const auto ec = run_bounded(io, read_one());
    REQUIRE(ec.has_value());
    CHECK(closed_by_peer(*ec));
  }
  // And nothing is listening any more.
  const auto after = run_bounded(io, raw_exchange(port, ""));
  REQUIRE(after.has_value());
  CHECK(after->ec == asio::error::connection_refused);
}

TEST_CASE("connections beyond max_connections are closed at once when none is idle") {
  server::serve_options options;
  options.max_connections = 1;
  live_server s(test_router(), options);
  auto hold = [&]() -> awaitable<exchange> {
    beast::tcp_stream first(co_await asio::this_coro::executor);
    co_await first.async_connect({asio::ip::address_v4::loopback(), s.port}, use_awaitable);
    // Half a request: the first connection is busy, not idle, so it is not evicted.
    co_await asio::async_write(first, asio::buffer(std::string_view("GET /healthz HTTP/1.1\r\n")),
                               use_awaitable);
    asio::steady_timer settle(co_await asio::this_coro::executor, 100ms);
    co_await settle.async_wait(use_awaitable);
    co_return co_await raw_exchange(s.port, "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n", 1s);
  };
  const auto res = run_bounded(s.io, hold());
  REQUIRE(res.has_value());
  CHECK(res->data.empty());
  CHECK(closed_by_peer(res->ec));
}

TEST_CASE("at max_connections a new connection evicts the oldest idle one") {
  server::serve_options options;
  options.max_connections = 1;
  live_server s(test_router(), options);
  beast::tcp_stream idle(s.io);
  auto probe = [&]() -> awaitable<exchange> {
    co_await idle.async_connect({asio::ip::address_v4::loopback(), s.port}, use_awaitable);
    asio::steady_timer settle(co_await asio::this_coro::executor, 100ms);
    co_await settle.async_wait(use_awaitable);
    co_return co_await raw_exchange(
        s.port, "GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", 2s);
  };
  const auto res = run_bounded(s.io, probe());
  REQUIRE(res.has_value());
  CHECK(res->data.starts_with("HTTP/1.1 200 OK"));
  auto read_one = [&]() -> awaitable<error_code> {
    char byte;
    idle.expires_after(1s);
    auto [ec, n] = co_await idle.async_read_some(asio::buffer(&byte, 1), as_tuple_awaitable);
    co_return ec;
  };
  const auto ec = run_bounded(s.io, read_one());
  REQUIRE(ec.has_value());
  CHECK(closed_by_peer(*ec));
}

TEST_CASE("200 idle connections do not lock probes out") {
  live_server s;  // the default limits
  std::vector<std::unique_ptr<beast::tcp_stream>> flood;
  std::size_t connected = 0;
  for (int i = 0; i < 200; ++i) {
    flood.push_back(std::make_unique<beast::tcp_stream>(s.io));
    flood.back()->async_connect({asio::ip::address_v4::loopback(), s.port},
                                [&](error_code ec) { connected += ec ? 0 : 1; });
  }
  pump(
      s.io, [&] { return connected == 200; }, 5s);
  REQUIRE(connected == 200);
  // Let the server accept them all.
  const auto settle_until = steady_clock::now() + 300ms;
  pump(
      s.io, [&] { return steady_clock::now() >= settle_until; }, 1s);

  for (const char* target : {"/healthz", "/readyz", "/metrics"}) {
    CAPTURE(target);
    const auto start = steady_clock::now();
    const auto res =
        run_bounded(s.io, raw_exchange(s.port,
                                       std::string("GET ") + target +
                                           " HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
                                       2s));
    REQUIRE(res.has_value());
    CHECK(res->data.starts_with("HTTP/1.1 200 OK"));
    CHECK(steady_clock::now() - start < 1s);
  }
  // The refusals were not logged one by one (nothing was refused: idle ones were evicted).
  CHECK(s.log_text.str().find("refused") == std::string::npos);
}

TEST_CASE("an idle connection is closed after idle_timeout") {
  server::serve_options options;
  options.idle_timeout = 200ms;
  options.read_timeout = 5s;
  live_server s(test_router(), options);
  const auto start = steady_clock::now();
  const auto res = run_bounded(s.io, raw_exchange(s.port, "", 3s));
  const auto elapsed = steady_clock::now() - start;
  REQUIRE(res.has_value());
  CHECK(closed_by_peer(res->ec));
  CHECK(elapsed >= 150ms);
  CHECK(elapsed < 2s);

  SUBCASE("and so is a keep-alive connection between requests") {
    const auto start2 = steady_clock::now();
    const auto kept =
        run_bounded(s.io, raw_exchange(s.port, "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n", 3s));
    REQUIRE(kept.has_value());
    CHECK(kept->data.starts_with("HTTP/1.1 200 OK"));
    CHECK(closed_by_peer(kept->ec));
    CHECK(steady_clock::now() - start2 < 2s);
  }
}

struct flood_result {
  std::size_t sent = 0;
  bool closed = false;  // a write failed: the server closed the connection
  std::string reply;
};

/// Sends `prefix`, then `filler` over and over until the server closes the connection or
/// `limit` bytes went out, reading whatever the server answers meanwhile.
awaitable<flood_result> flood_request(unsigned short port, std::string prefix, std::string filler,
                                      std::size_t limit) {
  const auto ex = co_await asio::this_coro::executor;
  auto stream = std::make_shared<beast::tcp_stream>(ex);
  stream->expires_after(10s);
  co_await stream->async_connect({asio::ip::address_v4::loopback(), port}, use_awaitable);
  auto out = std::make_shared<flood_result>();
  asio::co_spawn(
      ex,
      [stream, out]() -> awaitable<void> {
        char buf[4096];
        for (;;) {
          auto [ec, n] =
              co_await stream->socket().async_read_some(asio::buffer(buf), as_tuple_awaitable);
          out->reply.append(buf, n);
          if (ec) co_return;
        }
      },
      asio::detached);
  while (filler.size() < 16 * 1024)
    filler += filler;
  auto [ec, n] =
      co_await asio::async_write(stream->socket(), asio::buffer(prefix), as_tuple_awaitable);
  out->sent += n;
  while (!ec && out->sent < limit) {
    std::tie(ec, n) =
        co_await asio::async_write(stream->socket(), asio::buffer(filler), as_tuple_awaitable);
    out->sent += n;
  }
  out->closed = static_cast<bool>(ec);
  stream->socket().close();
  co_return *out;
}

TEST_CASE("endless chunked framing closes the connection after bounded reads") {
  const std::string head =
      "POST /metrics HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n";
  struct flood_case {
    const char* name;
    std::string prefix;
    std::string filler;
  };
  // Socket buffers on loopback take a few MiB; an unbounded server reads it all.
  constexpr std::size_t limit = 32 * 1024 * 1024;
  for (const auto& c : {flood_case{"an endless extension of the last chunk", head + "0;x=", "a"},
                        flood_case{"an endless chunk-size line", head + "0", "0"},
                        flood_case{"an endless trailer", head + "0\r\nX-Trailer: ", "a"}}) {
    CAPTURE(c.name);
    live_server s;
    const auto start = steady_clock::now();
    const auto res = run_bounded(s.io, flood_request(s.port, c.prefix, c.filler, limit), 15s);
    REQUIRE(res.has_value());
    CHECK(res->closed);
    CHECK(res->sent < limit);
    CHECK(steady_clock::now() - start < 5s);
    // Probes are still answered.
    const auto probe = run_bounded(
        s.io,
        raw_exchange(s.port, "GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"));
    REQUIRE(probe.has_value());
    CHECK(probe->data.starts_with("HTTP/1.1 200 OK"));
  }
}

TEST_CASE("healthcheck exits 0 against a live server and 1 otherwise, saying why") {
  live_server s(test_router(false));
  const auto check = [&](std::string url) {
    std::ostringstream err;
    auto result =
        std::async(std::launch::async, [&] { return server::run_healthcheck(url, 2s, err); });
    // Serve while the healthcheck's own io_context runs on its thread.
    pump(
        s.io, [&] { return result.wait_for(0s) == std::future_status::ready; }, 5s);
    REQUIRE(result.wait_for(0s) == std::future_status::ready);
    return std::pair{result.get(), err.str()};
  };
  const std::string base = "http://127.0.0.1:" + std::to_string(s.port);

  const auto [ok, ok_err] = check(base + "/healthz");
  CHECK(ok == 0);
  CHECK(ok_err.empty());

  const auto [not_ready, why] = check(base + "/readyz");
  CHECK(not_ready == 1);
  CHECK(why.find("503") != std::string::npos);
  CHECK(why.find("waiting for the first sync") != std::string::npos);

  unsigned short closed_port = 0;
  {
    asio::io_context io{1};
    closed_port = server::open_acceptor(io.get_executor(), {asio::ip::address_v4::loopback(), 0})
                      .local_endpoint()
                      .port();
  }
  const auto [refused, refused_why] =
      check("http://127.0.0.1:" + std::to_string(closed_port) + "/healthz");
  CHECK(refused == 1);
  CHECK(refused_why.find("connect to 127.0.0.1:") != std::string::npos);
  CHECK(refused_why.back() == '\n');

  const auto [bad, bad_why] = check("https://example.com/healthz");
  CHECK(bad == 1);
  CHECK(bad_why.find("invalid URL") != std::string::npos);
}
