#pragma once
#include <string>
#include <string_view>
#include <vector>

#include "validate/validate.hpp"

namespace promwatch::validate::config {

/// A file a prometheus.yml names, as written (relative to the config file's directory unless
/// absolute), with the position of the value that names it.
struct file_reference {
  enum class what { rule_glob, scrape_config_glob, credential, ca, cert, key };
  std::string path;
  what kind = what::credential;
  int line = 0;
  int column = 0;
};

/// The files a config references, as Prometheus and promtool look at them: every file a
/// `scrape_config_files` glob matches is read and checked as a scrape config file, its job
/// names unique together with `job_names` (the main file's) — both judges, as Prometheus
/// reads them at load. For a promtool profile, rule files and the scrape configs' credential,
/// certificate and key files must also exist (promtool's checkConfig). The only part of the
/// config validator that touches the filesystem (plain, blocking calls: validation already
/// runs off the event loop). Never throws.
report check_referenced_files(std::string_view config_path, const std::vector<file_reference>& refs,
                              const limits& lim, const profile& prof,
                              std::vector<std::string> job_names);

}  // namespace promwatch::validate::config
