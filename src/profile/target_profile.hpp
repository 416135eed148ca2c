#pragma once
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "core/diagnostic.hpp"
#include "core/error.hpp"
#include "validate/profile.hpp"

namespace promwatch::profile {

using feature_set = std::set<std::string, std::less<>>;
using features_map = decltype(validate::profile::features_api);

/// What a running Prometheus said about itself.
struct target_facts {
  std::string version_text;  ///< as buildinfo gave it, e.g. "3.5.3+ds1"
  validate::prometheus_version version;
  feature_set features;  ///< its `--enable-feature` values
  /// `/api/v1/features` (3.9+); empty when the target has none.
  features_map features_api;
  friend bool operator==(const target_facts&, const target_facts&) = default;
};

/// The version text of a `/api/v1/status/buildinfo` answer (`data.version`). Errors name
/// what is wrong (not JSON, `status` not "success", no version).
core::result<std::string> parse_buildinfo(std::string_view body);
/// The `enable-feature` value of a `/api/v1/status/flags` answer, split at commas (kingpin
/// joins repeated flags with ','); an absent flag means none.
core::result<feature_set> parse_flags(std::string_view body);
/// A `/api/v1/features` answer: `data` is category -> name -> bool. Non-boolean entries are
/// skipped (absent means false, as the API documents).
core::result<features_map> parse_features(std::string_view body);
/// `/api/v1/features` exists from 3.9 on; older targets are not asked.
bool has_features_api(validate::prometheus_version v);

/// `global.metric_name_validation_scheme` of a prometheus.yml as the server reads it:
/// "legacy" or "utf8"; nullopt when unset, empty, unreadable or unrecognised (the config
/// validator reports the latter), which means the version's default.
std::optional<validate::name_scheme> read_name_scheme(std::string_view config_text);

/// What the command line pins; unset parts follow the target.
struct pins {
  std::optional<validate::prometheus_version> version;  ///< `--prometheus-version=X.Y`
  std::optional<feature_set> features;                  ///< `--enable-feature`
};

/// The profile one target is validated with, and where it came from.
struct chosen {
  validate::profile profile;
  validate::profile_source source = validate::profile_source::fallback;
  friend bool operator==(const chosen& a, const chosen& b) {
    return a.source == b.source && same_profile(a.profile, b.profile);
  }
  static bool same_profile(const validate::profile& a, const validate::profile& b);
};

/// The server profile for one target. A pinned version makes the whole profile come from the
/// flags (`source` flag; the target's answer is not used). Otherwise the target's version and
/// flags are used (`target`), with `--enable-feature` replacing its features when given
/// (`flag`; the features API is then dropped, it describes other flags). Without an answer
/// yet: the newest known version with the pinned features or none (`fallback`, or `flag`
/// when features were pinned). `names` is the config's scheme (read_name_scheme).
chosen choose(const pins& p, const std::optional<target_facts>& facts,
              std::optional<validate::name_scheme> names);

/// A short name of the profile for messages and labels: "Prometheus 3.5".
std::string label(const validate::profile& p);
/// The comma-joined features, for labels and /status.
std::string features_text(const validate::profile& p);

/// The distinct profiles of several targets, in first-seen order: a file is checked once per
/// distinct profile, never once per target.
std::vector<validate::profile> distinct(const std::vector<chosen>& per_target);
/// One text that changes whenever any target's profile or source changes; cached validation
/// results are only reused under the same key.
std::string key_of(const std::vector<chosen>& per_target);

/// The findings of one file under each distinct profile, merged: an error found under several
/// profiles is reported once, and each message ends with the profiles that found it, e.g.
/// ` (Prometheus 2.42)` or ` (Prometheus 2.42, Prometheus 3.5)`, so a user sees which
/// target's version objects. `found[i]` belongs to `profiles[i]`.
core::diagnostics merge_findings(const std::vector<validate::profile>& profiles,
                                 const std::vector<core::diagnostics>& found);

}  // namespace promwatch::profile
