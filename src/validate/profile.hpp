#pragma once
#include <compare>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>

namespace promwatch::validate {

/// A Prometheus release line, `major.minor`; patch releases never change what is valid.
struct prometheus_version {
  int major = 2;
  int minor = 42;
  friend auto operator<=>(const prometheus_version&, const prometheus_version&) = default;
};

/// The oldest and newest versions whose rules promwatch knows (see docs/validation-profiles.md).
inline constexpr prometheus_version oldest_known_version{2, 42};
inline constexpr prometheus_version newest_known_version{3, 14};

/// "3.5" from "3.5", "3.5.3", "v3.5.0", "2.42.0+ds", "3.14.0-rc.1"; nullopt when it is not a
/// version at all. Versions outside the known range are returned as they are.
std::optional<prometheus_version> parse_version(std::string_view text);
/// "3.5".
std::string to_string(prometheus_version v);

/// How metric and label names are checked (prometheus/common model.ValidationScheme).
enum class name_scheme { legacy, utf8 };

/// Whose verdict a profile reproduces. A sidecar follows the server (it decides the reload);
/// `promwatch check` follows promtool, which differs: promtool 3.x checks names as UTF-8 whatever
/// the config says, and older promtools cannot turn on some parser features the server can.
enum class judge { server, promtool };

/// Everything that makes a file valid for one Prometheus: its version, the `--enable-feature`
/// flags it runs with and the name-validation scheme. Every validator takes one. The default
/// profile is Prometheus 2.42 with no features and legacy names, exactly the historic behaviour.
struct profile {
  prometheus_version version{};
  judge by = judge::server;
  /// `--enable-feature` values as given (kingpin joins repeated flags with ',').
  std::set<std::string, std::less<>> features;
  name_scheme names = name_scheme::legacy;

  /// Parser options, derived from version and features by make_profile (PromQL parser.Options).
  bool experimental_functions = false;
  bool duration_expr = false;
  bool extended_range_selectors = false;
  bool binop_fill_modifiers = false;

  /// What a 3.9+ target's `/api/v1/features` said: category -> name -> enabled. When a
  /// category is present it is the authority for the names it covers; tables are the fallback.
  std::map<std::string, std::map<std::string, bool, std::less<>>, std::less<>> features_api;

  /// The target runs a version newer than newest_known_version: findings that only mean "this
  /// promwatch does not know it" (unknown field, function, discovery) are warnings, not errors.
  bool newer_than_known = false;

  bool at_least(int major, int minor) const { return version >= prometheus_version{major, minor}; }
  bool has_feature(std::string_view name) const { return features.find(name) != features.end(); }
  /// The features API entry, when the target gave one: nullopt means "use the tables".
  std::optional<bool> feature_api(std::string_view category, std::string_view name) const;
};

/// The profile of a Prometheus server (judge::server) or promtool (judge::promtool) of
/// `version` run with `features`. `names` is the server's scheme (from prometheus.yml; nullopt:
/// the version's default, UTF-8 from 3.0). Versions above newest_known_version are clamped to it
/// and flagged newer_than_known; versions below oldest_known_version are clamped up.
profile make_profile(prometheus_version version, judge by,
                     std::set<std::string, std::less<>> features,
                     std::optional<name_scheme> names = std::nullopt);

/// Parses a comma-separated `--enable-feature` value (empty items dropped, spaces trimmed).
std::set<std::string, std::less<>> parse_feature_list(std::string_view text);

/// "Prometheus 3.5 (promtool; features: promql-experimental-functions; names: utf8)".
std::string describe(const profile& p);

/// Where a profile came from, for /status, the startup log and the info metric.
enum class profile_source { target, flag, fallback };
std::string_view to_string(profile_source s);

}  // namespace promwatch::validate
