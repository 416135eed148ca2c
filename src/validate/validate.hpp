#pragma once
#include <cstddef>
#include <string_view>

#include "core/diagnostic.hpp"
#include "core/file_kind.hpp"
#include "validate/profile.hpp"

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
  /// Findings that do not block: lint-like notes and, for a target newer than this promwatch
  /// (profile::newer_than_known), the "unknown field/function" findings it cannot judge.
  core::diagnostics warnings;
  std::size_t rule_count = 0;          // rules files
  std::size_t target_group_count = 0;  // file_sd files
  bool ok() const { return errors.empty(); }
};

/// A rule file, as Prometheus of the profile's version judges it (rulefmt, PromQL, templates).
report check_rules(std::string_view path, std::string_view content, const limits& = {},
                   const profile& = {});
/// A file_sd target file; the parser is chosen by the extension, as Prometheus does.
report check_file_sd(std::string_view path, std::string_view content, const limits& = {},
                     const profile& = {});
/// The main prometheus.yml on its own (referenced files are checked separately).
report check_config(std::string_view path, std::string_view content, const limits& = {},
                    const profile& = {});
/// A file listed in `scrape_config_files`.
report check_scrape_config(std::string_view path, std::string_view content, const limits& = {},
                           const profile& = {});

/// Puts errors about the file as a whole (too large, wrong extension, not YAML at all) at
/// 1:1, so every diagnostic reads `file:line:col: message`. Used by every check_* above.
report place_file_level_errors(report r);

/// Dispatches on kind; `other` is always valid.
report check(core::file_kind kind, std::string_view path, std::string_view content,
             const limits& = {}, const profile& = {});

}  // namespace promwatch::validate
