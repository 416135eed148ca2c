#include "server/listen_address.hpp"

#include <string>

#include <doctest/doctest.h>

using promwatch::server::parse_listen_address;

namespace {

std::string parsed(std::string_view s) {
  const auto r = parse_listen_address(s);
  REQUIRE_MESSAGE(r.has_value(), r.error().message);
  return promwatch::server::to_string(*r);
}

}  // namespace

TEST_CASE("listen addresses with an IP, an empty host or localhost parse without lookups") {
  CHECK(parsed(":9533") == "0.0.0.0:9533");
  CHECK(parsed("127.0.0.1:0") == "127.0.0.1:0");
  CHECK(parsed("0.0.0.0:65535") == "0.0.0.0:65535");
  CHECK(parsed("[::1]:9533") == "[::1]:9533");
  CHECK(parsed("[::]:9533") == "[::]:9533");
  CHECK(parsed("localhost:9533") == "127.0.0.1:9533");
}

TEST_CASE("bad listen addresses are errors that quote the flag value") {
  for (const char* bad :
       {"", "9533", ":", ":http", ":65536", ":-1", ":95 33", "127.0.0.1:", "example.com:9533",
        "::1:9533", "[::1]", "[::1:9533", "[127.0.0.1]:9533", "1.2.3:9533", "127.0.0.1:9533x"}) {
    CAPTURE(bad);
    const auto r = parse_listen_address(bad);
    REQUIRE(r.has_error());
    CHECK(r.error().message.find("--listen-address \"" + std::string(bad) + "\"") !=
          std::string::npos);
  }
}
