#pragma once
#include <string>
#include <string_view>
#include <vector>

#include "core/error.hpp"

namespace promwatch::snapshot {

/// The file patterns a prometheus.yml points at, exactly as written (relative paths are
/// relative to the config file's directory, as Prometheus resolves them).
struct config_refs {
  std::vector<std::string> rule_files;
  std::vector<std::string> scrape_config_files;
  std::vector<std::string> file_sd_files;
};

/// Reads only the references out of a prometheus.yml. Lenient on purpose: structure is
/// validate/'s job; this only has to find the files to watch and classify. A YAML syntax
/// error is an error value.
core::result<config_refs> read_config_refs(std::string_view content);

}  // namespace promwatch::snapshot
