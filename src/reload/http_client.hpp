#pragma once
#include <chrono>
#include <string>
#include <string_view>

#include <boost/beast/http/verb.hpp>

#include "core/asio.hpp"
#include "core/error.hpp"

namespace promwatch::reload {

/// An `http://` URL split for a request. IPv6 literals keep no brackets in `host`.
struct url {
  std::string host;
  std::string port = "80";
  std::string target = "/";  ///< path and query, always starting with '/'

  /// `http://host:port/target`, with brackets around IPv6 literals.
  std::string to_string() const;
  /// The same scheme, host and port with another path.
  url with_target(std::string target) const;
};

/// Parses `http://host[:port][/path][?query]`. Errors (as messages): `https` is not
/// supported yet, other schemes, a missing host, a bad port, a fragment or userinfo.
core::result<url> parse_url(std::string_view text);

/// The reload URL's readiness URL: `.../-/reload` becomes `.../-/ready` so a
/// `--web.route-prefix` is kept; any other path falls back to `/-/ready`.
url readiness_url(const url& reload_url);

/// Another endpoint of the Prometheus behind `reload_url`: `.../-/reload` becomes
/// `...<path>` (a `--web.route-prefix` is kept); any other reload path gives `<path>` at
/// the root. `path` starts with '/', e.g. "/api/v1/status/buildinfo".
url endpoint_url(const url& reload_url, std::string_view path);

/// Largest response body kept, enough for any Prometheus error message.
inline constexpr std::size_t max_body_excerpt = 4096;
inline constexpr std::chrono::milliseconds default_attempt_timeout{30'000};

/// What one request/response exchange produced.
struct exchange_result {
  error_code error;  ///< transport failure; clear when a response (any status) arrived
  unsigned status = 0;
  std::string body;        ///< at most the `max_body` the exchange was given
  bool truncated = false;  ///< the body was longer than that and was cut
  steady_clock::duration elapsed{};
};

/// Largest body any exchange reads; beyond it the rest is not read.
inline constexpr std::size_t max_body_read = 1024 * 1024;

/// One HTTP/1.1 exchange on a fresh connection (`Connection: close`): resolve, connect,
/// write, read, all under one deadline of `timeout` from the start. At most `max_body`
/// (capped at `max_body_read`) bytes of the body are kept; `truncated` says when more came.
/// Errors are values: a deadline expiry is `errc::timed_out`, refusal
/// `errc::connection_refused`, and so on. Never throws for network failures.
/// Cancellation: the exchange stops at once and `error` is `operation_aborted`.
/// Executor: the caller's (the loop's one thread).
awaitable<exchange_result> http_exchange(boost::beast::http::verb method, url target,
                                         std::chrono::milliseconds timeout,
                                         std::size_t max_body = max_body_excerpt);

}  // namespace promwatch::reload
