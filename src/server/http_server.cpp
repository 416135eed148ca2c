#include "server/http_server.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <cstdint>
#include <exception>
#include <iterator>
#include <list>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>

#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/message_generator.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>

#include "server/listen_address.hpp"

namespace promwatch::server {
namespace {

namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

/// After an error reply the client may still be sending; closing with unread bytes makes the
/// kernel send RST, which can destroy the reply before the client reads it. So the server
/// stops sending and reads (discarding) until the client closes, within these bounds.
constexpr std::chrono::milliseconds max_linger{1'000};
constexpr std::size_t max_linger_bytes = 64 * 1024;

constexpr std::chrono::milliseconds accept_retry_delay{100};

/// Refused connections are logged at most this often, with how many there were.
constexpr std::chrono::milliseconds refusal_log_interval{10'000};

/// Bytes kept of a request besides its header: room for a trailer or a chunk-size line.
constexpr std::size_t read_buffer_slack = 1024;

struct session_entry {
  explicit session_entry(tcp::socket socket) : stream(std::move(socket)) {}
  beast::tcp_stream stream;
  /// Waiting for the first byte of a request, since `idle_since`; such a session may be
  /// evicted when the server is at max_connections.
  bool idle = true;
  steady_clock::time_point idle_since = steady_clock::now();
  bool evicted = false;  // its socket was closed to make room; it ends on its own
};

/// Shared by serve() and its sessions; sessions hold it by shared_ptr so that it outlives
/// serve() in the (bounded, logged) case of a session that did not end in time.
struct server_state {
  server_state(router r, core::logger& l, serve_options o, const asio::any_io_executor& ex)
      : routes(std::move(r)), log(l), options(o), drained(ex) {}

  router routes;
  core::logger& log;
  serve_options options;
  std::list<session_entry> sessions;  // std::list: entries never move while a session runs
  asio::steady_timer drained;         // cancelled when the last session ends while stopping
  bool stopping = false;
  std::size_t evicted = 0;  // entries in `sessions` whose socket was closed to make room

  /// Refusals since the last "connection refused" log line, and when that was.
  std::size_t refusals_unlogged = 0;
  std::optional<steady_clock::time_point> last_refusal_log;
};

/// The session to close for a new connection at the limit: the one idle longest, if any.
session_entry* eviction_candidate(std::list<session_entry>& sessions) {
  session_entry* oldest = nullptr;
  for (auto& s : sessions) {
    if (s.idle && !s.evicted && (oldest == nullptr || s.idle_since < oldest->idle_since)) {
      oldest = &s;
    }
  }
  return oldest;
}

http::message_generator make_message(const response& r, unsigned version, bool keep_alive) {
  const auto fill = [&](auto& res) {
    res.set(http::field::server, "promwatch");
    res.set(http::field::content_type, r.content_type);
    for (const auto& [name, value] : r.headers)
      res.set(name, value);
    res.keep_alive(keep_alive);
  };
  if (!r.send_body) {
    http::response<http::empty_body> res{static_cast<http::status>(r.status), version};
    fill(res);
    res.content_length(r.body.size());
    return res;
  }
  http::response<http::string_body> res{static_cast<http::status>(r.status), version, r.body};
  fill(res);
  res.prepare_payload();
  return res;
}

response error_reply(int status, std::string body) {
  return {.status = status, .content_type = "text/plain; charset=utf-8", .body = std::move(body)};
}

/// The reply owed to a client whose request could not be read, if any (none for timeouts,
/// resets and clients that went away).
std::optional<response> reply_for_read_error(const error_code& ec) {
  // buffer_overflow: the header, a chunk-size line or a trailer outgrew the read buffer.
  if (ec == http::error::header_limit || ec == http::error::buffer_overflow) {
    return error_reply(431, "request header fields too large\n");
  }
  if (ec == http::error::body_limit) return error_reply(413, "request body too large\n");
  if (ec.category() == http::make_error_code(http::error::bad_method).category() &&
      ec != http::error::partial_message) {
    return error_reply(400, "bad request: " + ec.message() + "\n");
  }
  return std::nullopt;
}

// g++ 12 at -O1 (the asan preset) falsely reports -Wmismatched-new-delete for Asio's
// awaitable frame allocator once a nested coroutine's frame is inlined (GCC PR 109224).
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"
#endif
awaitable<void> linger_close(beast::tcp_stream& stream) {
  error_code ignored;
  stream.socket().shutdown(tcp::socket::shutdown_send, ignored);
  stream.expires_after(max_linger);
  std::array<char, 4096> scratch;
  std::size_t discarded = 0;
  while (discarded < max_linger_bytes) {
    const auto [ec, n] = co_await stream.async_read_some(asio::buffer(scratch), as_tuple_awaitable);
    if (ec) break;
    discarded += n;
  }
  stream.close();
}

awaitable<void> run_session(std::shared_ptr<server_state> state, session_entry* entry) {
  beast::tcp_stream& stream = entry->stream;
  const serve_options& options = state->options;
  // Bounded: Beast's parser needs a whole chunk-size line (with its extensions) or a whole
  // trailer in the buffer and limits neither itself, so the buffer's maximum is that bound.
  beast::flat_buffer buffer(std::max(options.max_header_bytes, options.max_chunk_framing_bytes) +
                            read_buffer_slack);
  for (;;) {
    if (buffer.size() == 0) {
      // Idle until the first byte of a request, for at most idle_timeout.
      entry->idle = true;
      entry->idle_since = steady_clock::now();
      stream.expires_after(options.idle_timeout);
      const auto [idle_ec, idle_n] = co_await stream.async_read_some(
          buffer.prepare(std::min<std::size_t>(4096, buffer.max_size())), as_tuple_awaitable);
      buffer.commit(idle_n);
      entry->idle = false;
      if (entry->evicted) co_return;
      if (idle_ec) {
        error_code ignored;
        if (idle_ec == asio::error::eof)
          stream.socket().shutdown(tcp::socket::shutdown_send, ignored);
        co_return;
      }
    }
    http::request_parser<http::string_body> parser;
    parser.header_limit(
        static_cast<std::uint32_t>(std::min<std::size_t>(options.max_header_bytes, UINT32_MAX)));
    parser.body_limit(options.max_body_bytes);
    std::size_t framing_bytes = 0;
    // The parser keeps a reference: the callback lives as long as the parser.
    auto count_framing = [&](std::uint64_t, std::string_view extensions, error_code& ec) {
      framing_bytes += extensions.size() + 2;
      if (framing_bytes > options.max_chunk_framing_bytes) ec = http::error::bad_chunk_extension;
    };
    parser.on_chunk_header(count_framing);
    // One deadline for the whole request, so trickling bytes does not extend it.
    stream.expires_after(options.read_timeout);
    const auto [read_ec, read_n] =
        co_await http::async_read(stream, buffer, parser, as_tuple_awaitable);
    if (read_ec == http::error::end_of_stream) {
      error_code ignored;
      stream.socket().shutdown(tcp::socket::shutdown_send, ignored);
      co_return;
    }
    if (read_ec) {
      if (const auto reply = reply_for_read_error(read_ec)) {
        state->log.debug("http request rejected",
                         {{"status", reply->status}, {"error", read_ec.message()}});
        stream.expires_after(options.write_timeout);
        co_await beast::async_write(stream, make_message(*reply, 11, false), as_tuple_awaitable);
        co_await linger_close(stream);
      }
      co_return;
    }

    const auto& request = parser.get();
    const response reply = state->routes.route(request.method_string(), request.target());
    const bool keep_alive = request.keep_alive();
    state->log.debug("http request", {{"method", std::string_view(request.method_string())},
                                      {"target", std::string_view(request.target())},
                                      {"status", reply.status}});
    stream.expires_after(options.write_timeout);
    const auto [write_ec, write_n] = co_await beast::async_write(
        stream, make_message(reply, request.version(), keep_alive), as_tuple_awaitable);
    if (write_ec) co_return;
    if (!keep_alive) {
      error_code ignored;
      stream.socket().shutdown(tcp::socket::shutdown_send, ignored);
      co_return;
    }
  }
}

std::string lowercase_first(std::string s) {
  if (!s.empty()) s[0] = static_cast<char>(std::tolower(static_cast<unsigned char>(s[0])));
  return s;
}

}  // namespace

tcp::acceptor open_acceptor(const asio::any_io_executor& ex, const tcp::endpoint& ep) {
  tcp::acceptor acceptor(ex);
  error_code ec;
  acceptor.open(ep.protocol(), ec);
  if (!ec) acceptor.set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) acceptor.bind(ep, ec);
  if (!ec) acceptor.listen(asio::socket_base::max_listen_connections, ec);
  if (ec)
    throw std::runtime_error("listen on " + to_string(ep) + ": " + lowercase_first(ec.message()));
  return acceptor;
}

awaitable<void> serve(tcp::acceptor acceptor, router routes, core::logger& log,
                      serve_options options) {
  const auto ex = co_await asio::this_coro::executor;
  auto state = std::make_shared<server_state>(std::move(routes), log, options, ex);
  error_code ec;
  const tcp::endpoint local = acceptor.local_endpoint(ec);
  log.info("http server listening", {{"address", ec ? std::string("?") : to_string(local)}});

  asio::steady_timer retry(ex);
  for (;;) {
    auto [accept_ec, socket] = co_await acceptor.async_accept(as_tuple_awaitable);
    if (accept_ec) {
      const auto cs = co_await asio::this_coro::cancellation_state;
      if (cs.cancelled() != asio::cancellation_type::none ||
          accept_ec == asio::error::operation_aborted || !acceptor.is_open()) {
        break;
      }
      // E.g. EMFILE: the pending connection stays queued, so retrying at once would spin.
      log.warn("http accept failed", {{"error", accept_ec.message()}});
      retry.expires_after(accept_retry_delay);
      if (const auto [wait_ec] = co_await retry.async_wait(as_tuple_awaitable); wait_ec) break;
      continue;
    }
    if (state->sessions.size() - state->evicted >= options.max_connections) {
      if (session_entry* victim = eviction_candidate(state->sessions)) {
        // An idle connection costs its client nothing to reopen; a probe turned away does.
        victim->evicted = true;
        ++state->evicted;
        victim->stream.socket().shutdown(tcp::socket::shutdown_both, ec);
        victim->stream.close();
      } else {
        ++state->refusals_unlogged;
        const auto now = steady_clock::now();
        if (!state->last_refusal_log || now - *state->last_refusal_log >= refusal_log_interval) {
          log.warn("http connections refused: too many connections, none idle",
                   {{"limit", options.max_connections}, {"refused", state->refusals_unlogged}});
          state->refusals_unlogged = 0;
          state->last_refusal_log = now;
        }
        socket.close(ec);
        continue;
      }
    }
    state->sessions.emplace_back(std::move(socket));
    const auto it = std::prev(state->sessions.end());
    asio::co_spawn(ex, run_session(state, &*it), [state, it](const std::exception_ptr& e) {
      if (e) {
        try {
          std::rethrow_exception(e);
        } catch (const std::exception& what) {
          state->log.error("http session failed", {{"error", what.what()}});
        } catch (...) {
          state->log.error("http session failed");
        }
      }
      if (it->evicted) --state->evicted;
      state->sessions.erase(it);
      if (state->stopping && state->sessions.empty()) state->drained.cancel();
    });
  }

  // Cancelled (or the acceptor was closed): stop accepting, then end every session. Closing
  // the sockets completes whatever each session waits on, so they end within a loop turn.
  acceptor.close(ec);
  state->stopping = true;
  for (auto& s : state->sessions) {
    s.stream.socket().shutdown(tcp::socket::shutdown_both, ec);
    s.stream.close();
  }
  if (state->sessions.empty()) co_return;
  // This coroutine was cancelled; without the reset the wait below would throw at once.
  co_await asio::this_coro::reset_cancellation_state();
  state->drained.expires_after(options.shutdown_timeout);
  const auto [drain_ec] = co_await state->drained.async_wait(as_tuple_awaitable);
  if (!drain_ec) {
    log.warn("http sessions still running after shutdown timeout",
             {{"sessions", state->sessions.size()}});
  }
}

#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic pop
#endif

}  // namespace promwatch::server
