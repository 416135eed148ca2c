#pragma once
#include <chrono>
#include <filesystem>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.hpp"
#include "core/logger.hpp"

namespace promwatch::cli {

enum class watch_backend { auto_select, inotify, poll };

/// Everything `promwatch run` needs, parsed and validated once; components get it by const&.
struct run_options {
  std::filesystem::path config_file = "/etc/prometheus/prometheus.yml";
  std::vector<std::filesystem::path> watch_dirs;  // the config file's directory is added too
  std::vector<std::string> reload_urls{"http://127.0.0.1:9090/-/reload"};
  /// Publish mode when set: validated files are written here (atomic `..data` swap) and
  /// Prometheus reads its config from here, so it never sees an invalid file.
  std::filesystem::path output_dir;
  std::string listen_address = ":9533";
  std::chrono::milliseconds debounce{250};
  std::chrono::milliseconds debounce_max{2000};
  std::chrono::milliseconds resync_interval{180000};
  std::chrono::milliseconds reload_timeout{30000};
  std::chrono::milliseconds poll_interval{1000};
  watch_backend backend = watch_backend::auto_select;
  bool reload_on_start = true;
  core::log_format log_format = core::log_format::logfmt;
  core::log_level log_level = core::log_level::info;
};

enum class command { run, check, healthcheck, version, help };

struct parsed_command_line {
  command cmd = command::run;
  run_options run;
  std::string check_kind;                // rules | file-sd | config
  std::vector<std::string> check_files;  // for `check`
  std::string healthcheck_url = "http://127.0.0.1:9533/healthz";
  std::chrono::milliseconds healthcheck_timeout{2000};
};

/// Parses argv (without the program name). Every problem is reported at once, each naming
/// the flag, in one error message (one problem per line); the caller exits with code 2.
core::result<parsed_command_line> parse_command_line(std::span<const std::string_view> args);

/// The `--help` text.
std::string usage();

}  // namespace promwatch::cli
