#include "metrics/render.hpp"

#include <doctest/doctest.h>
#include <prometheus/counter.h>
#include <prometheus/registry.h>

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
