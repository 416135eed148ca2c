#include "server/router.hpp"

#include <stdexcept>
#include <string>

#include <doctest/doctest.h>

using promwatch::server::endpoints;
using promwatch::server::probe;
using promwatch::server::response;
using promwatch::server::router;

namespace {

router make_router(bool ready = true) {
  endpoints e;
  e.metrics = [] { return std::string("# TYPE up gauge\nup 1\n"); };
  e.health = [] { return probe{.ok = true, .reason = {}}; };
  e.readiness = [ready] { return probe{.ok = ready, .reason = "waiting for the first sync"}; };
  e.status = [] { return std::string(R"({"files":[]})"); };
  return router(std::move(e));
}

const std::string* header(const response& r, std::string_view name) {
  for (const auto& [k, v] : r.headers) {
    if (k == name) return &v;
  }
  return nullptr;
}

}  // namespace

TEST_CASE("GET /metrics serves the metrics text in the Prometheus text format") {
  const auto r = make_router().route("GET", "/metrics");
  CHECK(r.status == 200);
  CHECK(r.content_type.starts_with("text/plain; version=0.0.4"));
  CHECK(r.body == "# TYPE up gauge\nup 1\n");
  CHECK(r.send_body);
}

TEST_CASE("/healthz answers ok while healthy and 503 with the reason otherwise") {
  SUBCASE("healthy") {
    const auto r = make_router().route("GET", "/healthz");
    CHECK(r.status == 200);
    CHECK(r.body == "ok\n");
  }
  SUBCASE("unhealthy") {
    const router rt({.health = [] { return probe{.ok = false, .reason = "watcher stalled"}; }});
    const auto r = rt.route("GET", "/healthz");
    CHECK(r.status == 503);
    CHECK(r.body == "watcher stalled\n");
  }
  SUBCASE("without a provider the answering loop is the proof of life") {
    CHECK(router(endpoints{}).route("GET", "/healthz").status == 200);
  }
}

TEST_CASE("/readyz answers ok when ready and 503 with the reason when not") {
  CHECK(make_router(true).route("GET", "/readyz").status == 200);
  const auto r = make_router(false).route("GET", "/readyz");
  CHECK(r.status == 503);
  CHECK(r.body == "waiting for the first sync\n");
  CHECK(r.content_type.starts_with("text/plain"));
  SUBCASE("without a provider it is not ready, and says so") {
    const auto none = router(endpoints{}).route("GET", "/readyz");
    CHECK(none.status == 503);
    CHECK(none.body == "no readiness provider\n");
  }
}

TEST_CASE("/status serves the provider's JSON") {
  const auto r = make_router().route("GET", "/status");
  CHECK(r.status == 200);
  CHECK(r.content_type == "application/json");
  CHECK(r.body == R"({"files":[]})");
  CHECK(router(endpoints{}).route("GET", "/status").body == "{}");
}

TEST_CASE("/ lists the endpoints as plain text") {
  const auto r = make_router().route("GET", "/");
  CHECK(r.status == 200);
  CHECK(r.content_type.starts_with("text/plain"));
  for (const char* path : {"/metrics", "/healthz", "/readyz", "/status"}) {
    CAPTURE(path);
    CHECK(r.body.find(path) != std::string::npos);
  }
}

TEST_CASE("unknown paths are 404 whatever the method") {
  for (const char* target : {"/nope", "/metrics/", "/METRICS", "", "metrics", "/healthz/x"}) {
    for (const char* method : {"GET", "HEAD", "POST", "DELETE"}) {
      CAPTURE(target);
      CAPTURE(method);
      CHECK(make_router().route(method, target).status == 404);
    }
  }
}

TEST_CASE("other methods on a known path are 405 with an Allow header") {
  for (const char* method : {"POST", "PUT", "DELETE", "OPTIONS", "PATCH", "get", "TRACE"}) {
    CAPTURE(method);
    const auto r = make_router().route(method, "/metrics");
    CHECK(r.status == 405);
    const auto* allow = header(r, "Allow");
    REQUIRE(allow != nullptr);
    CHECK(*allow == "GET, HEAD");
  }
}

TEST_CASE("HEAD answers like GET without sending the body") {
  for (const char* path : {"/", "/metrics", "/healthz", "/readyz", "/status"}) {
    CAPTURE(path);
    const auto get = make_router(false).route("GET", path);
    const auto head = make_router(false).route("HEAD", path);
    CHECK(head.status == get.status);
    CHECK(head.content_type == get.content_type);
    CHECK(head.body.size() == get.body.size());
    CHECK_FALSE(head.send_body);
  }
}

TEST_CASE("query strings and fragments are ignored when routing") {
  CHECK(make_router().route("GET", "/metrics?name[]=up").status == 200);
  CHECK(make_router().route("GET", "/healthz?").status == 200);
  CHECK(make_router().route("GET", "/?x=1#top").status == 200);
  CHECK(make_router().route("GET", "/nope?/metrics").status == 404);
}

TEST_CASE("a provider that throws becomes a 500, not a failed session") {
  const router rt({.status = []() -> std::string { throw std::runtime_error("boom"); }});
  const auto r = rt.route("GET", "/status");
  CHECK(r.status == 500);
  CHECK(r.body.find("boom") != std::string::npos);
  SUBCASE("and 405 decisions never call the provider") {
    CHECK(rt.route("POST", "/status").status == 405);
  }
}
