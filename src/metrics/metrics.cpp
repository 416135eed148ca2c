#include "metrics/metrics.hpp"

#include <string>

namespace promwatch::metrics {
namespace {

template <typename T>
T& single(prometheus::Family<T>& family) {
  return family.Add({});
}

prometheus::Histogram::BucketBoundaries reload_buckets() {
  // From a fast in-memory reload (ms) to Prometheus replaying a large rule set (tens of s).
  return {0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60};
}

}  // namespace

metrics::metrics(prometheus::Registry& r)
    : reloads_total(single(prometheus::BuildCounter()
                               .Name("reloader_reloads_total")
                               .Help("Total number of reload requests.")
                               .Register(r))),
      reloads_failed_total(single(prometheus::BuildCounter()
                                      .Name("reloader_reloads_failed_total")
                                      .Help("Total number of reload requests that failed.")
                                      .Register(r))),
      last_reload_successful(single(prometheus::BuildGauge()
                                        .Name("reloader_last_reload_successful")
                                        .Help("Whether the last reload attempt was successful.")
                                        .Register(r))),
      last_reload_success_timestamp_seconds(
          single(prometheus::BuildGauge()
                     .Name("reloader_last_reload_success_timestamp_seconds")
                     .Help("Timestamp of the last successful reload.")
                     .Register(r))),
      reload_duration_seconds(prometheus::BuildHistogram()
                                  .Name("promwatch_reload_duration_seconds")
                                  .Help("Duration of reload requests, including retries.")
                                  .Register(r)
                                  .Add({}, reload_buckets())),
      config_apply_operations_total(single(prometheus::BuildCounter()
                                               .Name("reloader_config_apply_operations_total")
                                               .Help("Total number of config apply operations.")
                                               .Register(r))),
      config_apply_operations_failed_total(
          single(prometheus::BuildCounter()
                     .Name("reloader_config_apply_operations_failed_total")
                     .Help("Total number of config apply operations that failed.")
                     .Register(r))),
      watches(single(prometheus::BuildGauge()
                         .Name("reloader_watches")
                         .Help("Number of resources watched by the reloader.")
                         .Register(r))),
      watch_events_total(
          prometheus::BuildCounter()
              .Name("reloader_watch_events_total")
              .Help("Total number of events received by the reloader from the watcher.")
              .Register(r)),
      watch_errors_total(
          single(prometheus::BuildCounter()
                     .Name("reloader_watch_errors_total")
                     .Help("Total number of errors received by the reloader from the watcher.")
                     .Register(r))),
      validation_failures_total(prometheus::BuildCounter()
                                    .Name("promwatch_validation_failures_total")
                                    .Help("Changes rejected by validation, by file kind.")
                                    .Register(r)),
      changes_skipped_total(single(prometheus::BuildCounter()
                                       .Name("promwatch_changes_skipped_total")
                                       .Help("Changes that left the content Prometheus loads "
                                             "unchanged (touch, chmod, resync).")
                                       .Register(r))),
      pending_changes(single(prometheus::BuildGauge()
                                 .Name("promwatch_pending_changes")
                                 .Help("1 while a validated change waits to be applied.")
                                 .Register(r))),
      config_hash_info(
          prometheus::BuildGauge()
              .Name("promwatch_applied_config_hash_info")
              .Help("SHA-256 of the configuration Prometheus last loaded through promwatch.")
              .Register(r)),
      build_info(prometheus::BuildGauge()
                     .Name("promwatch_build_info")
                     .Help("Build information; the value is always 1.")
                     .Register(r)),
      validation_profile_info(
          prometheus::BuildGauge()
              .Name("promwatch_validation_profile_info")
              .Help("The Prometheus version, features and name scheme files are validated for, "
                    "per reload target, and where they came from (target, flag, default); "
                    "the value is always 1.")
              .Register(r)) {
  build_info.Add({{"version", PROMWATCH_VERSION}}).Set(1);
  // Pre-create the label values operators alert on, so `rate()` sees them from zero.
  for (const auto k : {core::file_kind::config, core::file_kind::rules,
                       core::file_kind::scrape_config, core::file_kind::file_sd}) {
    validation_failures(k);
  }
}

prometheus::Counter& metrics::validation_failures(core::file_kind kind) {
  return validation_failures_total.Add({{"kind", std::string(core::to_string(kind))}});
}

prometheus::Counter& metrics::watch_events(std::string_view kind) {
  return watch_events_total.Add({{"kind", std::string(kind)}});
}

void metrics::set_applied_hash(std::string_view sha256_hex) {
  if (applied_hash_ != nullptr) config_hash_info.Remove(applied_hash_);
  applied_hash_ = &config_hash_info.Add({{"sha256", std::string(sha256_hex)}});
  applied_hash_->Set(1);
}

}  // namespace promwatch::metrics

namespace promwatch::metrics {

void metrics::set_validation_profile(const std::string& target, const std::string& version,
                                     const std::string& features, const std::string& names,
                                     const std::string& source) {
  auto& slot = profile_series_[target];
  if (slot != nullptr) validation_profile_info.Remove(slot);
  slot = &validation_profile_info.Add({{"target", target},
                                       {"version", version},
                                       {"features", features},
                                       {"names", names},
                                       {"source", source}});
  slot->Set(1);
}

}  // namespace promwatch::metrics
