#include "metrics/render.hpp"

#include <doctest/doctest.h>
#include <prometheus/counter.h>
#include <prometheus/registry.h>

#include "metrics/metrics.hpp"

TEST_CASE("render_metrics writes a registry's counter in the text format") {
  prometheus::Registry registry;
  auto& family = prometheus::BuildCounter()
                     .Name("reloader_reloads_total")
                     .Help("Total number of reload requests.")
                     .Register(registry);
  family.Add({}).Increment(3);

  const std::string text = promwatch::metrics::render_metrics(registry);
  CHECK(text.find("# HELP reloader_reloads_total Total number of reload requests.\n") !=
        std::string::npos);
  CHECK(text.find("# TYPE reloader_reloads_total counter\n") != std::string::npos);
  CHECK(text.find("reloader_reloads_total 3") != std::string::npos);
}

TEST_CASE("render_metrics of an empty registry is empty") {
  prometheus::Registry registry;
  CHECK(promwatch::metrics::render_metrics(registry).empty());
}

TEST_CASE("the validation profile info keeps one series per target") {
  prometheus::Registry registry;
  promwatch::metrics::metrics m(registry);
  m.set_validation_profile("http://a/-/reload", "2.53", "", "legacy", "target");
  m.set_validation_profile("http://b/-/reload", "3.14", "", "utf8", "default");
  m.set_validation_profile("http://a/-/reload", "3.5", "promql-experimental-functions", "utf8",
                           "target");
  const std::string text = promwatch::metrics::render_metrics(registry);
  CHECK(text.find("promwatch_validation_profile_info{features=\"promql-experimental-functions\","
                  "names=\"utf8\",source=\"target\",target=\"http://a/-/reload\",version=\"3.5\"} "
                  "1") != std::string::npos);
  CHECK(text.find("version=\"2.53\"") == std::string::npos);
  CHECK(text.find("source=\"default\",target=\"http://b/-/reload\",version=\"3.14\"} 1") !=
        std::string::npos);
}
