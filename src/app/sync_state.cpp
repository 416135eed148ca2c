#include "app/sync_state.hpp"

#include <utility>

namespace promwatch::app {

validation_key key_of(const std::string& path, const snapshot::file_entry& e) {
  return {e.kind, path + '\n' + (e.read_error.empty() ? e.sha256 : std::string(unreadable_mark))};
}

namespace {

const core::diagnostics no_errors;

}  // namespace

std::set<validation_key> sync_state::known_keys(std::string_view profiles_key) const {
  std::set<validation_key> keys;
  if (profiles_key != profiles_key_) return keys;
  for (const auto& [key, _] : cache_) {
    // Unreadable files are re-checked every time: the reason may have changed.
    if (!key.second.ends_with(unreadable_mark)) keys.insert(key);
  }
  return keys;
}

const core::diagnostics& sync_state::errors_for(const std::string& path) const {
  const auto f = current_.files.find(path);
  if (f == current_.files.end()) return no_errors;
  const auto c = cache_.find(key_of(path, f->second));
  return c == cache_.end() ? no_errors : c->second.errors;
}

const core::diagnostics& sync_state::warnings_for(const std::string& path) const {
  const auto f = current_.files.find(path);
  if (f == current_.files.end()) return no_errors;
  const auto c = cache_.find(key_of(path, f->second));
  return c == cache_.end() ? no_errors : c->second.warnings;
}

sync_decision sync_state::on_snapshot(snapshot::snapshot snap, validation_results fresh,
                                      const std::string& profiles_key) {
  sync_decision d;
  const bool had_snapshot = has_snapshot_;
  const std::string previous_fingerprint =
      has_snapshot_ ? snapshot::reload_fingerprint(current_) : std::string{};
  const bool forced = std::exchange(force_, false);
  d.profiles_changed = profiles_key != profiles_key_;
  if (d.profiles_changed) {
    cache_.clear();
    profiles_key_ = profiles_key;
  }
  d.changes = has_snapshot_ ? snapshot::diff(current_, snap) : snapshot::diff({}, snap);
  d.fingerprint = snapshot::reload_fingerprint(snap);

  for (auto& [key, errors] : fresh)
    cache_.insert_or_assign(key, std::move(errors));
  // Keep only what the new snapshot still needs, so the cache never outgrows the tree.
  std::set<validation_key> live;
  for (const auto& [path, entry] : snap.files)
    live.insert(key_of(path, entry));
  std::erase_if(cache_, [&](const auto& kv) { return !live.contains(kv.first); });

  current_ = std::move(snap);
  has_snapshot_ = true;

  std::set<std::string> changed(d.changes.added.begin(), d.changes.added.end());
  changed.insert(d.changes.modified.begin(), d.changes.modified.end());
  // Under new profiles every verdict is new.
  if (d.profiles_changed) {
    for (const auto& [path, _] : current_.files)
      changed.insert(path);
  }

  for (const auto& [path, entry] : current_.files) {
    if (entry.kind == core::file_kind::other) continue;
    const auto& errors = errors_for(path);
    if (errors.empty()) continue;
    if (changed.contains(path)) d.newly_invalid.push_back({path, entry.kind, errors});
    if (publish_mode_ || core::needs_reload(entry.kind)) d.blocking.push_back(path);
  }

  if (had_snapshot && d.changes.empty() && !d.profiles_changed && !forced) {
    d.action = sync_action::unchanged;
  } else if (!d.blocking.empty()) {
    d.action = sync_action::blocked;
  } else if (d.fingerprint != requested_) {
    d.action = sync_action::reload;
    requested_ = d.fingerprint;
  } else {
    d.action = sync_action::no_reload;
    d.why_no_reload = had_snapshot && d.fingerprint == previous_fingerprint
                          ? no_reload_reason::reread_by_prometheus
                          : no_reload_reason::already_requested;
  }
  return d;
}

}  // namespace promwatch::app
