#pragma once
#include <map>
#include <string>
#include <string_view>

#include <prometheus/counter.h>
#include <prometheus/family.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>

#include "core/file_kind.hpp"

namespace promwatch::metrics {

/// Every metric promwatch exports, registered once on a registry the caller owns.
/// The `reloader_*` names match thanos' and prometheus-operator's reloaders so existing
/// alerts keep working; `promwatch_*` are ours. Components get a reference to this struct
/// and update it from the loop's thread.
struct metrics {
  explicit metrics(prometheus::Registry& registry);

  // Reloads (per reload target, the thanos reloader counts a reload once per change applied).
  prometheus::Counter& reloads_total;
  prometheus::Counter& reloads_failed_total;
  prometheus::Gauge& last_reload_successful;
  prometheus::Gauge& last_reload_success_timestamp_seconds;
  prometheus::Histogram& reload_duration_seconds;

  // Applying a change (validate + reload), one per change that needed applying.
  prometheus::Counter& config_apply_operations_total;
  prometheus::Counter& config_apply_operations_failed_total;

  // Watching.
  prometheus::Gauge& watches;
  prometheus::Family<prometheus::Counter>& watch_events_total;  // {kind}
  prometheus::Counter& watch_errors_total;

  // Validation and changes.
  prometheus::Family<prometheus::Counter>& validation_failures_total;  // {kind}
  prometheus::Counter& changes_skipped_total;
  prometheus::Gauge& pending_changes;
  prometheus::Family<prometheus::Gauge>& config_hash_info;  // {sha256}, set to 1
  prometheus::Family<prometheus::Gauge>& build_info;        // {version}
  /// {target, version, features, names, source}, one series per reload target, set to 1.
  prometheus::Family<prometheus::Gauge>& validation_profile_info;

  prometheus::Counter& validation_failures(core::file_kind kind);
  prometheus::Counter& watch_events(std::string_view kind);
  /// Replaces the config hash series so exactly one is present.
  void set_applied_hash(std::string_view sha256_hex);
  /// Replaces the profile series of `target` (a reload URL) so exactly one is present.
  void set_validation_profile(const std::string& target, const std::string& version,
                              const std::string& features, const std::string& names,
                              const std::string& source);

 private:
  prometheus::Gauge* applied_hash_ = nullptr;
  std::map<std::string, prometheus::Gauge*> profile_series_;
};

}  // namespace promwatch::metrics
