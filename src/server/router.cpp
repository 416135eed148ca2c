#include "server/router.hpp"

#include <exception>

namespace promwatch::server {
namespace {

constexpr std::string_view text_type = "text/plain; charset=utf-8";

response text(int status, std::string body) {
  return {.status = status, .content_type = std::string(text_type), .body = std::move(body)};
}

response probe_response(const probe& p) {
  if (p.ok) return text(200, "ok\n");
  return text(503, (p.reason.empty() ? std::string("not ready") : p.reason) + "\n");
}

std::string_view path_of(std::string_view target) {
  return target.substr(0, target.find_first_of("?#"));
}

constexpr std::string_view index_body =
    "promwatch\n"
    "\n"
    "/metrics  Prometheus metrics\n"
    "/healthz  liveness: 200 while the event loop answers\n"
    "/readyz   readiness: 200 once watches are set up and the first sync is done\n"
    "/status   JSON: watched files, validation results, last reload\n";

bool is_route(std::string_view path) {
  return path == "/" || path == "/metrics" || path == "/healthz" || path == "/readyz" ||
         path == "/status";
}

}  // namespace

response router::route(std::string_view method, std::string_view target) const {
  const std::string_view path = path_of(target);
  const bool head = method == "HEAD";
  if (method != "GET" && !head) {
    // An unknown path stays a 404 whatever the method: there is nothing to allow.
    if (!is_route(path)) return text(404, "not found\n");
    response r = text(405, "method not allowed\n");
    r.headers.emplace_back("Allow", "GET, HEAD");
    return r;
  }
  response r;
  try {
    r = route_path(path);
  } catch (const std::exception& e) {
    r = text(500, std::string("internal error: ") + e.what() + "\n");
  } catch (...) {
    r = text(500, "internal error\n");
  }
  r.send_body = !head;
  return r;
}

response router::route_path(std::string_view path) const {
  if (path == "/metrics") {
    return {.status = 200,
            .content_type = std::string(metrics_content_type),
            .body = endpoints_.metrics ? endpoints_.metrics() : std::string()};
  }
  if (path == "/healthz")
    return probe_response(endpoints_.health ? endpoints_.health() : probe{true, {}});
  if (path == "/readyz") {
    return probe_response(endpoints_.readiness ? endpoints_.readiness()
                                               : probe{false, "no readiness provider"});
  }
  if (path == "/status") {
    return {.status = 200,
            .content_type = "application/json",
            .body = endpoints_.status ? endpoints_.status() : std::string("{}")};
  }
  if (path == "/") return text(200, std::string(index_body));
  return text(404, "not found\n");
}

}  // namespace promwatch::server
