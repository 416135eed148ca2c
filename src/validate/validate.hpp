#pragma once
#include <cstddef>
#include <string_view>

#include "core/diagnostic.hpp"
#include "core/file_kind.hpp"

namespace promwatch::validate {

/// Bounds that keep validation safe on hostile input; exceeding one is a diagnostic.
struct limits {
  std::size_t max_file_bytes = 16 * 1024 * 1024;
  int max_depth = 100;                       // YAML/JSON nesting and PromQL/template nesting
  std::size_t max_alias_expansion = 100000;  // nodes reachable through YAML aliases
};

/// What validating one file found. Never throws: every problem is a diagnostic with the
/// file's path, 1-based line and column, and a message a user understands.
struct report {
  core::diagnostics errors;
  std::size_t rule_count = 0;          // rules files
  std::size_t target_group_count = 0;  // file_sd files
  bool ok() const { return errors.empty(); }
};

/// A rule file, as `promtool check rules` judges it (Prometheus 2.42 rulefmt).
report check_rules(std::string_view path, std::string_view content, const limits& = {});
/// A file_sd target file; the parser is chosen by the extension, as Prometheus does.
report check_file_sd(std::string_view path, std::string_view content, const limits& = {});
/// The main prometheus.yml on its own (referenced files are checked separately).
report check_config(std::string_view path, std::string_view content, const limits& = {});
/// A file listed in `scrape_config_files`.
report check_scrape_config(std::string_view path, std::string_view content, const limits& = {});

/// Puts errors about the file as a whole (too large, wrong extension, not YAML at all) at
/// 1:1, so every diagnostic reads `file:line:col: message`. Used by every check_* above.
report place_file_level_errors(report r);

/// Dispatches on kind; `other` is always valid.
report check(core::file_kind kind, std::string_view path, std::string_view content,
             const limits& = {});

}  // namespace promwatch::validate
