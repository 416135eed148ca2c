#include "validate/config/go_syntax.hpp"

#include <doctest/doctest.h>

namespace c = promwatch::validate::config;

TEST_CASE("base64_decode is encoding/base64 StdEncoding") {
  CHECK(c::base64_decode("/w==") == std::string("\xff"));
  CHECK(c::base64_decode("YWJj") == std::string("abc"));
  CHECK(c::base64_decode("YW\nJj") == std::string("abc"));
  CHECK(c::base64_decode("YWI=") == std::string("ab"));
  CHECK_FALSE(c::base64_decode("/w==$1"));
  CHECK_FALSE(c::base64_decode("YWJ"));
  CHECK_FALSE(c::base64_decode("Y=Jj"));
  CHECK_FALSE(c::base64_decode("YW=j"));
}

TEST_CASE("go_url_parses rejects what url.Parse rejects") {
  CHECK(c::go_url_parses("https://api.example.com"));
  CHECK(c::go_url_parses("relative/path"));
  CHECK_FALSE(c::go_url_parses("://invalid"));
  CHECK_FALSE(c::go_url_parses("http://a/%zz"));
  CHECK_FALSE(c::go_url_parses("http://a/\x01"));
}

TEST_CASE("kubernetes selectors") {
  CHECK(c::field_selector_ok("metadata.name=foo"));
  CHECK(c::field_selector_ok("status.phase!=Running,spec.nodeName==n"));
  CHECK_FALSE(c::field_selector_ok("metadata.status-Running"));
  CHECK(c::label_selector_ok("app=web"));
  CHECK(c::label_selector_ok("app in (a, b),!legacy,tier"));
  CHECK_FALSE(c::label_selector_ok("app=web=x"));
}

TEST_CASE("uuid_ok is google/uuid Parse") {
  CHECK(c::uuid_ok("00000000-0000-0000-0000-000000000000"));
  CHECK(c::uuid_ok("{00000000-0000-0000-0000-000000000000}"));
  CHECK(c::uuid_ok("urn:uuid:00000000-0000-0000-0000-000000000000"));
  CHECK(c::uuid_ok("00000000000000000000000000000000"));
  CHECK_FALSE(c::uuid_ok("nope"));
  CHECK_FALSE(c::uuid_ok("00000000-0000-0000-0000-00000000000g"));
}
