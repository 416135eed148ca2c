#include "server/healthcheck.hpp"

#include <iostream>
#include <optional>
#include <string>

#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>

#include "core/asio.hpp"
#include "server/listen_address.hpp"

namespace promwatch::server {
namespace {

namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

constexpr std::size_t max_response_header = 16 * 1024;
constexpr std::size_t max_response_body = 64 * 1024;

struct http_url {
  tcp::endpoint endpoint;
  std::string host;  // for the Host header, as written
  std::string target;
};

std::optional<http_url> parse_url(std::string_view url, std::string& why) {
  constexpr std::string_view scheme = "http://";
  if (!url.starts_with(scheme)) {
    why = "only http:// URLs are supported";
    return std::nullopt;
  }
  const std::string_view rest = url.substr(scheme.size());
  const auto slash = rest.find('/');
  const std::string_view authority = rest.substr(0, slash);
  http_url out;
  out.target = slash == std::string_view::npos ? "/" : std::string(rest.substr(slash));
  out.host = std::string(authority);
  // Same rules as --listen-address, except that a port is required and a host too.
  std::string_view with_port = authority;
  std::string defaulted;
  if (authority.empty()) {
    why = "the URL has no host";
    return std::nullopt;
  }
  if (authority.back() == ']' || authority.find(':') == std::string_view::npos) {
    defaulted = std::string(authority) + ":80";
    with_port = defaulted;
  }
  if (with_port.front() == ':') {
    why = "the URL has no host";
    return std::nullopt;
  }
  auto ep = parse_listen_address(with_port);
  if (!ep) {
    why = "host must be an IP address or localhost, with an optional port";
    return std::nullopt;
  }
  out.endpoint = *ep;
  return out;
}

struct outcome {
  int exit_code = 1;
  std::string reason;
};

awaitable<outcome> check(http_url url, steady_clock::time_point deadline) {
  outcome out;
  beast::tcp_stream stream(co_await asio::this_coro::executor);
  stream.expires_at(deadline);
  if (const auto [ec] = co_await stream.async_connect(url.endpoint, as_tuple_awaitable); ec) {
    out.reason = "connect to " + to_string(url.endpoint) + ": " + ec.message();
    co_return out;
  }
  http::request<http::empty_body> req{http::verb::get, url.target, 11};
  req.set(http::field::host, url.host);
  req.set(http::field::user_agent, "promwatch-healthcheck");
  req.keep_alive(false);
  if (const auto [ec, n] = co_await http::async_write(stream, req, as_tuple_awaitable); ec) {
    out.reason = "send request: " + ec.message();
    co_return out;
  }
  // Bounded: chunk-size lines (with extensions) and trailers must fit in the read buffer,
  // which Beast's parser does not limit by itself; the callback bounds all extensions.
  beast::flat_buffer buffer(max_response_header + 1024);
  http::response_parser<http::string_body> parser;
  parser.header_limit(static_cast<std::uint32_t>(max_response_header));
  parser.body_limit(max_response_body);
  std::size_t framing_bytes = 0;
  auto count_framing = [&](std::uint64_t, std::string_view extensions, error_code& framing_ec) {
    framing_bytes += extensions.size() + 2;
    if (framing_bytes > max_response_body) framing_ec = http::error::bad_chunk_extension;
  };
  parser.on_chunk_header(count_framing);
  if (const auto [ec, n] = co_await http::async_read(stream, buffer, parser, as_tuple_awaitable);
      ec) {
    out.reason = "read response: " + ec.message();
    co_return out;
  }
  const auto& res = parser.get();
  if (res.result_int() == 200) {
    out.exit_code = 0;
    co_return out;
  }
  std::string body = res.body().substr(0, 200);
  while (!body.empty() && (body.back() == '\n' || body.back() == '\r'))
    body.pop_back();
  for (char& c : body) {
    if (c == '\n' || c == '\r') c = ' ';
  }
  out.reason = std::to_string(res.result_int()) + " " + std::string(res.reason()) +
               (body.empty() ? "" : ": " + body);
  co_return out;
}

}  // namespace

int run_healthcheck(std::string_view url, std::chrono::milliseconds timeout, std::ostream& err) {
  if (url.empty()) url = default_healthcheck_url;
  std::string why;
  auto parsed = parse_url(url, why);
  if (!parsed) {
    err << "healthcheck: invalid URL \"" << url << "\": " << why << '\n';
    return 1;
  }
  outcome out{.exit_code = 1,
              .reason = "timed out after " + std::to_string(timeout.count()) + "ms"};
  try {
    asio::io_context io{1};
    asio::co_spawn(io, check(std::move(*parsed), steady_clock::now() + timeout),
                   [&out](const std::exception_ptr& e, outcome result) {
                     if (e) {
                       out.reason = "unexpected failure";
                       return;
                     }
                     out = std::move(result);
                   });
    // The stream's deadline bounds every step; run_for is a second fence, not the plan.
    io.run_for(timeout + milliseconds(500));
  } catch (const std::exception& e) {
    out = {.exit_code = 1, .reason = e.what()};
  }
  if (out.exit_code != 0) err << "healthcheck: " << url << ": " << out.reason << '\n';
  return out.exit_code;
}

int run_healthcheck(std::string_view url, std::chrono::milliseconds timeout) {
  return run_healthcheck(url, timeout, std::cerr);
}

}  // namespace promwatch::server
