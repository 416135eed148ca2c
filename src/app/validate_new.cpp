#include "app/sync_state.hpp"
#include "validate/validate.hpp"

namespace promwatch::app {

validation_results validate_new(const snapshot::snapshot& snap,
                                const std::set<validation_key>& known,
                                const std::vector<validate::profile>& profiles) {
  validation_results out;
  for (const auto& [path, entry] : snap.files) {
    if (entry.kind == core::file_kind::other) continue;
    const auto key = key_of(path, entry);
    if (known.contains(key) || out.contains(key)) continue;
    if (!entry.read_error.empty()) {
      out[key] =
          core::diagnostics{core::diagnostic{path, 1, 1, "cannot read file: " + entry.read_error}};
      continue;
    }
    std::vector<core::diagnostics> errors;
    std::vector<core::diagnostics> warnings;
    for (const auto& p : profiles) {
      auto r = validate::check(entry.kind, path, entry.content, {}, p);
      errors.push_back(std::move(r.errors));
      warnings.push_back(std::move(r.warnings));
    }
    out[key] = file_findings{profile::merge_findings(profiles, errors),
                             profile::merge_findings(profiles, warnings)};
  }
  return out;
}

std::vector<profile::chosen> choose_profiles(
    const snapshot::snapshot& snap, const profile::pins& pins,
    const std::vector<std::optional<profile::target_facts>>& facts) {
  std::optional<validate::name_scheme> names;
  for (const auto& [path, entry] : snap.files) {
    if (entry.kind == core::file_kind::config && entry.read_error.empty()) {
      names = profile::read_name_scheme(entry.content);
      break;
    }
  }
  std::vector<profile::chosen> out;
  out.reserve(facts.size());
  for (const auto& f : facts)
    out.push_back(profile::choose(pins, f, names));
  if (out.empty()) out.push_back(profile::choose(pins, std::nullopt, names));
  return out;
}

}  // namespace promwatch::app
