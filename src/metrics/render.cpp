#include "metrics/render.hpp"

#include <prometheus/text_serializer.h>

namespace promwatch::metrics {

std::string render_metrics(const prometheus::Registry& registry) {
  return prometheus::TextSerializer{}.Serialize(registry.Collect());
}

}  // namespace promwatch::metrics
