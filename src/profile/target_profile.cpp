#include "profile/target_profile.hpp"

#include <algorithm>

#include "validate/json/parse.hpp"
#include "validate/yaml/document.hpp"

namespace promwatch::profile {
namespace {

namespace yaml = validate::yaml;

// Answers are small; a bound keeps a hostile or broken target from costing much.
validate::limits answer_limits() {
  validate::limits lim;
  lim.max_file_bytes = 1024 * 1024;
  lim.max_depth = 16;
  return lim;
}

// The `data` member of a Prometheus API envelope `{"status":"success","data":...}`.
core::result<yaml::node> api_data(std::string_view endpoint, std::string_view body) {
  auto doc = validate::json::parse(endpoint, body, answer_limits());
  if (!doc.ok() || !doc.root) {
    return core::error{std::string(endpoint) + ": not a JSON answer" +
                       (doc.errors.empty() ? std::string() : ": " + doc.errors.front().message)};
  }
  if (!doc.root->is_map()) return core::error{std::string(endpoint) + ": not a JSON object"};
  const auto* status = doc.root->find("status");
  if (!status || !status->is_scalar() || status->value != "success") {
    std::string why = std::string(endpoint) + ": status is not \"success\"";
    if (const auto* e = doc.root->find("error"); e && e->is_scalar()) why += ": " + e->value;
    return core::error{why};
  }
  const auto* data = doc.root->find("data");
  if (!data || !data->is_map()) return core::error{std::string(endpoint) + ": no data object"};
  return *data;
}

bool is_string(const yaml::node& n) {
  return n.is_scalar() && n.tag == "tag:yaml.org,2002:str";
}

}  // namespace

core::result<std::string> parse_buildinfo(std::string_view body) {
  auto data = api_data("buildinfo", body);
  if (data.has_error()) return data.error();
  const auto* v = data->find("version");
  if (!v || !is_string(*v) || v->value.empty())
    return core::error{"buildinfo: no version in the answer"};
  if (!validate::parse_version(v->value))
    return core::error{"buildinfo: \"" + v->value + "\" is not a Prometheus version"};
  return core::result<std::string>(boost::system::in_place_value, v->value);
}

core::result<feature_set> parse_flags(std::string_view body) {
  auto data = api_data("flags", body);
  if (data.has_error()) return data.error();
  const auto* f = data->find("enable-feature");
  if (!f || f->is_null()) return feature_set{};
  if (!is_string(*f)) return core::error{"flags: enable-feature is not a string"};
  return validate::parse_feature_list(f->value);
}

core::result<features_map> parse_features(std::string_view body) {
  auto data = api_data("features", body);
  if (data.has_error()) return data.error();
  features_map out;
  for (const auto& category : data->entries) {
    if (!category.value.is_map()) continue;
    auto& names = out[category.key.value];
    for (const auto& e : category.value.entries) {
      if (!e.value.is_scalar() || e.value.tag != "tag:yaml.org,2002:bool") continue;
      // Later duplicates win, as Go's decoder does.
      names.insert_or_assign(e.key.value, e.value.value == "true");
    }
  }
  return out;
}

bool has_features_api(validate::prometheus_version v) {
  return v >= validate::prometheus_version{3, 9};
}

std::optional<validate::name_scheme> read_name_scheme(std::string_view config_text) {
  const auto doc = yaml::load("prometheus.yml", config_text);
  if (!doc.ok() || !doc.root || !doc.root->is_map()) return std::nullopt;
  const auto* global = doc.root->find("global");
  if (!global || !global->is_map()) return std::nullopt;
  const auto* scheme = global->find("metric_name_validation_scheme");
  if (!scheme || !scheme->is_scalar()) return std::nullopt;
  // prometheus/common model.ValidationScheme: exactly these spellings; "" is unset.
  if (scheme->value == "legacy") return validate::name_scheme::legacy;
  if (scheme->value == "utf8") return validate::name_scheme::utf8;
  return std::nullopt;
}

bool chosen::same_profile(const validate::profile& a, const validate::profile& b) {
  return a.version == b.version && a.by == b.by && a.features == b.features && a.names == b.names &&
         a.features_api == b.features_api && a.newer_than_known == b.newer_than_known;
}

chosen choose(const pins& p, const std::optional<target_facts>& facts,
              std::optional<validate::name_scheme> names) {
  using validate::judge;
  using validate::profile_source;
  chosen out;
  if (p.version) {
    out.profile = validate::make_profile(*p.version, judge::server,
                                         p.features.value_or(feature_set{}), names);
    out.source = profile_source::flag;
    return out;
  }
  if (!facts) {
    out.profile = validate::make_profile(validate::newest_known_version, judge::server,
                                         p.features.value_or(feature_set{}), names);
    out.source = p.features ? profile_source::flag : profile_source::fallback;
    return out;
  }
  // make_profile clamps and flags newer_than_known from the real version.
  out.profile = validate::make_profile(facts->version, judge::server,
                                       p.features.value_or(facts->features), names);
  if (p.features) {
    out.source = profile_source::flag;
  } else {
    out.source = profile_source::target;
    out.profile.features_api = facts->features_api;
  }
  return out;
}

std::string label(const validate::profile& p) {
  return "Prometheus " + validate::to_string(p.version) + (p.newer_than_known ? "+" : "");
}

std::string features_text(const validate::profile& p) {
  std::string out;
  for (const auto& f : p.features)
    out += (out.empty() ? "" : ",") + f;
  return out;
}

std::vector<validate::profile> distinct(const std::vector<chosen>& per_target) {
  std::vector<validate::profile> out;
  for (const auto& c : per_target) {
    const bool seen = std::any_of(out.begin(), out.end(), [&](const validate::profile& p) {
      return chosen::same_profile(p, c.profile);
    });
    if (!seen) out.push_back(c.profile);
  }
  return out;
}

std::string key_of(const std::vector<chosen>& per_target) {
  std::string key;
  for (const auto& c : per_target) {
    key += validate::describe(c.profile);
    key += '|';
    key += validate::to_string(c.source);
    // describe() names the features API but not its content.
    for (const auto& [category, names] : c.profile.features_api) {
      key += ';' + category;
      for (const auto& [name, on] : names)
        key += ',' + name + (on ? "=1" : "=0");
    }
    key += '\n';
  }
  return key;
}

core::diagnostics merge_findings(const std::vector<validate::profile>& profiles,
                                 const std::vector<core::diagnostics>& found) {
  struct merged {
    core::diagnostic d;
    std::vector<std::string> by;
  };
  std::vector<merged> all;
  for (std::size_t i = 0; i < found.size() && i < profiles.size(); ++i) {
    const std::string who = label(profiles[i]);
    for (const auto& d : found[i]) {
      auto it = std::find_if(all.begin(), all.end(), [&](const merged& m) { return m.d == d; });
      if (it == all.end()) {
        all.push_back({d, {who}});
      } else if (std::find(it->by.begin(), it->by.end(), who) == it->by.end()) {
        it->by.push_back(who);
      }
    }
  }
  core::diagnostics out;
  out.reserve(all.size());
  for (auto& m : all) {
    std::string names;
    for (const auto& b : m.by)
      names += (names.empty() ? "" : ", ") + b;
    m.d.message += " (" + names + ")";
    out.push_back(std::move(m.d));
  }
  return out;
}

}  // namespace promwatch::profile
