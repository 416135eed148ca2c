#pragma once
#include <string>
#include <string_view>
#include <vector>

namespace promwatch::validate::config {

/// Files a prometheus.yml makes Prometheus read, as written in it: globs relative to the
/// config file's directory unless absolute. Used to classify watched files.
struct referenced {
  std::vector<std::string> rule_files;
  /// Only honoured by Prometheus >= 2.43; a 2.42 config using it is invalid, but the
  /// globs are still reported so the files are watched once it is fixed.
  std::vector<std::string> scrape_config_files;
  std::vector<std::string> file_sd_files;  // every scrape job's file_sd_configs[].files
};

/// Best effort: collects what it can from `content` and ignores anything malformed
/// (check_config reports that). Pure; never throws.
referenced referenced_files(std::string_view content);

/// Go filepath.Match pattern syntax (what Prometheus globs rule files with): false for
/// `syntax error in pattern` (an unclosed `[`, a trailing `\`, an empty class…).
bool is_valid_glob(std::string_view pattern);

}  // namespace promwatch::validate::config
