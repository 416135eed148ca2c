#pragma once
#include <string>

#include <prometheus/registry.h>

namespace promwatch::metrics {

/// The registry's current values in the Prometheus text exposition format 0.0.4, as served
/// on `/metrics`. Collects under the registry's own lock, so it is safe from any thread;
/// cost grows with the number of series, which for promwatch is small.
std::string render_metrics(const prometheus::Registry& registry);

}  // namespace promwatch::metrics
