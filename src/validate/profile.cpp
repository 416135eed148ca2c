#include "validate/profile.hpp"

#include <charconv>

namespace promwatch::validate {

namespace {

bool parse_int(std::string_view text, int& out) {
  if (text.empty()) return false;
  const auto* end = text.data() + text.size();
  auto [ptr, ec] = std::from_chars(text.data(), end, out);
  return ec == std::errc{} && ptr == end;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t'))
    s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t'))
    s.remove_suffix(1);
  return s;
}

}  // namespace

std::optional<prometheus_version> parse_version(std::string_view text) {
  text = trim(text);
  if (!text.empty() && (text.front() == 'v' || text.front() == 'V')) text.remove_prefix(1);
  // Build metadata and pre-release suffixes ("+ds", "-rc.1") never change the release line.
  if (auto cut = text.find_first_of("+-"); cut != std::string_view::npos)
    text = text.substr(0, cut);
  const auto dot = text.find('.');
  if (dot == std::string_view::npos) return std::nullopt;
  const auto major_text = text.substr(0, dot);
  auto rest = text.substr(dot + 1);
  const auto minor_text = rest.substr(0, rest.find('.'));
  if (const auto dot2 = rest.find('.'); dot2 != std::string_view::npos) {
    int patch = 0;
    if (!parse_int(rest.substr(dot2 + 1), patch)) return std::nullopt;
  }
  prometheus_version v;
  if (!parse_int(major_text, v.major) || !parse_int(minor_text, v.minor)) return std::nullopt;
  if (v.major < 0 || v.minor < 0) return std::nullopt;
  return v;
}

std::string to_string(prometheus_version v) {
  return std::to_string(v.major) + "." + std::to_string(v.minor);
}

std::optional<bool> profile::feature_api(std::string_view category, std::string_view name) const {
  const auto cat = features_api.find(category);
  if (cat == features_api.end()) return std::nullopt;
  const auto it = cat->second.find(name);
  // Absent from a category the target listed means "not enabled" (api.md).
  return it != cat->second.end() && it->second;
}

profile make_profile(prometheus_version version, judge by,
                     std::set<std::string, std::less<>> features,
                     std::optional<name_scheme> names) {
  profile p;
  p.by = by;
  p.newer_than_known = version > newest_known_version;
  if (version > newest_known_version) version = newest_known_version;
  if (version < oldest_known_version) version = oldest_known_version;
  p.version = version;
  p.features = std::move(features);

  const auto at = [&](int major, int minor) { return p.at_least(major, minor); };
  const bool server = by == judge::server;
  // Since which version each tool could turn a parser option on (prometheus-versions.md §1c).
  p.experimental_functions =
      p.has_feature("promql-experimental-functions") && (server ? at(2, 49) : at(3, 4));
  p.duration_expr =
      at(3, 14) || (p.has_feature("promql-duration-expr") && (server ? at(3, 4) : at(3, 10)));
  p.extended_range_selectors =
      p.has_feature("promql-extended-range-selectors") && (server ? at(3, 7) : at(3, 10));
  p.binop_fill_modifiers =
      p.has_feature("promql-binop-fill-modifiers") && (server ? at(3, 10) : at(3, 14));

  if (!at(2, 55)) {
    p.names = name_scheme::legacy;
  } else if (!server) {
    // promtool 3.x hard-codes model.UTF8Validation for check rules and check config.
    p.names = at(3, 0) ? name_scheme::utf8 : name_scheme::legacy;
  } else if (names) {
    p.names = *names;
  } else if (at(3, 0) || p.has_feature("utf8-names")) {
    p.names = name_scheme::utf8;
  } else {
    p.names = name_scheme::legacy;
  }
  return p;
}

std::set<std::string, std::less<>> parse_feature_list(std::string_view text) {
  std::set<std::string, std::less<>> out;
  while (!text.empty()) {
    const auto comma = text.find(',');
    const auto item = trim(text.substr(0, comma));
    if (!item.empty()) out.emplace(item);
    if (comma == std::string_view::npos) break;
    text.remove_prefix(comma + 1);
  }
  return out;
}

std::string describe(const profile& p) {
  std::string out = "Prometheus " + to_string(p.version);
  out += p.by == judge::promtool ? " (promtool" : " (server";
  if (!p.features.empty()) {
    out += "; features: ";
    bool first = true;
    for (const auto& f : p.features) {
      if (!first) out += ',';
      out += f;
      first = false;
    }
  }
  out += p.names == name_scheme::utf8 ? "; names: utf8" : "; names: legacy";
  if (!p.features_api.empty()) out += "; features from /api/v1/features";
  if (p.newer_than_known) out += "; target is newer than this promwatch";
  out += ')';
  return out;
}

std::string_view to_string(profile_source s) {
  switch (s) {
    case profile_source::target:
      return "target";
    case profile_source::flag:
      return "flag";
    case profile_source::fallback:
      return "default";
  }
  return "default";
}

}  // namespace promwatch::validate
