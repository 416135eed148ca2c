#pragma once
#include <string>
#include <string_view>
#include <vector>

#include "core/error.hpp"

namespace promwatch::snapshot {

/// The file patterns a prometheus.yml points at, exactly as written (relative paths are
/// relative to the config file's directory, as Prometheus resolves them).
/// A reference written as an absolute path, with where it is written (1-based): publish
/// mode refuses those, since Prometheus would read them from the source, not the output dir.
struct absolute_reference {
  std::string field;  ///< `rule_files`, `scrape_config_files` or `file_sd_configs files`
  std::string pattern;
  int line = 0;
  int column = 0;

  friend bool operator==(const absolute_reference&, const absolute_reference&) = default;
};

struct config_refs {
  std::vector<std::string> rule_files;
  std::vector<std::string> scrape_config_files;
  std::vector<std::string> file_sd_files;
  std::vector<absolute_reference> absolute;  ///< the absolute ones among all three, in order
};

/// Reads only the references out of a prometheus.yml. Lenient on purpose: structure is
/// validate/'s job; this only has to find the files to watch and classify. A YAML syntax
/// error is an error value.
core::result<config_refs> read_config_refs(std::string_view content);

}  // namespace promwatch::snapshot
