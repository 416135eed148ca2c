#pragma once
#include <map>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "core/diagnostic.hpp"
#include "core/file_kind.hpp"
#include "profile/target_profile.hpp"
#include "snapshot/diff.hpp"
#include "snapshot/snapshot.hpp"

namespace promwatch::app {

/// Validation results are cached by what was validated, so an unchanged file is never
/// validated twice: (kind, "path\nsha256"). The path is part of the key because
/// diagnostics name the file.
using validation_key = std::pair<core::file_kind, std::string>;

/// What validating one file found: errors block, warnings are only shown.
struct file_findings {
  core::diagnostics errors;
  core::diagnostics warnings;
  file_findings() = default;
  /// Errors only (most callers and tests have no warnings).
  file_findings(core::diagnostics e) : errors(std::move(e)) {}  // NOLINT: implicit on purpose
  file_findings(core::diagnostics e, core::diagnostics w)
      : errors(std::move(e)), warnings(std::move(w)) {}
};
using validation_results = std::map<validation_key, file_findings>;

/// Stands for the hash of a file that cannot be read; such a file is checked again on every
/// sync (the reason it cannot be read may change).
inline constexpr std::string_view unreadable_mark = "unreadable";
validation_key key_of(const std::string& path, const snapshot::file_entry& entry);

/// Validates the entries of `snap` whose key is not in `known`, once for each of `profiles`
/// (the distinct profiles of the reload targets; a file must be valid for all), merging the
/// findings with profile::merge_findings. Pure CPU work on the snapshot's bytes; run it off
/// the loop. Unreadable files become a diagnostic.
validation_results validate_new(const snapshot::snapshot& snap,
                                const std::set<validation_key>& known,
                                const std::vector<validate::profile>& profiles);

/// The profile of each reload target for validating `snap`: the pins, the target's facts
/// (nullopt: no answer yet) and the name scheme of the snapshot's prometheus.yml.
std::vector<profile::chosen> choose_profiles(
    const snapshot::snapshot& snap, const profile::pins& pins,
    const std::vector<std::optional<profile::target_facts>>& facts);

/// What to do after a sync.
enum class sync_action {
  unchanged,  // nothing Prometheus reads changed (touch, chmod, a resync): skip
  no_reload,  // only file_sd or unreferenced files changed: Prometheus re-reads those itself
  blocked,    // something Prometheus would load is invalid: keep the last good config
  reload,     // valid and different from what was last asked of Prometheus
};

struct invalid_file {
  std::string path;
  core::file_kind kind;
  core::diagnostics errors;
};

/// Why a valid change needs no reload.
enum class no_reload_reason {
  none,
  reread_by_prometheus,  // only file_sd or unreferenced files changed: the reload set is the same
  already_requested,     // the reload set is what Prometheus was last asked to load
};

struct sync_decision {
  sync_action action = sync_action::unchanged;
  no_reload_reason why_no_reload = no_reload_reason::none;
  snapshot::change_set changes;             // vs the previous sync
  std::vector<invalid_file> newly_invalid;  // changed files that are invalid: log and count these
  std::vector<std::string> blocking;        // every invalid file Prometheus would load
  std::string fingerprint;                  // of the reload-relevant files now on disk
  /// The validation profiles differ from the last sync's, so every file was judged anew.
  bool profiles_changed = false;
};

/// The pipeline's memory between syncs, free of I/O so every decision is unit-testable:
/// the last snapshot seen, the fingerprint Prometheus last loaded, cached validation.
/// Lives on the loop's thread.
class sync_state {
 public:
  /// In publish mode every invalid file blocks, file_sd files included: what is published is
  /// all-or-nothing, so Prometheus never reads a file that was not validated.
  explicit sync_state(bool publish_mode = false) : publish_mode_(publish_mode) {}

  /// Folds in a new snapshot and the results of validating what was new in it, under the
  /// profiles named by `profiles_key` (profile::key_of). A key other than the last one drops
  /// every cached result (so `fresh` must cover every file: validate against
  /// known_keys(profiles_key)) and re-decides even when no file changed: invalid files block,
  /// and a valid set that was not asked for yet is reloaded.
  sync_decision on_snapshot(snapshot::snapshot snap, validation_results fresh,
                            const std::string& profiles_key = {});

  /// Prometheus confirmed loading this fingerprint.
  void on_reload_succeeded(const std::string& fingerprint) { applied_ = fingerprint; }
  /// A reload series ended without success: the next change asks again even if it brings
  /// the same fingerprint back.
  void on_reload_failed() { requested_ = applied_; }
  /// The next snapshot is decided anew even when nothing changed (a publish to retry).
  void force_next() { force_ = true; }
  /// Treat the files on disk as already loaded (no reload at startup).
  void assume_applied(const std::string& fingerprint) { applied_ = requested_ = fingerprint; }

  const std::string& applied_fingerprint() const { return applied_; }
  const snapshot::snapshot& current() const { return current_; }
  bool has_snapshot() const { return has_snapshot_; }
  /// The keys whose results can be reused under `profiles_key`: none when it is not the key
  /// the cache was filled under.
  std::set<validation_key> known_keys(std::string_view profiles_key = {}) const;
  const std::string& profiles_key() const { return profiles_key_; }
  /// Diagnostics for a file of the current snapshot (empty when valid or unknown).
  const core::diagnostics& errors_for(const std::string& path) const;
  const core::diagnostics& warnings_for(const std::string& path) const;

 private:
  bool publish_mode_;
  snapshot::snapshot current_;
  bool has_snapshot_ = false;
  bool force_ = false;
  std::string applied_;    // what Prometheus confirmed loading
  std::string requested_;  // what was last asked for; avoids asking twice for the same content
  validation_results cache_;
  std::string profiles_key_;  // what cache_ was validated under
};

}  // namespace promwatch::app
