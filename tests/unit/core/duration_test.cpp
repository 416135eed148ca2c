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

TEST_CASE("flag durations are bounded so no time_point overflows (issue 8, #20)") {
  using promwatch::core::max_flag_duration;
  using promwatch::core::parse_flag_duration;
  CHECK(parse_flag_duration("30s").value() == 30s);
  CHECK(parse_flag_duration("0").value() == 0ms);
  CHECK(parse_flag_duration("1y").value() == max_flag_duration);
  CHECK(parse_flag_duration("52w1d").value() == max_flag_duration);
  for (const auto* too_long : {"300y", "1y1ms", "53w", "366d", "9000000h"}) {
    CAPTURE(too_long);
    const auto r = parse_flag_duration(too_long);
    REQUIRE(r.has_error());
    CHECK(r.error().message.find("out of range") != std::string::npos);
    CHECK(r.error().message.find('"' + std::string(too_long) + '"') != std::string::npos);
  }
  CHECK(parse_flag_duration("1x").has_error());
  // Every accepted flag duration can be added to a clock's now() without overflow.
  const auto far = std::chrono::steady_clock::now() + parse_flag_duration("1y").value();
  CHECK(far > std::chrono::steady_clock::now());
  // Rule files keep Prometheus' own range.
  CHECK(parse_duration("300y").has_value());
}
