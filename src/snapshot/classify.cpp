#include "snapshot/classify.hpp"

#include <string>

#include <yaml-cpp/yaml.h>

namespace promwatch::snapshot {

core::file_kind classify_by_content(std::string_view path, std::string_view content) {
  const bool yaml_like =
      path.ends_with(".yml") || path.ends_with(".yaml") || path.ends_with(".json");
  if (!yaml_like) return core::file_kind::other;
  try {
    const YAML::Node root = YAML::Load(std::string(content));
    if (root.IsMap() && root["groups"]) return core::file_kind::rules;
    if (root.IsSequence() && root.size() > 0 && root[0].IsMap() && root[0]["targets"]) {
      return core::file_kind::file_sd;
    }
  } catch (const YAML::Exception&) {
    // Unparseable and unreferenced: nothing tells us what it is meant to be.
  }
  return core::file_kind::other;
}

}  // namespace promwatch::snapshot
