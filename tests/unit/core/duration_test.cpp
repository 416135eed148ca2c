#include "core/duration.hpp"

#include <doctest/doctest.h>

using namespace std::chrono_literals;
using promwatch::core::format_duration;
using promwatch::core::parse_duration;

TEST_CASE("durations parse as Prometheus does") {
  CHECK(parse_duration("0").value() == 0ms);
  CHECK(parse_duration("250ms").value() == 250ms);
  CHECK(parse_duration("3m").value() == 3min);
  CHECK(parse_duration("1h30m").value() == 90min);
  CHECK(parse_duration("1d").value() == 24h);
  CHECK(parse_duration("1w").value() == 7 * 24h);
  CHECK(parse_duration("1y").value() == 365 * 24h);
  CHECK(parse_duration("1m30s500ms").value() == 90500ms);
}

TEST_CASE("malformed durations are rejected with the input in the message") {
  for (const auto* bad : {"", "1", "m", "1x", "1s1m", "1m1m", "-1s", "1.5s", " 1s", "1S"}) {
    CAPTURE(bad);
    const auto r = parse_duration(bad);
    REQUIRE(r.has_error());
    CHECK(r.error().message.find('"' + std::string(bad) + '"') != std::string::npos);
  }
  CHECK(parse_duration("99999999999999999999y").has_error());
}

TEST_CASE("durations format in Prometheus' style") {
  CHECK(format_duration(0ms) == "0s");
  CHECK(format_duration(250ms) == "250ms");
  CHECK(format_duration(90min) == "1h30m");
  CHECK(format_duration(2s) == "2s");
}
