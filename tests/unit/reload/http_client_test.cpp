#include "reload/http_client.hpp"

#include <string>

#include <doctest/doctest.h>

using namespace promwatch::reload;

namespace {

bool fails_with(std::string_view text, std::string_view part) {
  const auto r = parse_url(text);
  if (r) return false;
  return r.error().message.find(part) != std::string::npos;
}

}  // namespace

TEST_CASE("an http URL splits into host and port and target") {
  SUBCASE("full") {
    const auto u = parse_url("http://127.0.0.1:9090/-/reload").value();
    CHECK(u.host == "127.0.0.1");
    CHECK(u.port == "9090");
    CHECK(u.target == "/-/reload");
  }
  SUBCASE("default port and path") {
    const auto u = parse_url("http://prometheus").value();
    CHECK(u.host == "prometheus");
    CHECK(u.port == "80");
    CHECK(u.target == "/");
  }
  SUBCASE("scheme is case-insensitive and the query is kept") {
    const auto u = parse_url("HTTP://localhost:9090/prom/-/reload?x=1").value();
    CHECK(u.host == "localhost");
    CHECK(u.target == "/prom/-/reload?x=1");
  }
  SUBCASE("a query without a path gets a root path") {
    CHECK(parse_url("http://h:1?a=b").value().target == "/?a=b");
  }
  SUBCASE("IPv6 literal") {
    const auto u = parse_url("http://[::1]:9090/-/reload").value();
    CHECK(u.host == "::1");
    CHECK(u.port == "9090");
    CHECK(u.to_string() == "http://[::1]:9090/-/reload");
  }
  SUBCASE("leading zeros in the port are normalised") {
    CHECK(parse_url("http://h:0080/").value().port == "80");
  }
}

TEST_CASE("a URL prints back to an equivalent one") {
  CHECK(parse_url("http://h/-/reload").value().to_string() == "http://h:80/-/reload");
}

TEST_CASE("https is refused with a clear not-supported-yet message") {
  CHECK(fails_with("https://prometheus:9090/-/reload", "https is not supported yet"));
  CHECK(fails_with("HTTPS://x", "https is not supported yet"));
}

TEST_CASE("malformed URLs are refused with the reason") {
  CHECK(fails_with("ftp://h/", "only http://"));
  CHECK(fails_with("127.0.0.1:9090/-/reload", "missing scheme"));
  CHECK(fails_with("http://", "missing host"));
  CHECK(fails_with("http://:9090/", "missing host"));
  CHECK(fails_with("http://h:/", "empty port"));
  CHECK(fails_with("http://h:0/", "port must be"));
  CHECK(fails_with("http://h:65536/", "port must be"));
  CHECK(fails_with("http://h:90a/", "port must be"));
  CHECK(fails_with("http://h:-1/", "port must be"));
  CHECK(fails_with("http://user:pw@h/", "credentials"));
  CHECK(fails_with("http://h/#frag", "fragments"));
  CHECK(fails_with("http://[::1/", "unclosed"));
  CHECK(fails_with("http://[::1]x/", "after ']'"));
  CHECK(fails_with("http://[::1]:/", "empty port"));
  CHECK(fails_with("http://h:1/", "port must be") == false);
}

TEST_CASE("the readiness URL sits beside the reload endpoint") {
  SUBCASE("plain") {
    const auto u = readiness_url(parse_url("http://h:9090/-/reload").value());
    CHECK(u.to_string() == "http://h:9090/-/ready");
  }
  SUBCASE("a route prefix is kept and the query dropped") {
    const auto u = readiness_url(parse_url("http://h:9090/prom/-/reload?a=1").value());
    CHECK(u.target == "/prom/-/ready");
  }
  SUBCASE("any other path falls back to the root") {
    CHECK(readiness_url(parse_url("http://h:9090/custom/hook").value()).target == "/-/ready");
  }
}

TEST_CASE("endpoint_url points at another endpoint of the same Prometheus") {
  CHECK(endpoint_url(parse_url("http://h:9090/-/reload").value(), "/api/v1/status/buildinfo")
            .to_string() == "http://h:9090/api/v1/status/buildinfo");
  CHECK(endpoint_url(parse_url("http://h:9090/prom/-/reload?x=1").value(), "/api/v1/features")
            .target == "/prom/api/v1/features");
  CHECK(endpoint_url(parse_url("http://[::1]:9090/hook").value(), "/api/v1/status/flags")
            .to_string() == "http://[::1]:9090/api/v1/status/flags");
}
