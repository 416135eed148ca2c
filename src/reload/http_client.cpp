#include "reload/http_client.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <memory>

#include <boost/beast/core/error.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/buffer_body.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/write.hpp>

namespace promwatch::reload {
namespace {

namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

bool iequals_prefix(std::string_view s, std::string_view prefix) {
  if (s.size() < prefix.size()) return false;
  // `prefix` is lower case.
  return std::equal(prefix.begin(), prefix.end(), s.begin(), [](char p, char c) {
    return std::tolower(static_cast<unsigned char>(c)) == static_cast<unsigned char>(p);
  });
}

core::error url_error(std::string_view text, std::string_view why) {
  return core::error{"invalid URL \"" + std::string(text) + "\": " + std::string(why)};
}

struct resolve_outcome {
  error_code error;
  tcp::resolver::results_type endpoints;
};

// getaddrinfo runs on Asio's resolver thread and can neither be interrupted nor cancelled
// per operation, so the lookup is left to finish on its own while this coroutine waits on
// a timer that the deadline, the lookup or a cancellation ends. The shared state keeps the
// resolver alive until its handler has run.
awaitable<resolve_outcome> resolve_until(std::string host, std::string port,
                                         steady_clock::time_point deadline) {
  const auto ex = co_await asio::this_coro::executor;
  error_code parse_ec;
  const auto address = asio::ip::make_address(host, parse_ec);
  if (!parse_ec) {
    std::uint16_t p = 0;
    std::from_chars(port.data(), port.data() + port.size(), p);
    co_return resolve_outcome{
        {}, tcp::resolver::results_type::create(tcp::endpoint(address, p), host, port)};
  }

  struct lookup {
    explicit lookup(const asio::any_io_executor& e) : resolver(e), done(e) {}
    tcp::resolver resolver;
    asio::steady_timer done;
    bool finished = false;
    resolve_outcome outcome;
  };
  auto state = std::make_shared<lookup>(ex);
  state->done.expires_at(deadline);
  state->resolver.async_resolve(host, port, [state](error_code ec, tcp::resolver::results_type r) {
    state->finished = true;
    state->outcome = {ec, std::move(r)};
    state->done.cancel();
  });
  auto [ec] = co_await state->done.async_wait(as_tuple_awaitable);
  if (state->finished) co_return state->outcome;
  state->resolver.cancel();
  if (ec == asio::error::operation_aborted) co_return resolve_outcome{ec, {}};
  co_return resolve_outcome{make_error_code(boost::system::errc::timed_out), {}};
}

constexpr std::size_t max_response_header = 16 * 1024;
constexpr std::size_t read_buffer_slack = 1024;
/// Chunk-size lines with extensions, all chunks together (a 1 MiB body in 1-byte chunks
/// needs 3 bytes each; more is hostile).
constexpr std::size_t max_chunk_framing = 1024 * 1024;

// One vocabulary for deadlines, whichever layer noticed them.
error_code normalized(error_code ec) {
  if (ec == beast::error::timeout) return make_error_code(boost::system::errc::timed_out);
  return ec;
}

}  // namespace

std::string url::to_string() const {
  const bool v6 = host.find(':') != std::string::npos;
  return "http://" + (v6 ? "[" + host + "]" : host) + ":" + port + target;
}

url url::with_target(std::string new_target) const {
  url out = *this;
  out.target = std::move(new_target);
  return out;
}

core::result<url> parse_url(std::string_view text) {
  if (iequals_prefix(text, "https://")) {
    return url_error(text, "https is not supported yet; use http:// (TLS is planned)");
  }
  if (!iequals_prefix(text, "http://")) {
    if (text.find("://") != std::string_view::npos) {
      return url_error(text, "only http:// URLs are supported");
    }
    return url_error(text, "missing scheme; expected http://host:port/path");
  }
  std::string_view rest = text.substr(7);
  if (rest.find('#') != std::string_view::npos) return url_error(text, "fragments are not allowed");
  const auto authority_end = rest.find_first_of("/?");
  const std::string_view authority = rest.substr(0, authority_end);
  if (authority.find('@') != std::string_view::npos) {
    return url_error(text, "credentials in the URL are not supported");
  }

  url out;
  std::string_view port_text;
  if (!authority.empty() && authority.front() == '[') {
    const auto close = authority.find(']');
    if (close == std::string_view::npos) return url_error(text, "unclosed '[' in the host");
    out.host = std::string(authority.substr(1, close - 1));
    const std::string_view after = authority.substr(close + 1);
    if (!after.empty()) {
      if (after.front() != ':') return url_error(text, "unexpected text after ']'");
      port_text = after.substr(1);
      if (port_text.empty()) return url_error(text, "empty port");
    }
  } else {
    const auto colon = authority.find(':');
    out.host = std::string(authority.substr(0, colon));
    if (colon != std::string_view::npos) {
      port_text = authority.substr(colon + 1);
      if (port_text.empty()) return url_error(text, "empty port");
    }
  }
  if (out.host.empty()) return url_error(text, "missing host");
  if (!port_text.empty()) {
    unsigned port = 0;
    const auto [end, ec] =
        std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
    if (ec != std::errc{} || end != port_text.data() + port_text.size() || port == 0 ||
        port > 65535) {
      return url_error(text, "port must be a number from 1 to 65535");
    }
    out.port = std::to_string(port);
  }
  if (authority_end != std::string_view::npos) {
    const std::string_view target = rest.substr(authority_end);
    out.target = target.front() == '?' ? "/" + std::string(target) : std::string(target);
  }
  return out;
}

url endpoint_url(const url& reload_url, std::string_view endpoint) {
  constexpr std::string_view suffix = "/-/reload";
  std::string_view path = reload_url.target;
  path = path.substr(0, path.find('?'));
  if (path.size() >= suffix.size() && path.substr(path.size() - suffix.size()) == suffix) {
    return reload_url.with_target(std::string(path.substr(0, path.size() - suffix.size())) +
                                  std::string(endpoint));
  }
  return reload_url.with_target(std::string(endpoint));
}

url readiness_url(const url& reload_url) {
  return endpoint_url(reload_url, "/-/ready");
}

// g++ 12 at -O1 and above falsely reports -Wmismatched-new-delete for Asio's awaitable
// frame allocator once a nested coroutine's frame is inlined here (GCC PR 109224).
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"
#endif
awaitable<exchange_result> http_exchange(http::verb method, url target,
                                         std::chrono::milliseconds timeout, std::size_t max_body) {
  max_body = std::min(max_body, max_body_read);
  const auto start = steady_clock::now();
  const auto deadline = start + timeout;
  exchange_result out;
  const auto finish = [&](error_code ec) {
    out.error = normalized(ec);
    out.elapsed = steady_clock::now() - start;
    return std::move(out);
  };

  auto resolved = co_await resolve_until(target.host, target.port, deadline);
  if (resolved.error) co_return finish(resolved.error);

  beast::tcp_stream stream(co_await asio::this_coro::executor);
  stream.expires_at(deadline);
  if (auto [ec, ep] = co_await stream.async_connect(resolved.endpoints, as_tuple_awaitable); ec) {
    co_return finish(ec);
  }

  http::request<http::empty_body> req{method, target.target, 11};
  const bool v6 = target.host.find(':') != std::string::npos;
  req.set(http::field::host, (v6 ? "[" + target.host + "]" : target.host) + ":" + target.port);
  req.set(http::field::user_agent, "promwatch/" PROMWATCH_VERSION);
  req.keep_alive(false);
  if (method == http::verb::post || method == http::verb::put) req.content_length(0);
  if (auto [ec, n] = co_await http::async_write(stream, req, as_tuple_awaitable); ec) {
    co_return finish(ec);
  }

  // Every buffer bounded: Beast's parser limits neither chunk-size lines (with their
  // extensions) nor trailers, which must fit in the read buffer, so its maximum bounds
  // them; the callback bounds the extensions of all chunks together.
  beast::flat_buffer buffer(max_response_header + read_buffer_slack);
  http::response_parser<http::buffer_body> parser;
  parser.header_limit(static_cast<std::uint32_t>(max_response_header));
  // No body limit: the body is read into a fixed buffer and reading stops when it is full,
  // so a huge (declared or sent) body still yields its status and its first bytes, which
  // carry Prometheus' message.
  parser.body_limit(boost::none);
  std::size_t framing_bytes = 0;
  auto count_framing = [&](std::uint64_t, std::string_view extensions, error_code& framing_ec) {
    framing_bytes += extensions.size() + 2;
    if (framing_bytes > max_chunk_framing) framing_ec = http::error::bad_chunk_extension;
  };
  parser.on_chunk_header(count_framing);
  if (auto [ec, n] = co_await http::async_read_header(stream, buffer, parser, as_tuple_awaitable);
      ec) {
    co_return finish(ec);
  }
  out.status = parser.get().result_int();

  // One byte more than is kept tells a body of exactly `max_body` bytes from a longer one.
  // The buffer grows as the body arrives, so a small answer to a 1 MiB budget stays small.
  const std::size_t capacity = max_body + 1;
  std::string body;
  std::size_t have = 0;
  while (!parser.is_done() && have < capacity) {
    if (have == body.size())
      body.resize(std::min(capacity, std::max(2 * body.size(), std::size_t{4096})));
    parser.get().body().data = body.data() + have;
    parser.get().body().size = body.size() - have;
    parser.get().body().more = true;
    auto [ec, n] = co_await http::async_read(stream, buffer, parser, as_tuple_awaitable);
    have = body.size() - parser.get().body().size;
    if (ec && ec != http::error::need_buffer) co_return finish(ec);
  }
  out.truncated = have > max_body;
  body.resize(std::min(have, max_body));
  out.body = std::move(body);
  error_code ignored;
  stream.socket().shutdown(tcp::socket::shutdown_both, ignored);
  co_return finish({});
}
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic pop
#endif

}  // namespace promwatch::reload
