#include "core/logger.hpp"

#include <sstream>

#include <doctest/doctest.h>

using namespace promwatch::core;

TEST_CASE("logfmt lines quote only values that need it") {
  std::ostringstream out;
  logger log(out, log_format::logfmt, log_level::info, [] { return std::string("T"); });
  log.info("reload done", {{"url", "http://127.0.0.1:9090/-/reload"}, {"attempts", 2}});
  CHECK(out.str() ==
        "ts=T level=info msg=\"reload done\" url=http://127.0.0.1:9090/-/reload attempts=2\n");
}

TEST_CASE("json lines escape strings and keep numbers bare") {
  std::ostringstream out;
  logger log(out, log_format::json, log_level::debug, [] { return std::string("T"); });
  log.error("bad \"file\"", {{"line", 3}, {"ok", false}, {"msg2", "a\nb"}});
  CHECK(out.str() ==
        "{\"ts\":\"T\",\"level\":\"error\",\"msg\":\"bad \\\"file\\\"\",\"line\":3,\"ok\":false,"
        "\"msg2\":\"a\\nb\"}\n");
}

TEST_CASE("records below the minimum level are dropped") {
  std::ostringstream out;
  logger log(out, log_format::logfmt, log_level::warn);
  log.info("hidden");
  log.debug("hidden");
  CHECK(out.str().empty());
  log.warn("shown");
  CHECK(out.str().find("msg=shown") != std::string::npos);
}
