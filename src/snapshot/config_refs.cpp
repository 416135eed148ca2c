#include "snapshot/config_refs.hpp"

#include <yaml-cpp/yaml.h>

namespace promwatch::snapshot {
namespace {

void append_strings(const YAML::Node& node, std::vector<std::string>& out, std::string_view field,
                    std::vector<absolute_reference>& absolute) {
  if (!node || !node.IsSequence()) return;
  for (const auto& item : node) {
    if (!item.IsScalar()) continue;
    out.push_back(item.Scalar());
    if (item.Scalar().starts_with('/')) {
      const auto m = item.Mark();
      absolute.push_back({std::string(field), item.Scalar(), m.line + 1, m.column + 1});
    }
  }
}

void append_file_sd(const YAML::Node& scrape_configs, std::vector<std::string>& out,
                    std::vector<absolute_reference>& absolute) {
  if (!scrape_configs || !scrape_configs.IsSequence()) return;
  for (const auto& sc : scrape_configs) {
    if (!sc.IsMap()) continue;
    const auto sds = sc["file_sd_configs"];
    if (!sds || !sds.IsSequence()) continue;
    for (const auto& sd : sds) {
      if (sd.IsMap()) append_strings(sd["files"], out, "file_sd_configs files", absolute);
    }
  }
}

}  // namespace

core::result<config_refs> read_config_refs(std::string_view content) {
  try {
    const YAML::Node root = YAML::Load(std::string(content));
    config_refs refs;
    if (!root || root.IsNull()) return refs;
    if (!root.IsMap()) return core::error{"the config is not a YAML mapping"};
    append_strings(root["rule_files"], refs.rule_files, "rule_files", refs.absolute);
    append_strings(root["scrape_config_files"], refs.scrape_config_files, "scrape_config_files",
                   refs.absolute);
    append_file_sd(root["scrape_configs"], refs.file_sd_files, refs.absolute);
    return refs;
  } catch (const YAML::Exception& e) {
    return core::error{e.what()};
  }
}

}  // namespace promwatch::snapshot
