#pragma once
#include <ostream>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "validate/profile.hpp"

namespace promwatch::cli {

/// `promwatch check rules|file-sd|config FILE...`, shaped like promtool's output:
/// `Checking FILE` and `  SUCCESS: …` on `out`; `  FAILED:` and one `FILE:LINE:COL: message`
/// line per error on `err`. For `config`, the rule files the config references (globs
/// relative to the config's directory) are checked too once the config itself is valid.
/// Returns 0 when every file is valid, 1 when one is not (or cannot be read), 2 on a usage
/// error (unknown kind, no files). Files are judged as `profile` says (the command line passes
/// promtool of `--prometheus-version`; the default is the historic 2.42). Warnings do not fail
/// a file; they are printed to `err` as `  WARNING: FILE:LINE:COL: message`. Never throws.
int run_check(std::string_view what, std::span<const std::string> files, std::ostream& out,
              std::ostream& err, const validate::profile& profile = {});

/// The rule files a config's `rule_files` globs name, resolved against the config's
/// directory and expanded on the filesystem (patterns with no match yield nothing, as in
/// Prometheus). Returns an empty list when the config cannot be read as YAML.
std::vector<std::string> resolve_rule_files(std::string_view config_path,
                                            std::string_view config_content);

}  // namespace promwatch::cli
