#pragma once
#include <functional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace promwatch::server {

/// The answer of a health or readiness provider: `ok`, or not with a reason a human reads
/// (it becomes the 503 body, e.g. "waiting for the first sync").
struct probe {
  bool ok = false;
  std::string reason{};
};

/// What the endpoints show, filled in by the app. Providers are called on the loop's thread
/// for every request (HEAD included), so they must be quick and must not block. An empty
/// provider gets a safe default: no metrics, healthy, not ready ("no readiness provider"),
/// status `{}`. A provider that throws turns the request into a 500, never a dead session.
struct endpoints {
  std::function<std::string()> metrics{};  ///< Prometheus text format 0.0.4
  std::function<probe()> health{};         ///< liveness beyond "the loop answers"
  std::function<probe()> readiness{};      ///< watches set up and first sync done
  std::function<std::string()> status{};   ///< a complete JSON document
};

/// A response as data; the server turns it into HTTP.
struct response {
  int status = 200;
  std::string content_type{};
  /// For HEAD this is still the body GET would send, so Content-Length is right; see `send_body`.
  std::string body{};
  std::vector<std::pair<std::string, std::string>> headers{};
  /// False for HEAD: send the headers (with the full Content-Length) but no body.
  bool send_body = true;
};

/// Maps (method, target) to a response without any I/O. Routes: `/`, `/metrics`, `/healthz`,
/// `/readyz`, `/status`; GET and HEAD only (others: 405 with `Allow`), unknown paths 404.
/// The query string is ignored. Methods are case-sensitive, as RFC 9110 says.
class router {
 public:
  explicit router(endpoints e) : endpoints_(std::move(e)) {}

  response route(std::string_view method, std::string_view target) const;

 private:
  response route_path(std::string_view path) const;

  endpoints endpoints_;
};

inline constexpr std::string_view metrics_content_type = "text/plain; version=0.0.4; charset=utf-8";

}  // namespace promwatch::server
