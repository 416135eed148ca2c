#pragma once
#include <chrono>
#include <filesystem>
#include <optional>
#include <set>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.hpp"
#include "core/logger.hpp"
#include "validate/profile.hpp"

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
  /// `--prometheus-version=X.Y`; nullopt is `auto`: every reload target is asked.
  std::optional<validate::prometheus_version> prometheus_version;
  /// `--enable-feature` values when the flag was given at all; they replace the target's.
  std::optional<std::set<std::string, std::less<>>> enable_features;
  /// How often a target that answered is asked again for its version and flags (a restart
  /// with another version shows up within this); every reload outcome asks at once too.
  std::chrono::milliseconds profile_refresh{std::chrono::seconds(30)};
};

enum class command { run, check, healthcheck, version, help };

struct parsed_command_line {
  command cmd = command::run;
  run_options run;
  std::string check_kind;                // rules | file-sd | config
  std::vector<std::string> check_files;  // for `check`
  /// For `check`: promtool of `--prometheus-version` (default the newest known) with
  /// `--enable-feature`.
  validate::profile check_profile =
      validate::make_profile(validate::newest_known_version, validate::judge::promtool, {});
  std::string healthcheck_url = "http://127.0.0.1:9533/healthz";
  std::chrono::milliseconds healthcheck_timeout{2000};
};

/// Parses argv (without the program name). Every problem is reported at once, each naming
/// the flag, in one error message (one problem per line); the caller exits with code 2.
core::result<parsed_command_line> parse_command_line(std::span<const std::string_view> args);

/// `--prometheus-version`: "auto" (nullopt; only where `allow_auto`) or a release line such as
/// "3.5" or "3.5.3". Versions older than validate::oldest_known_version are an error; newer
/// ones than the newest known are kept (the profile marks them newer_than_known).
core::result<std::optional<validate::prometheus_version>> parse_version_flag(std::string_view text,
                                                                             bool allow_auto);

/// The `--help` text.
std::string usage();

}  // namespace promwatch::cli
