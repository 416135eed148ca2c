#include <algorithm>
#include <cctype>
#include <chrono>
#include <cstdlib>
#include <map>
#include <set>
#include <string>

#include <re2/re2.h>

#include "validate/config/files.hpp"
#include "validate/config/go_syntax.hpp"
#include "validate/config/referenced.hpp"
#include "validate/config/schema.hpp"
#include "validate/names.hpp"
#include "validate/validate.hpp"
#include "validate/yaml/decode.hpp"
#include "validate/yaml/document.hpp"

// The structure and rules of Prometheus' config package (config/config.go), the relabel
// package (model/relabel), the service discoveries (discovery/*/) and prometheus/common's HTTP
// client config, for every release 2.42 ... 3.14: which fields exist comes from the
// version-keyed tables of schema.hpp, the rules that changed are gated on the profile's
// version. Where Prometheus stops at its first semantic error, this reports all it finds; the
// verdict is the same.

namespace promwatch::validate {
namespace {

using std::chrono::milliseconds;
using yaml::node;

constexpr milliseconds default_scrape_interval{60'000};
constexpr milliseconds default_scrape_timeout{10'000};

std::string quote(std::string_view s) {
  return "\"" + std::string(s) + "\"";
}

/// Go's %q for the messages that print label names and values: invalid bytes as \xNN.
std::string go_quote(std::string_view s) {
  if (is_valid_utf8(s)) return quote(s);
  static constexpr char hex[] = "0123456789abcdef";
  std::string out = "\"";
  for (unsigned char ch : s) {
    if (ch < 0x80) {
      out += static_cast<char>(ch);
    } else {
      out += "\\x";
      out += hex[ch >> 4];
      out += hex[ch & 0xf];
    }
  }
  return out + "\"";
}

std::string lower(std::string s) {
  for (auto& ch : s)
    ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  return s;
}

/// model/relabel's relabelTarget: a label name in which `$1` / `${1}` references may appear.
const re2::RE2& relabel_target() {
  static const re2::RE2 re(R"(^(?:(?:[a-zA-Z_]|\$(?:\{\w+\}|\w+))+\w*)+$)");
  return re;
}

class checker {
 public:
  checker(yaml::decoder& dec, const profile& p) : dec_(dec), p_(p) {
    // Label names in YAML (model.LabelName) follow the global model.NameValidationScheme,
    // UTF-8 in every 3.x binary; 2.55 takes it from the profile (utf8-names feature). Where
    // upstream uses the config's own metric_name_validation_scheme (escaping, OTLP, and from
    // 3.7 external labels and relabel targets), the file being checked decides, as it is what
    // the server will load.
    names_ = p.at_least(3, 0) ? name_scheme::utf8 : p.names;
  }

  core::diagnostics take_warnings() { return std::move(warnings_); }
  std::vector<std::string> job_names() const { return {jobs_.begin(), jobs_.end()}; }
  std::vector<config::file_reference> take_references() { return std::move(refs_); }

  void config(const node& root) {
    if (!dec_.expect_map(root, "config.plain")) return;
    fields(root, {"config"}, "config.plain");
    if (const node* g = root.find("global")) {
      // Read the file's scheme first: it decides how the rest is checked.
      if (g->is_map()) file_scheme_ = text(g->find("metric_name_validation_scheme"));
      global(*g);
    }
    if (const node* r = root.find("rule_files")) rule_files(*r, "rule");
    if (const node* r = root.find("scrape_config_files"); r && at(2, 43)) {
      rule_files(*r, "scrape config");
    }
    if (const node* rt = root.find("runtime"); rt && at(2, 53)) runtime(*rt);
    if (const node* o = root.find("otlp"); o && at(2, 55)) otlp(*o);
    if (const node* s = root.find("scrape_configs")) scrape_configs(*s);
    if (const node* a = root.find("alerting")) alerting(*a);
    if (const node* rw = root.find("remote_write")) remote_write(*rw);
    if (const node* rr = root.find("remote_read")) remote_read(*rr);
    if (const node* st = root.find("storage")) storage(*st);
    if (const node* t = root.find("tracing")) tracing(*t);
  }

  void scrape_config_file(const node& root) {
    if (!dec_.expect_map(root, "config.ScrapeConfigs")) return;
    for (const auto& e : root.entries) {
      if (e.key.value != "scrape_configs" || !e.key.is_scalar()) {
        unknown(e.key, "field " + e.key.value + " not found in type config.ScrapeConfigs");
      }
    }
    if (const node* s = root.find("scrape_configs")) scrape_configs(*s);
  }

 private:
  bool at(int major, int minor) const { return p_.at_least(major, minor); }

  /// An "unknown field" finding: an error, or a warning when the target is newer than the
  /// tables (it may well know the field).
  void unknown(const node& at_node, std::string message) {
    if (p_.newer_than_known) {
      warnings_.push_back(
          {std::string(dec_.path()), at_node.pos.line, at_node.pos.column, std::move(message)});
    } else {
      dec_.error(at_node, std::move(message));
    }
  }

  bool section_has(std::string_view section, std::string_view key) const {
    if (config::known_field(section, key, p_.version)) return true;
    if (config::known_field(section, "<proxy>", p_.version) &&
        config::known_field("proxy", key, p_.version)) {
      return true;
    }
    if (section.starts_with("sd:") && config::known_field(section, "<http>", p_.version)) {
      return section_has("http", key);
    }
    return false;
  }

  /// Reports every key of `map` that none of `sections` has in the profile's release.
  void fields(const node& map, std::initializer_list<std::string_view> sections,
              std::string_view go_type) {
    if (!map.is_map()) return;
    for (const auto& e : map.entries) {
      bool known = false;
      if (e.key.is_scalar()) {
        for (auto s : sections)
          known = known || section_has(s, e.key.value);
      }
      if (!known)
        unknown(e.key, "field " + e.key.value + " not found in type " + std::string(go_type));
    }
  }

  bool is_discovery_key(std::string_view key) const {
    if (key == "static_configs") return true;
    const auto m = config::discovery_mechanism(key);
    if (m.empty()) return false;
    // A 3.9+ target lists its discoveries in /api/v1/features; that list is the authority.
    if (auto listed = p_.feature_api("service_discovery_providers", m)) return *listed;
    return config::known_discovery(m, p_.version);
  }

  bool label_name_ok(std::string_view name) const {
    if (names_ == name_scheme::utf8) return !name.empty() && is_valid_utf8(name);
    return is_valid_label_name(name);
  }

  void reference(const node& at_node, std::string path, config::file_reference::what kind) {
    if (!path.empty())
      refs_.push_back({std::move(path), kind, at_node.pos.line, at_node.pos.column});
  }

  // --- scalars ---
  std::optional<milliseconds> duration(const node* n) {
    if (!n) return std::nullopt;
    return dec_.duration(*n);
  }

  std::string text(const node* n) {
    if (!n) return {};
    return scalar(*n).value_or("");
  }

  /// A scalar as Go yaml.v2 decodes it into a string: `!!binary` values are base64-decoded
  /// (encoding/base64 StdEncoding; line breaks ignored).
  std::optional<std::string> scalar(const node& n) {
    if (n.tag != "tag:yaml.org,2002:binary" || !n.is_scalar()) return dec_.string(n);
    if (auto bytes = config::base64_decode(n.value)) return bytes;
    dec_.error(n, "!!binary value contains invalid base64 data");
    return std::nullopt;
  }

  bool set(const node* n) { return n && !n->is_null() && !text(n).empty(); }

  void unsigned_int(const node* n, std::string_view go_type) {
    if (!n) return;
    auto v = dec_.integer(*n, go_type);
    if (v && *v < 0) dec_.type_error(*n, go_type);
  }

  /// A Go float64 field: a plain YAML int or float.
  std::optional<double> float64(const node& n) {
    if (n.is_null()) return 0.0;
    const std::string t = text(&n);
    char* end = nullptr;
    const double v = std::strtod(t.c_str(), &end);
    if (!n.is_plain() || t.empty() || end != t.c_str() + t.size()) {
      dec_.type_error(n, "float64");
      return std::nullopt;
    }
    return v;
  }

  void boolean(const node* n) {
    if (n) dec_.boolean(*n);
  }

  void string_map(const node* n, std::string_view go_type) {
    if (!n || !dec_.expect_map(*n, go_type)) return;
    for (const auto& e : n->entries) {
      if (!e.value.is_null() && !e.value.is_scalar()) dec_.type_error(e.value, "string");
    }
  }

  void string_list(const node* n) {
    if (!n || !dec_.expect_sequence(*n, "[]string")) return;
    for (const auto& item : n->items)
      dec_.string(item);
  }

  void label_set(const node* n, std::string_view go_type) {
    if (!n || !dec_.expect_map(*n, go_type)) return;
    for (const auto& e : n->entries) {
      auto name = scalar(e.key);
      if (name && !label_name_ok(*name)) {
        dec_.error(e.key, go_quote(*name) + " is not a valid label name");
      }
      if (e.value.is_scalar()) {
        auto value = scalar(e.value);
        if (value && !is_valid_utf8(*value)) {
          dec_.error(e.value, go_quote(*value) + " is not a valid label value");
        }
      } else if (!e.value.is_null()) {
        dec_.type_error(e.value, "string");
      }
    }
  }

  void url(const node* n) {
    if (!n || n->is_null()) return;
    auto u = dec_.string(*n);
    if (!u || u->empty()) return;
    // Go's url.Parse: a leading colon means an empty scheme.
    if ((*u)[0] == ':') dec_.error(*n, "parse " + quote(*u) + ": missing protocol scheme");
  }

  void body_size_limit(const node* n) {
    if (!n || n->is_null()) return;
    auto s = dec_.string(*n);
    if (!s || s->empty() || *s == "0") return;
    // alecthomas/units ParseBase2Bytes: number+unit pairs, binary units.
    static constexpr std::string_view units[] = {"B",   "KB",  "MB",  "GB",  "TB",  "PB", "EB",
                                                 "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};
    std::string_view rest = *s;
    while (!rest.empty()) {
      std::size_t i = 0;
      while (i < rest.size() && ((rest[i] >= '0' && rest[i] <= '9') || rest[i] == '.'))
        ++i;
      std::size_t j = i;
      while (j < rest.size() && std::isalpha(static_cast<unsigned char>(rest[j])))
        ++j;
      const std::string_view unit = rest.substr(i, j - i);
      if (i == 0) {
        dec_.error(*n, "units: invalid syntax in " + *s);
        return;
      }
      if (unit.empty()) {
        dec_.error(*n, "units: missing unit in " + *s);
        return;
      }
      if (std::find(std::begin(units), std::end(units), unit) == std::end(units)) {
        dec_.error(*n, "units: unknown unit " + std::string(unit) + " in " + *s);
        return;
      }
      rest.remove_prefix(j);
    }
  }

  // --- sections ---
  /// config.go ScrapeProtocol.Validate and the list rules of scrape_protocols (2.49).
  bool scrape_protocol_ok(std::string_view v) const {
    return v == "PrometheusProto" || v == "OpenMetricsText0.0.1" || v == "OpenMetricsText1.0.0" ||
           v == "PrometheusText0.0.4" || (at(3, 0) && v == "PrometheusText1.0.0");
  }

  std::string supported_protocols() const {
    return at(3, 0) ? "[OpenMetricsText0.0.1 OpenMetricsText1.0.0 PrometheusProto "
                      "PrometheusText0.0.4 PrometheusText1.0.0]"
                    : "[OpenMetricsText0.0.1 OpenMetricsText1.0.0 PrometheusProto "
                      "PrometheusText0.0.4]";
  }

  void scrape_protocols(const node* n) {
    if (!n || !dec_.expect_sequence(*n, "[]config.ScrapeProtocol")) return;
    if (n->items.empty()) {
      dec_.error(*n, "scrape_protocols cannot be empty");
      return;
    }
    std::set<std::string, std::less<>> seen;
    for (const auto& item : n->items) {
      const std::string v = text(&item);
      if (!scrape_protocol_ok(v)) {
        dec_.error(item, "scrape_protocols: unknown scrape protocol " + v +
                             ", supported: " + supported_protocols());
      } else if (!seen.insert(lower(v)).second) {
        dec_.error(item, "duplicated protocol in scrape_protocols");
      }
    }
  }

  /// metric_name_validation_scheme (2.55): "", legacy or utf8.
  void validation_scheme(const node* n, std::string_view where) {
    if (!n || n->is_null()) return;
    const std::string v = text(n);
    if (!v.empty() && v != "legacy" && v != "utf8" && at(3, 6)) {
      dec_.error(*n, "unrecognized ValidationScheme: " + quote(v));
    } else if (!v.empty() && v != "legacy" && v != "utf8") {
      dec_.error(*n, "unknown " + std::string(where) +
                         "name validation method specified, must be either 'legacy' or 'utf8', "
                         "got " +
                         v);
    } else if (!at(3, 0) && v == "utf8" && !p_.has_feature("utf8-names")) {
      dec_.error(*n,
                 "utf8 name validation requested but feature not enabled via "
                 "--enable-feature=utf8-names");
    }
  }

  bool escaping_scheme_ok(std::string_view v) const {
    return v == "allow-utf-8" || v == "underscores" || v == "dots" || v == "values";
  }

  void global(const node& g) {
    if (!dec_.expect_map(g, "config.plain")) return;
    fields(g, {"global"}, "config.plain");
    // 3.7 checks external label names with the file's own scheme (before: model's, UTF-8).
    const bool legacy_global = at(3, 7) && file_scheme_ == "legacy";
    const name_scheme saved = names_;
    if (legacy_global) names_ = name_scheme::legacy;
    label_set(g.find("external_labels"), "labels.Labels");
    names_ = saved;
    // Relabel rules outside scrape configs follow the global scheme from 3.7 on.
    global_relabel_legacy_ = legacy_global;
    relabel_legacy_ = legacy_global;
    if (at(2, 45)) {
      body_size_limit(g.find("body_size_limit"));
      for (auto f : {"sample_limit", "target_limit", "label_limit", "label_name_length_limit",
                     "label_value_length_limit", "keep_dropped_targets"}) {
        unsigned_int(g.find(f), "uint");
      }
    }
    if (at(2, 49)) scrape_protocols(g.find("scrape_protocols"));
    if (at(2, 53)) duration(g.find("rule_query_offset"));
    // 3.x checks the global scheme in each scrape config's Validate, so only with one.
    global_scheme_node_ = g.find("metric_name_validation_scheme");
    if (at(2, 55) && !at(3, 0)) validation_scheme(global_scheme_node_, "");
    // 3.6 made the field a model.ValidationScheme, checked when it is unmarshalled.
    if (at(3, 6)) {
      validation_scheme(global_scheme_node_, "global ");
      global_scheme_checked_ = true;
    }
    if (at(3, 4)) {
      const node* esc = g.find("metric_name_escaping_scheme");
      global_escaping_ = text(esc);
      if (esc && !global_escaping_.empty() && !escaping_scheme_ok(global_escaping_)) {
        dec_.error(*esc,
                   "unknown global name escaping method specified, must be one of "
                   "'allow-utf-8', 'underscores', 'dots', or 'values', got " +
                       global_escaping_);
      }
      boolean(g.find("convert_classic_histograms_to_nhcb"));
    }
    if (at(3, 5)) boolean(g.find("always_scrape_classic_histograms"));
    if (at(3, 8)) boolean(g.find("scrape_native_histograms"));
    auto interval = duration(g.find("scrape_interval")).value_or(milliseconds{0});
    auto timeout = duration(g.find("scrape_timeout")).value_or(milliseconds{0});
    duration(g.find("evaluation_interval"));
    text(g.find("query_log_file"));
    if (interval == milliseconds{0}) interval = default_scrape_interval;
    if (timeout > interval) {
      dec_.error(*g.find("scrape_timeout"), "global scrape timeout greater than scrape interval");
    }
    if (timeout == milliseconds{0}) timeout = std::min(default_scrape_timeout, interval);
    global_interval_ = interval;
    global_timeout_ = timeout;
  }

  /// rule_files and (2.43) scrape_config_files: globs with the same pattern check.
  void rule_files(const node& n, std::string_view what) {
    if (!dec_.expect_sequence(n, "[]string")) return;
    // config.go patRulePath: at most one `*`, and not in a directory part.
    static const re2::RE2 rule_path(R"(^[^*]*(\*[^/]*)?$)");
    for (const auto& item : n.items) {
      auto path = dec_.string(item);
      if (!path) continue;
      if (!re2::RE2::FullMatch(*path, rule_path)) {
        dec_.error(item, "invalid " + std::string(what) + " file path " + quote(*path));
      } else if (!config::is_valid_glob(*path)) {
        dec_.error(item, "syntax error in pattern");
      } else {
        reference(item, *path,
                  what == "rule" ? config::file_reference::what::rule_glob
                                 : config::file_reference::what::scrape_config_glob);
      }
    }
  }

  void runtime(const node& n) {
    if (!dec_.expect_map(n, "config.RuntimeConfig")) return;
    fields(n, {"runtime"}, "config.RuntimeConfig");
    if (const node* g = n.find("gogc")) dec_.integer(*g, "int");
  }

  /// OTLPConfig.UnmarshalYAML and the translation-strategy rule of config.Load.
  void otlp(const node& n) {
    if (!dec_.expect_map(n, "config.OTLPConfig")) return;
    fields(n, {"otlp"}, "config.OTLPConfig");
    auto attributes = [&](const node* list, std::string_view name) {
      if (!list || !dec_.expect_sequence(*list, "[]string")) return;
      std::set<std::string, std::less<>> seen;
      for (const auto& item : list->items) {
        std::string v = text(&item);
        const auto b = v.find_first_not_of(" \t\r\n");
        v = b == std::string::npos ? "" : v.substr(b, v.find_last_not_of(" \t\r\n") - b + 1);
        if (v.empty() || !seen.insert(v).second) {
          dec_.error(item, "invalid '" + std::string(name) + "': " +
                               (v.empty() ? "empty OTel resource attribute"
                                          : "duplicated OTel resource attribute " + quote(v)));
        }
      }
    };
    const node* promote = n.find("promote_resource_attributes");
    attributes(promote, "promote_resource_attributes");
    if (at(3, 5)) {
      const bool all = n.find("promote_all_resource_attributes") &&
                       dec_.boolean(*n.find("promote_all_resource_attributes")).value_or(false);
      const node* ignore = n.find("ignore_resource_attributes");
      const bool has_promote = promote && promote->is_sequence() && !promote->items.empty();
      const bool has_ignore = ignore && ignore->is_sequence() && !ignore->items.empty();
      if (all && has_promote) {
        dec_.error(n,
                   "'promote_all_resource_attributes' and 'promote_resource_attributes' "
                   "cannot be configured simultaneously");
      } else if (has_ignore && !all) {
        dec_.error(n,
                   "'ignore_resource_attributes' cannot be configured unless "
                   "'promote_all_resource_attributes' is true");
      }
      attributes(ignore, "ignore_resource_attributes");
    }
    for (auto f : {"keep_identifying_resource_attributes", "convert_histograms_to_nhcb",
                   "promote_scope_metadata", "label_name_underscore_sanitization",
                   "label_name_preserve_multiple_underscores"}) {
      if (config::known_field("otlp", f, p_.version)) boolean(n.find(f));
    }
    const node* ts = n.find("translation_strategy");
    if (!ts || !at(3, 0)) return;
    const std::string v = text(ts);
    const bool utf8_only = v == "NoUTF8EscapingWithSuffixes" || (at(3, 4) && v == "NoTranslation");
    if (v.empty() || v == "UnderscoreEscapingWithSuffixes" ||
        (at(3, 6) && v == "UnderscoreEscapingWithoutSuffixes")) {
      return;
    }
    if (!utf8_only) {
      dec_.error(*ts, "unsupported OTLP translation strategy " + quote(v));
    } else if (file_scheme_ == "legacy") {
      dec_.error(*ts,
                 "OTLP translation strategy " + quote(v) + " is not allowed when UTF8 is disabled");
    }
  }

  void scrape_configs(const node& n) {
    if (!dec_.expect_sequence(n, "[]*config.ScrapeConfig")) return;
    for (const auto& sc : n.items)
      scrape_config(sc);
  }

  void scrape_config(const node& sc) {
    if (sc.is_null()) {
      dec_.error(sc, "empty or null scrape config section");
      return;
    }
    if (!dec_.expect_map(sc, "config.ScrapeConfig")) return;
    for (const auto& e : sc.entries) {
      const bool known =
          e.key.is_scalar() && (section_has("scrape", e.key.value) ||
                                section_has("http", e.key.value) || is_discovery_key(e.key.value));
      if (!known) {
        unknown(e.key, "field " + e.key.value + " not found in type config.ScrapeConfig");
      }
    }
    const std::string job = text(sc.find("job_name"));
    if (job.empty()) {
      dec_.error(sc, "job_name is empty");
    } else if (!jobs_.insert(job).second) {
      dec_.error(*sc.find("job_name"), "found multiple scrape configs with job name " + quote(job));
    }
    boolean(sc.find("honor_labels"));
    boolean(sc.find("honor_timestamps"));
    if (const node* p = sc.find("params"); p && dec_.expect_map(*p, "url.Values")) {
      for (const auto& e : p->entries)
        string_list(&e.value);
    }
    text(sc.find("metrics_path"));
    text(sc.find("scheme"));
    body_size_limit(sc.find("body_size_limit"));
    for (auto f :
         {"sample_limit", "target_limit", "label_limit", "label_name_length_limit",
          "label_value_length_limit", "native_histogram_bucket_limit", "keep_dropped_targets"}) {
      if (config::known_field("scrape", f, p_.version)) unsigned_int(sc.find(f), "uint");
    }
    for (auto f : {"track_timestamps_staleness", "enable_compression", "scrape_classic_histograms",
                   "always_scrape_classic_histograms", "convert_classic_histograms_to_nhcb",
                   "scrape_native_histograms"}) {
      if (config::known_field("scrape", f, p_.version)) boolean(sc.find(f));
    }
    if (at(2, 49)) scrape_protocols(sc.find("scrape_protocols"));
    if (const node* fb = sc.find("fallback_scrape_protocol"); fb && at(3, 0) && !fb->is_null()) {
      const std::string v = text(fb);
      if (!scrape_protocol_ok(v)) {
        dec_.error(*fb, "invalid fallback_scrape_protocol for scrape config with job name " +
                            quote(job) + ": unknown scrape protocol " + v +
                            ", supported: " + supported_protocols());
      }
    }
    scrape_name_schemes(sc);
    auto interval = duration(sc.find("scrape_interval")).value_or(milliseconds{0});
    auto timeout = duration(sc.find("scrape_timeout")).value_or(milliseconds{0});
    if (interval == milliseconds{0}) interval = global_interval_;
    if (timeout > interval) {
      dec_.error(*sc.find("scrape_timeout"),
                 "scrape timeout greater than scrape interval for scrape config with job name " +
                     quote(job));
    }
    record_credentials_ = record_tls_ = true;
    http_client(sc);
    record_credentials_ = record_tls_ = false;
    const node* relabels = sc.find("relabel_configs");
    relabel_configs(relabels, "empty or null target relabeling rule in scrape config");
    relabel_configs(sc.find("metric_relabel_configs"),
                    "empty or null metric relabeling rule in scrape config");
    relabel_legacy_ = global_relabel_legacy_;
    const bool has_relabel = relabels && relabels->is_sequence() && !relabels->items.empty();
    // promtool builds the targets (relabeling applied) and checks their addresses.
    if (has_relabel && p_.by == judge::promtool) {
      target_defaults_ = {
          {"job", job},
          {"__scheme__", text(sc.find("scheme")).empty() ? "http" : text(sc.find("scheme"))},
          {"__metrics_path__",
           text(sc.find("metrics_path")).empty() ? "/metrics" : text(sc.find("metrics_path"))}};
      simulate_relabels_ = relabels;
    }
    service_discovery(sc, !has_relabel);
    simulate_relabels_ = nullptr;
  }

  /// ScrapeConfig.Validate's name validation and escaping schemes (2.55, 3.4).
  void scrape_name_schemes(const node& sc) {
    if (!at(2, 55)) return;
    if (at(3, 0) && global_scheme_node_ && !global_scheme_checked_) {
      global_scheme_checked_ = true;
      validation_scheme(global_scheme_node_, "global ");
    }
    const node* vs = sc.find("metric_name_validation_scheme");
    validation_scheme(vs, at(3, 0) ? "scrape config " : "");
    std::string scheme = text(vs);
    if (scheme.empty())
      scheme = file_scheme_.empty() ? (at(3, 0) ? "utf8" : "legacy") : file_scheme_;
    // Since 3.7 relabel rules are validated with the scrape config's own scheme.
    relabel_legacy_ = at(3, 7) && scheme == "legacy";
    if (!at(3, 4)) return;
    const node* es = sc.find("metric_name_escaping_scheme");
    std::string escaping = text(es);
    if (es && !escaping.empty() && !escaping_scheme_ok(escaping)) {
      dec_.error(*es,
                 "unknown scrape config name escaping method specified, must be one of "
                 "'allow-utf-8', 'underscores', 'dots', or 'values', got " +
                     escaping);
      return;
    }
    // 3.7: a scrape config that sets its own validation scheme infers its escaping from it.
    if (escaping.empty() && at(3, 7) && !text(vs).empty()) {
      escaping = scheme == "legacy" ? "underscores" : "allow-utf-8";
    }
    if (escaping.empty()) escaping = global_escaping_;
    if (escaping.empty()) {
      const std::string global = file_scheme_.empty() ? "utf8" : file_scheme_;
      escaping = global == "legacy" ? "underscores" : "allow-utf-8";
    }
    if (escaping == "allow-utf-8" && scheme != "utf8") {
      dec_.error(es ? *es : sc,
                 "utf8 metric names requested but validation scheme is not set to UTF8");
    }
  }

  void service_discovery(const node& owner, bool check_static_targets) {
    for (const auto& e : owner.entries) {
      const std::string_view key = e.key.value;
      if (!is_discovery_key(key)) continue;
      if (!dec_.expect_sequence(e.value, "[]discovery.Config")) continue;
      const std::string mechanism(config::discovery_mechanism(key));
      for (const auto& c : e.value.items) {
        if (key == "static_configs") {
          static_config(c, check_static_targets);
        } else if (key == "file_sd_configs") {
          file_sd_config(c);
        } else if (key == "dns_sd_configs") {
          dns_sd_config(c);
        } else if (key == "http_sd_configs") {
          http_sd_config(c);
        } else if (c.is_null()) {
          dec_.error(c, "empty or null section in " + std::string(key));
        } else if (!config::known_discovery(mechanism, p_.version)) {
          // Listed by the target's features API but not in the tables: shape only.
          dec_.expect_map(c, "discovery.Config");
        } else if (dec_.expect_map(c, "discovery.Config")) {
          fields(c, {"sd:" + mechanism}, mechanism + ".plain");
          record_tls_ = mechanism == "kubernetes";
          if (config::known_field("sd:" + mechanism, "<http>", p_.version)) http_client(c);
          record_tls_ = false;
          discovery(mechanism, c);
        }
      }
    }
  }

  // --- service discoveries' own UnmarshalYAML rules (discovery/<mechanism>/) ---

  /// Go url.Parse plus the checks most discoveries make: scheme http(s) and a host.
  void http_url(const node& c, const node* u, std::string_view missing) {
    const std::string v = text(u);
    if (v.empty()) {
      dec_.error(u ? *u : c, std::string(missing));
    } else if (!v.starts_with("http://") && !v.starts_with("https://")) {
      dec_.error(*u, "URL scheme must be 'http' or 'https'");
    } else if (v.substr(v.find("//") + 2).empty() || v.substr(v.find("//") + 2)[0] == '/') {
      dec_.error(*u, "host is missing in URL");
    }
  }

  bool has(const node& c, std::string_view key) { return set(c.find(key)); }

  void require(const node& c, std::string_view key, std::string message) {
    if (!has(c, key)) dec_.error(c, std::move(message));
  }

  /// For fields with a non-empty default: only an explicitly emptied value is missing.
  void not_emptied(const node& c, std::string_view key, std::string message) {
    const node* n = c.find(key);
    if (!n) return;
    std::string v = text(n);
    v.erase(0, v.find_first_not_of(" \t\r\n"));
    if (v.empty()) dec_.error(*n, std::move(message));
  }

  void role(const node& c, std::initializer_list<std::string_view> roles, std::string missing,
            std::string_view unknown_prefix) {
    const node* r = c.find("role");
    const std::string v = text(r);
    if (v.empty()) {
      if (!missing.empty()) dec_.error(r ? *r : c, missing);
      return;
    }
    for (auto known : roles) {
      if (known == v) return;
    }
    dec_.error(*r, std::string(unknown_prefix) + quote(v));
  }

  /// True when any HTTP client field is set to something else than its default.
  bool custom_http_client(const node& c) {
    for (const auto& e : c.entries) {
      const std::string& k = e.key.value;
      if (!section_has("http", k) || e.value.is_null()) continue;
      if ((k == "follow_redirects" || k == "enable_http2") &&
          dec_.boolean(e.value).value_or(false)) {
        continue;
      }
      return true;
    }
    return false;
  }

  void discovery(const std::string& m, const node& c) {
    if (m == "kubernetes") {
      kubernetes(c);
    } else if (m == "azure") {
      const std::string method = text(c.find("authentication_method"));
      require(c, "subscription_id", "azure SD configuration requires a subscription_id");
      if (method.empty() || method == "OAuth") {
        require(c, "tenant_id", "azure SD configuration requires a tenant_id");
        require(c, "client_id", "azure SD configuration requires a client_id");
        require(c, "client_secret", "azure SD configuration requires a client_secret");
      }
      // SDK since 2.52, WorkloadIdentity since 3.11.
      if (!method.empty() && method != "OAuth" && method != "ManagedIdentity" &&
          !(at(2, 52) && method == "SDK") && !(at(3, 11) && method == "WorkloadIdentity")) {
        dec_.error(*c.find("authentication_method"),
                   "unknown authentication_type " + quote(method) +
                       ". Supported types are \"OAuth\" or \"ManagedIdentity\"");
      }
    } else if (m == "marathon") {
      const node* servers = c.find("servers");
      if (!servers || !servers->is_sequence() || servers->items.empty()) {
        dec_.error(c, "marathon_sd: must contain at least one Marathon server");
      }
      const bool token = has(c, "auth_token");
      const bool token_file = has(c, "auth_token_file");
      const node* authz = c.find("authorization");
      if (token && token_file) {
        dec_.error(c,
                   "marathon_sd: at most one of auth_token & auth_token_file must be configured");
      }
      if (token || token_file) {
        if (const node* b = c.find("basic_auth"); b && !b->is_null()) {
          dec_.error(c,
                     "marathon_sd: at most one of basic_auth, auth_token & auth_token_file "
                     "must be configured");
        }
        if (has(c, "bearer_token") || has(c, "bearer_token_file")) {
          dec_.error(c,
                     "marathon_sd: at most one of bearer_token, bearer_token_file, auth_token "
                     "& auth_token_file must be configured");
        }
        if (authz && !authz->is_null()) {
          dec_.error(c,
                     "marathon_sd: at most one of auth_token, auth_token_file & "
                     "authorization must be configured");
        }
      }
    } else if (m == "eureka") {
      const std::string server = text(c.find("server"));
      if (server.empty()) {
        dec_.error(c, "empty or null eureka server");
      } else if (server.find("://") == std::string::npos ||
                 server.substr(server.find("://") + 3).empty()) {
        dec_.error(*c.find("server"), "invalid eureka server URL");
      }
    } else if (m == "ec2" || m == "aws" || m == "rds") {
      if (const node* f = c.find("filters"); f && f->is_sequence()) {
        for (const auto& filter : f->items) {
          if (!dec_.expect_map(filter, "ec2.Filter")) continue;
          fields(filter, {"filter"}, "ec2.Filter");
          const node* values = filter.find("values");
          if (!values || !values->is_sequence() || values->items.empty()) {
            dec_.error(filter, "EC2 SD configuration filter values cannot be empty");
          }
        }
      }
      if (m == "aws") {
        // Roles by release: ec2, ecs, lightsail (3.8), msk (3.10), rds and elasticache (3.11).
        const std::string r = text(c.find("role"));
        const bool ok = r == "ec2" || r == "ecs" || r == "lightsail" || (at(3, 10) && r == "msk") ||
                        (at(3, 11) && (r == "rds" || r == "elasticache"));
        if (r.empty()) {
          dec_.error(c, "unknown AWS SD role \"\"");
        } else if (!ok) {
          dec_.error(*c.find("role"), "unknown AWS SD role " + quote(r));
        }
      }
    } else if (m == "uyuni") {
      require(c, "server", "Uyuni SD configuration requires server host");
      require(c, "username", "Uyuni SD configuration requires a username");
      require(c, "password", "Uyuni SD configuration requires a password");
    } else if (m == "hetzner") {
      role(c, {"robot", "hcloud"}, "role missing (one of: robot, hcloud)", "unknown role ");
    } else if (m == "puppetdb") {
      http_url(c, c.find("url"), "URL is missing");
      require(c, "query", "query missing");
    } else if (m == "scaleway") {
      role(c, {"instance", "baremetal"}, "role missing (one of: instance, baremetal)",
           "unknown role ");
      require(c, "project_id", "project_id is mandatory");
      const bool key = has(c, "secret_key");
      const bool key_file = has(c, "secret_key_file");
      if (!key && !key_file) {
        dec_.error(c, "one of secret_key & secret_key_file must be configured");
      } else if (key && key_file) {
        dec_.error(c, "at most one of secret_key & secret_key_file must be configured");
      }
      require(c, "access_key", "access_key is mandatory");
    } else if (m == "ovhcloud") {
      not_emptied(c, "endpoint", "endpoint can not be empty");
      require(c, "application_key", "application key can not be empty");
      require(c, "application_secret", "application secret can not be empty");
      require(c, "consumer_key", "consumer key can not be empty");
      const std::string service = text(c.find("service"));
      if (service.empty()) {
        dec_.error(c, "service can not be empty");
      } else if (service != "vps" && service != "dedicated_server") {
        dec_.error(*c.find("service"), "unknown service: " + service);
      }
    } else if (m == "openstack") {
      if (at(2, 47)) {
        role(c, {"instance", "hypervisor", "loadbalancer"},
             "role missing (one of: instance, hypervisor, loadbalancer)",
             "unknown OpenStack SD role ");
      } else {
        role(c, {"instance", "hypervisor"}, "role missing (one of: instance, hypervisor)",
             "unknown OpenStack SD role ");
      }
      const std::string availability = text(c.find("availability"));
      if (!availability.empty() && availability != "public" && availability != "admin" &&
          availability != "internal") {
        dec_.error(*c.find("availability"), "unknown availability " + availability +
                                                ", must be one of admin, internal or public");
      }
      require(c, "region", "openstack SD configuration requires a region");
      tls_config(c.find("tls_config"));
    } else if (m == "ionos") {
      require(c, "datacenter_id", "datacenter id can't be empty");
    } else if (m == "consul") {
      not_emptied(c, "server", "consul SD configuration requires a server address");
      const node* basic = c.find("basic_auth");
      if ((has(c, "username") || has(c, "password")) && basic && !basic->is_null()) {
        dec_.error(c,
                   "at most one of consul SD configuration username and password and basic "
                   "auth can be configured");
      }
      if (has(c, "token") && client_auth_token_conflict(c)) {
        dec_.error(c, "at most one of consul SD token, authorization, or oauth2 can be configured");
      }
    } else if (m == "gce") {
      require(c, "project", "GCE SD configuration requires a project");
      require(c, "zone", "GCE SD configuration requires a zone");
    } else if (m == "docker" || m == "dockerswarm") {
      require(c, "host", "host missing");
      if (m == "dockerswarm") {
        role(c, {"services", "tasks", "nodes"}, "role missing (one of: tasks, services, nodes)",
             "invalid role ");
      }
    } else if (m == "nerve" || m == "serverset") {
      const node* servers = c.find("servers");
      if (!servers || !servers->is_sequence() || servers->items.empty()) {
        dec_.error(c, m + " SD config must contain at least one Zookeeper server");
      }
      const node* paths = c.find("paths");
      if (!paths || !paths->is_sequence() || paths->items.empty()) {
        dec_.error(c, m + " SD config must contain at least one path");
      } else {
        for (const auto& path : paths->items) {
          if (!text(&path).starts_with("/")) {
            dec_.error(path, m + " SD config paths must begin with '/': " + text(&path));
          }
        }
      }
    } else if (m == "triton") {
      require(c, "account", "triton SD configuration requires an account");
      require(c, "dns_suffix", "triton SD configuration requires a dns_suffix");
      require(c, "endpoint", "triton SD configuration requires an endpoint");
      role(c, {"container", "cn"}, "", "unknown role ");
      tls_config(c.find("tls_config"));
    } else if (m == "kuma") {
      const std::string server = text(c.find("server"));
      if (server.find("://") == std::string::npos) {
        dec_.error(c, "kuma SD server must not be empty and have a scheme");
      }
    } else if (m == "nomad") {
      not_emptied(c, "server", "nomad SD configuration requires a server address");
    } else if (m == "outscale") {
      require(c, "region", "outscale SD configuration requires a region");
      require(c, "access_key", "outscale SD configuration requires access_key");
      const bool key = has(c, "secret_key");
      const bool key_file = has(c, "secret_key_file");
      if (!key && !key_file) {
        dec_.error(c, "one of secret_key & secret_key_file must be configured");
      } else if (key && key_file) {
        dec_.error(c, "at most one of secret_key & secret_key_file must be configured");
      }
    } else if (m == "digitalocean" && at(3, 12)) {
      // role (3.12) defaults to droplets.
      if (const node* r = c.find("role")) {
        const std::string v = text(r);
        if (v.empty()) {
          dec_.error(*r, "role missing (one of: droplets, databases)");
        } else if (v != "droplets" && v != "databases") {
          dec_.error(*r, "unknown DigitalOcean SD role " + quote(v));
        }
      }
    } else if (m == "oci") {
      const std::string auth = text(c.find("auth"));
      if (!auth.empty() && auth != "api_key" && auth != "instance_principal") {
        dec_.error(*c.find("auth"), "oci_sd: unknown auth method " + quote(auth) +
                                        ", expected \"api_key\" or \"instance_principal\"");
      }
    } else if (m == "stackit") {
      const node* endpoint = c.find("endpoint");
      const node* region = c.find("region");
      // The region defaults to eu01; only an explicitly emptied one can be missing.
      if (text(endpoint).empty() && region && text(region).empty()) {
        dec_.error(c, "stackit_sd: endpoint and region missing");
      }
      if (endpoint && !config::go_url_parses(text(endpoint))) {
        dec_.error(*endpoint, "stackit_sd: invalid endpoint " + quote(text(endpoint)));
      }
    }
  }

  /// kubernetes.SDConfig.UnmarshalYAML.
  void kubernetes(const node& c) {
    static constexpr std::string_view roles[] = {"pod",           "service", "endpoints",
                                                 "endpointslice", "node",    "ingress"};
    const std::string r = text(c.find("role"));
    const bool known_role = std::find(std::begin(roles), std::end(roles), r) != std::end(roles);
    if (r.empty()) {
      dec_.error(c, "role missing (one of: pod, service, endpoints, endpointslice, node, ingress)");
    } else if (!known_role) {
      dec_.error(*c.find("role"), "unknown Kubernetes SD role " + quote(r));
    }
    if (const node* ns = c.find("namespaces"); ns && dec_.expect_map(*ns, "kubernetes.plain")) {
      fields(*ns, {"k8s:namespaces"}, "kubernetes.plain");
      string_list(ns->find("names"));
    }
    if (const node* am = c.find("attach_metadata");
        am && dec_.expect_map(*am, "kubernetes.plain")) {
      fields(*am, {"k8s:attach_metadata"}, "kubernetes.plain");
    }
    const bool api_server = has(c, "api_server");
    const bool kubeconfig = has(c, "kubeconfig_file");
    const node* ns = c.find("namespaces");
    const bool own_namespace = ns && ns->is_map() && ns->find("own_namespace") &&
                               dec_.boolean(*ns->find("own_namespace")).value_or(false);
    if (api_server) url(c.find("api_server"));
    if (api_server && kubeconfig) {
      dec_.error(c, "cannot use 'kubeconfig_file' and 'api_server' simultaneously");
    } else if (kubeconfig && custom_http_client(c)) {
      dec_.error(c,
                 "cannot use a custom HTTP client configuration together with "
                 "'kubeconfig_file'");
    } else if (!api_server && !kubeconfig && custom_http_client(c)) {
      dec_.error(c,
                 "to use custom HTTP client configuration please provide the 'api_server' URL "
                 "explicitly");
    } else if (api_server && own_namespace) {
      dec_.error(c, "cannot use 'api_server' and 'namespaces.own_namespace' simultaneously");
    } else if (kubeconfig && own_namespace) {
      dec_.error(c, "cannot use 'kubeconfig_file' and 'namespaces.own_namespace' simultaneously");
    }
    const node* selectors = c.find("selectors");
    if (!selectors || !dec_.expect_sequence(*selectors, "[]kubernetes.SelectorConfig")) return;
    std::set<std::string, std::less<>> seen;
    for (const auto& sel : selectors->items) {
      if (!dec_.expect_map(sel, "kubernetes.SelectorConfig")) continue;
      fields(sel, {"k8s:selector"}, "kubernetes.SelectorConfig");
      const std::string sr = text(sel.find("role"));
      if (!sr.empty() && std::find(std::begin(roles), std::end(roles), sr) == std::end(roles)) {
        dec_.error(*sel.find("role"), "unknown Kubernetes SD role " + quote(sr));
        continue;
      }
      if (!seen.insert(sr).second) {
        dec_.error(sel, "duplicated selector role: " + sr);
        continue;
      }
      std::vector<std::string_view> allowed;
      if (r == "endpoints") {
        allowed = {"pod", "service", "endpoints"};
      } else if (r == "endpointslice") {
        allowed = {"pod", "service", "endpointslice"};
      } else if (r == "pod" && at(3, 11)) {
        allowed = {"pod", "node"};  // node selectors for the pod role since 3.11
      } else if (known_role) {
        allowed = {r};
      }
      if (known_role && std::find(allowed.begin(), allowed.end(), sr) == allowed.end()) {
        std::string list;
        for (std::size_t i = 0; i < allowed.size(); ++i)
          list += (i ? ", " : "") + std::string(allowed[i]);
        dec_.error(sel, r + " role supports only " + list + " selectors");
        continue;
      }
      const std::string field = text(sel.find("field"));
      if (!field.empty() && !config::field_selector_ok(field)) {
        dec_.error(*sel.find("field"),
                   "invalid selector: '" + field + "'; can't understand '" + field + "'");
      }
      const std::string label = text(sel.find("label"));
      if (!label.empty() && !config::label_selector_ok(label)) {
        dec_.error(*sel.find("label"), "unable to parse requirement: " + label);
      }
    }
  }

  void static_config(const node& c, bool check_targets) {
    if (c.is_null()) {
      dec_.error(c, "empty or null section in static_configs");
      return;
    }
    if (!dec_.expect_map(c, "targetgroup.Group")) return;
    fields(c, {"static"}, "targetgroup.Group");
    if (const node* t = c.find("targets"); t && dec_.expect_sequence(*t, "[]string")) {
      for (std::size_t i = 0; i < t->items.size(); ++i) {
        const auto& target = t->items[i];
        auto s = dec_.string(target);
        // config.go CheckTargetAddress: users put URLs where host:port belongs.
        if (check_targets && s && s->find('/') != std::string::npos) {
          dec_.error(target, quote(*s) + " is not a valid hostname");
        } else if (!check_targets && s && simulate_relabels_) {
          auto labels = target_defaults_;
          if (const node* l = c.find("labels"); l && l->is_map()) {
            for (const auto& e : l->entries)
              if (e.value.is_scalar()) labels[e.key.value] = e.value.value;
          }
          labels["__address__"] = *s;
          if (!relabel_process(*simulate_relabels_, labels)) continue;
          const std::string addr = labels["__address__"];
          if (addr.find('/') != std::string::npos) {
            dec_.error(target, "instance " + std::to_string(i) + " in group 0: " + quote(addr) +
                                   " is not a valid hostname");
          }
        }
      }
    }
    label_set(c.find("labels"), "model.LabelSet");
  }

  /// model/relabel Process on one label set; false when the target is dropped. hashmod is
  /// not computed (its value never makes an address invalid).
  bool relabel_process(const node& rules, std::map<std::string, std::string>& labels) {
    if (!rules.is_sequence()) return true;
    for (const auto& r : rules.items) {
      if (!r.is_map()) continue;
      const node* rx = r.find("regex");
      const std::string pattern = rx && !rx->is_null() ? text(rx) : "(.*)";
      re2::RE2::Options opts;
      opts.set_log_errors(false);
      const re2::RE2 re((at(3, 0) ? "^(?s:" : "^(?:") + pattern + ")$", opts);
      if (!re.ok()) return true;
      const node* sep_node = r.find("separator");
      const std::string sep = sep_node ? text(sep_node) : ";";
      std::string value;
      if (const node* sl = r.find("source_labels"); sl && sl->is_sequence()) {
        for (std::size_t i = 0; i < sl->items.size(); ++i)
          value += (i ? sep : "") + labels[sl->items[i].value];
      }
      const std::string action = r.find("action") ? lower(text(r.find("action"))) : "replace";
      const std::string target = text(r.find("target_label"));
      const std::string replacement = r.find("replacement") ? text(r.find("replacement")) : "$1";
      std::vector<re2::StringPiece> groups(static_cast<std::size_t>(re.NumberOfCapturingGroups()) +
                                           1);
      auto match = [&](const std::string& v) {
        return re.Match(v, 0, v.size(), re2::RE2::UNANCHORED, groups.data(),
                        static_cast<int>(groups.size()));
      };
      auto expand = [&](const std::string& tmpl) {
        std::string out;
        for (std::size_t i = 0; i < tmpl.size(); ++i) {
          if (tmpl[i] != '$' || i + 1 >= tmpl.size()) {
            out += tmpl[i];
            continue;
          }
          std::string name;
          std::size_t j = i + 1;
          if (tmpl[j] == '{') {
            const auto close = tmpl.find('}', j);
            if (close == std::string::npos) {
              out += tmpl[i];
              continue;
            }
            name = tmpl.substr(j + 1, close - j - 1);
            j = close + 1;
          } else {
            while (j < tmpl.size() &&
                   (std::isalnum(static_cast<unsigned char>(tmpl[j])) || tmpl[j] == '_'))
              name += tmpl[j++];
          }
          if (name.empty()) {
            out += tmpl[i];
            continue;
          }
          int index = -1;
          if (std::all_of(name.begin(), name.end(),
                          [](char ch) { return std::isdigit(static_cast<unsigned char>(ch)); })) {
            index = std::stoi(name);
          } else if (auto it = re.NamedCapturingGroups().find(name);
                     it != re.NamedCapturingGroups().end()) {
            index = it->second;
          }
          if (index >= 0 && static_cast<std::size_t>(index) < groups.size() &&
              groups[static_cast<std::size_t>(index)].data()) {
            out += std::string(groups[static_cast<std::size_t>(index)]);
          }
          i = j - 1;
        }
        return out;
      };
      if (action == "drop" && match(value)) return false;
      if (action == "keep" && !match(value)) return false;
      if (action == "dropequal" && labels[target] == value) return false;
      if (action == "keepequal" && labels[target] != value) return false;
      if (action == "replace" && match(value)) {
        const std::string name = expand(target);
        const std::string res = expand(replacement);
        if (name.empty()) continue;
        if (res.empty()) {
          labels.erase(name);
        } else {
          labels[name] = res;
        }
      } else if (action == "lowercase" || action == "uppercase") {
        std::string v = value;
        for (auto& ch : v)
          ch = static_cast<char>(action == "lowercase"
                                     ? std::tolower(static_cast<unsigned char>(ch))
                                     : std::toupper(static_cast<unsigned char>(ch)));
        labels[target] = v;
      } else if (action == "hashmod") {
        labels[target] = "0";
      } else if (action == "labelmap") {
        auto copy = labels;
        for (const auto& [k, v] : copy) {
          if (match(k)) labels[expand(replacement)] = v;
        }
      } else if (action == "labeldrop" || action == "labelkeep") {
        for (auto it = labels.begin(); it != labels.end();) {
          const bool m = match(it->first);
          it = (action == "labeldrop") == m ? labels.erase(it) : std::next(it);
        }
      }
    }
    return true;
  }

  void file_sd_config(const node& c) {
    if (c.is_null()) {
      dec_.error(c, "file service discovery config must contain at least one path name");
      return;
    }
    if (!dec_.expect_map(c, "file.plain")) return;
    fields(c, {"sd:file"}, "file.plain");
    duration(c.find("refresh_interval"));
    const node* files = c.find("files");
    if (!files || !files->is_sequence() || files->items.empty()) {
      if (files && !files->is_null() && !files->is_sequence()) {
        dec_.type_error(*files, "[]string");
      } else {
        dec_.error(files ? *files : c,
                   "file service discovery config must contain at least one path name");
      }
      return;
    }
    static const re2::RE2 file_sd_name(R"(^[^*]*(\*[^/]*)?\.(json|yml|yaml|JSON|YML|YAML)$)");
    for (const auto& f : files->items) {
      auto name = dec_.string(f);
      if (!name) continue;
      if (!re2::RE2::FullMatch(*name, file_sd_name) || !config::is_valid_glob(*name)) {
        dec_.error(f, "path name " + quote(*name) + " is not valid for file discovery");
      }
    }
  }

  void dns_sd_config(const node& c) {
    if (c.is_null() || !dec_.expect_map(c, "dns.plain")) {
      if (c.is_null()) dec_.error(c, "DNS-SD config must contain at least one SRV record name");
      return;
    }
    fields(c, {"sd:dns"}, "dns.plain");
    duration(c.find("refresh_interval"));
    const node* names = c.find("names");
    string_list(names);
    if (!names || !names->is_sequence() || names->items.empty()) {
      dec_.error(c, "DNS-SD config must contain at least one SRV record name");
    }
    std::string type = text(c.find("type"));
    for (auto& ch : type)
      ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
    if (type.empty()) type = "SRV";
    if (type != "SRV" && type != "A" && type != "AAAA" && type != "MX") {
      dec_.error(*c.find("type"), "invalid DNS-SD records type " + text(c.find("type")));
    } else if (type != "SRV") {
      const node* port = c.find("port");
      auto p = port ? dec_.integer(*port) : std::nullopt;
      if (!p || *p == 0) {
        dec_.error(c, "a port is required in DNS-SD configs for all record types except SRV");
      }
    }
  }

  void http_sd_config(const node& c) {
    if (c.is_null() || !dec_.expect_map(c, "http.plain")) {
      if (c.is_null()) dec_.error(c, "URL is missing");
      return;
    }
    fields(c, {"sd:http"}, "http.plain");
    duration(c.find("refresh_interval"));
    http_url(c, c.find("url"), "URL is missing");
    http_client(c);
  }

  void tls_config(const node* n) {
    if (!n || !dec_.expect_map(*n, "config.plain")) return;
    fields(*n, {"tls"}, "config.plain");
    boolean(n->find("insecure_skip_verify"));
    for (auto f : {"min_version", "max_version"}) {
      const std::string version = text(n->find(f));
      if (!version.empty() && version != "TLS10" && version != "TLS11" && version != "TLS12" &&
          version != "TLS13") {
        dec_.error(*n->find(f), "unknown TLS version: " + version);
      }
    }
    for (auto [inline_pem, file] :
         {std::pair{"ca", "ca_file"}, {"cert", "cert_file"}, {"key", "key_file"}}) {
      if (at(2, 45) && set(n->find(inline_pem)) && set(n->find(file))) {
        dec_.error(*n, std::string("at most one of ") + inline_pem + " and " + file +
                           " must be configured");
      }
    }
    const std::string cert = text(n->find("cert_file"));
    const std::string key = text(n->find("key_file"));
    const bool has_cert = !cert.empty() || (at(2, 45) && set(n->find("cert")));
    const bool has_key = !key.empty() || (at(2, 45) && set(n->find("key")));
    if (has_cert && !has_key) {
      dec_.error(*n, cert.empty() ? std::string("client cert specified without client key")
                                  : "client cert file " + quote(cert) +
                                        " specified without client key file");
    } else if (has_key && !has_cert) {
      dec_.error(*n, key.empty()
                         ? std::string("client key specified without client cert")
                         : "client key file " + quote(key) + " specified without client cert file");
    }
    for (auto [f, kind] : {std::pair{"ca_file", config::file_reference::what::ca},
                           {"cert_file", config::file_reference::what::cert},
                           {"key_file", config::file_reference::what::key}}) {
      const node* file = n->find(f);
      if (file && record_tls_ && kind != config::file_reference::what::ca) {
        reference(*file, text(file), kind);
      }
    }
  }

  void credential_file(const node& owner, std::string_view key) {
    if (const node* f = owner.find(key)) {
      reference(*f, text(f), config::file_reference::what::credential);
    }
  }

  /// How many of `keys` are set in `map` (fields unknown to the release count as unset: they
  /// were reported already).
  int count_set(const node& map, std::initializer_list<std::string_view> keys) {
    int n = 0;
    for (auto k : keys)
      n += set(map.find(k)) ? 1 : 0;
    return n;
  }

  /// common/config HTTPClientConfig fields inlined into `owner`, and Validate()'s rules.
  void http_client(const node& owner) {
    const node* basic = owner.find("basic_auth");
    const node* authz = owner.find("authorization");
    const node* oauth = owner.find("oauth2");
    const bool has_basic = basic && !basic->is_null();
    const bool has_authz = authz && !authz->is_null();
    const bool has_oauth = oauth && !oauth->is_null();
    const bool has_token = set(owner.find("bearer_token"));
    const bool has_token_file = set(owner.find("bearer_token_file"));
    if (has_basic && dec_.expect_map(*basic, "config.BasicAuth")) {
      fields(*basic, {"basic_auth"}, "config.BasicAuth");
      // *_ref (2.53) joins the exclusive choices; username_file arrived in 2.49.
      if (count_set(*basic, {"password", "password_file", "password_ref"}) > 1) {
        dec_.error(*basic, "at most one of basic_auth password & password_file must be configured");
      }
      if (count_set(*basic, {"username", "username_file", "username_ref"}) > 1) {
        dec_.error(*basic, "at most one of basic_auth username & username_file must be configured");
      }
    }
    if (has_token && has_token_file) {
      dec_.error(owner, "at most one of bearer_token & bearer_token_file must be configured");
    }
    if ((has_basic || has_oauth) && (has_token || has_token_file)) {
      dec_.error(owner,
                 "at most one of basic_auth, oauth2, bearer_token & bearer_token_file must be "
                 "configured");
    }
    if (has_authz && dec_.expect_map(*authz, "config.Authorization")) {
      fields(*authz, {"authorization"}, "config.Authorization");
      if (record_credentials_) credential_file(*authz, "credentials_file");
      if (has_token || has_token_file) {
        dec_.error(*authz, "authorization is not compatible with bearer_token & bearer_token_file");
      }
      if (count_set(*authz, {"credentials", "credentials_file", "credentials_ref"}) > 1) {
        dec_.error(*authz,
                   "at most one of authorization credentials & credentials_file must be "
                   "configured");
      }
      std::string type = text(authz->find("type"));
      const auto first = type.find_first_not_of(" \t\r\n\v\f");
      type = first == std::string::npos ? "" : type.substr(first);
      type = type.substr(0, type.find_last_not_of(" \t\r\n\v\f") + 1);
      for (auto& ch : type)
        ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
      if (type == "basic") {
        dec_.error(*authz,
                   R"(authorization type cannot be set to "basic", use "basic_auth" instead)");
      }
      if (has_basic || has_oauth) {
        dec_.error(*authz, "at most one of basic_auth, oauth2 & authorization must be configured");
      }
    }
    if (has_oauth && dec_.expect_map(*oauth, "config.OAuth2")) {
      fields(*oauth, {"oauth2"}, "config.OAuth2");
      if (has_basic) {
        dec_.error(*oauth, "at most one of basic_auth, oauth2 & authorization must be configured");
      }
      // 3.8 (common 0.67): a JWT grant signs with a client certificate key instead.
      // 3.8 (common 0.67): a JWT grant signs with a client certificate key instead.
      const bool jwt = at(3, 8) && text(oauth->find("grant_type")) ==
                                       "urn:ietf:params:oauth:grant-type:jwt-bearer";
      const int secrets =
          count_set(*oauth, {"client_secret", "client_secret_file", "client_secret_ref"});
      const int keys = count_set(*oauth, {"client_certificate_key", "client_certificate_key_file",
                                          "client_certificate_key_ref"});
      if (!set(oauth->find("client_id"))) {
        dec_.error(*oauth, "oauth2 client_id must be configured");
      } else if (!at(2, 52) && secrets == 0) {
        // Since common 0.53 (2.52) a secret is optional.
        dec_.error(*oauth, "either oauth2 client_secret or client_secret_file must be configured");
      } else if (!set(oauth->find("token_url"))) {
        dec_.error(*oauth, "oauth2 token_url must be configured");
      } else if (jwt && keys > 1) {
        dec_.error(*oauth,
                   "at most one of oauth2 client_certificate_key, "
                   "client_certificate_key_file & client_certificate_key_ref must be "
                   "configured");
      } else if (!jwt && secrets > 1) {
        dec_.error(*oauth,
                   "at most one of oauth2 client_secret & client_secret_file must be configured");
      }
      string_list(oauth->find("scopes"));
      string_map(oauth->find("endpoint_params"), "map[string]string");
      tls_config(oauth->find("tls_config"));
      url(oauth->find("proxy_url"));
    }
    url(owner.find("proxy_url"));
    if (at(2, 43)) {
      boolean(owner.find("proxy_from_environment"));
      const bool from_env = owner.find("proxy_from_environment") &&
                            dec_.boolean(*owner.find("proxy_from_environment")).value_or(false);
      if (from_env && set(owner.find("proxy_url"))) {
        dec_.error(owner,
                   "if proxy_from_environment is configured, proxy_url must not be configured");
      }
      if (from_env && set(owner.find("no_proxy"))) {
        dec_.error(owner,
                   "if proxy_from_environment is configured, no_proxy must not be configured");
      }
      if (!set(owner.find("proxy_url")) && set(owner.find("no_proxy"))) {
        dec_.error(owner, "if no_proxy is configured, proxy_url must also be configured");
      }
    }
    if (at(2, 53)) http_headers(owner.find("http_headers"));
    if (const node* h = owner.find("proxy_connect_header"); h && !h->is_null()) {
      if (dec_.expect_map(*h, "config.Header")) {
        for (const auto& e : h->entries)
          string_list(&e.value);
      }
      const bool from_env = at(2, 43) && owner.find("proxy_from_environment") &&
                            dec_.boolean(*owner.find("proxy_from_environment")).value_or(false);
      if (!set(owner.find("proxy_url")) && !from_env && !h->entries.empty()) {
        dec_.error(*h, at(2, 43) ? "if proxy_connect_header is configured, proxy_url or "
                                   "proxy_from_environment must also be configured"
                                 : "if proxy_connect_header is configured proxy_url must also be "
                                   "configured");
      }
    }
    tls_config(owner.find("tls_config"));
    boolean(owner.find("follow_redirects"));
    boolean(owner.find("enable_http2"));
    // HTTPClientConfig.Validate turns bearer_token_file into authorization.credentials_file.
    if (record_credentials_) credential_file(owner, "bearer_token_file");
  }

  /// common 0.54 http_headers: name -> {values, secrets, files}; some names are reserved.
  void http_headers(const node* n) {
    if (!n || !dec_.expect_map(*n, "config.Headers")) return;
    static constexpr std::string_view reserved[] = {"Authorization",
                                                    "Host",
                                                    "Content-Encoding",
                                                    "Content-Length",
                                                    "Content-Type",
                                                    "User-Agent",
                                                    "Connection",
                                                    "Keep-Alive",
                                                    "Proxy-Authenticate",
                                                    "Proxy-Authorization",
                                                    "Www-Authenticate",
                                                    "Accept-Encoding",
                                                    "X-Prometheus-Remote-Write-Version",
                                                    "X-Prometheus-Remote-Read-Version",
                                                    "X-Prometheus-Scrape-Timeout-Seconds",
                                                    "X-Amz-Date",
                                                    "X-Amz-Security-Token",
                                                    "X-Amz-Content-Sha256"};
    for (const auto& e : n->entries) {
      const std::string name = lower(e.key.value);
      for (auto r : reserved) {
        if (lower(std::string(r)) == name) {
          dec_.error(e.key, "setting header " + quote(e.key.value) + " is not allowed");
        }
      }
      if (!dec_.expect_map(e.value, "config.Header")) continue;
      for (const auto& f : e.value.entries) {
        if (f.key.value != "values" && f.key.value != "secrets" && f.key.value != "files") {
          unknown(f.key, "field " + f.key.value + " not found in type config.Header");
        } else {
          string_list(&f.value);
        }
      }
    }
  }

  void relabel_configs(const node* n, std::string_view null_message) {
    if (!n || !dec_.expect_sequence(*n, "[]*relabel.Config")) return;
    for (const auto& r : n->items) {
      if (r.is_null()) {
        dec_.error(r, std::string(null_message));
      } else {
        relabel(r);
      }
    }
  }

  /// model/relabel Config.UnmarshalYAML of Prometheus 2.42.
  void relabel(const node& r) {
    if (!dec_.expect_map(r, "relabel.plain")) return;
    fields(r, {"relabel"}, "relabel.plain");
    const bool utf8 = names_ == name_scheme::utf8 && !relabel_legacy_;
    if (const node* s = r.find("source_labels");
        s && dec_.expect_sequence(*s, "model.LabelNames")) {
      for (const auto& l : s->items) {
        auto name = dec_.string(l);
        if (name && !label_name_ok(*name)) {
          dec_.error(l, quote(*name) + " is not a valid label name");
        }
      }
    }
    const node* regex = r.find("regex");
    // Since 3.0 the regex is anchored as ^(?s:re)$: `.` also matches a newline.
    const std::string open = at(3, 0) ? "^(?s:" : "^(?:";
    if (regex && !regex->is_null()) {
      if (auto re = dec_.string(*regex)) {
        re2::RE2::Options opts;
        opts.set_log_errors(false);
        const re2::RE2 compiled(open + *re + ")$", opts);
        if (!compiled.ok()) {
          dec_.error(*regex,
                     "error parsing regexp: " + compiled.error() + ": `" + open + *re + ")$`");
        }
      }
    }
    const node* modulus_node = r.find("modulus");
    std::int64_t modulus = 0;
    if (modulus_node) {
      auto m = dec_.integer(*modulus_node, "uint64");
      if (m && *m < 0) dec_.type_error(*modulus_node, "uint64");
      modulus = m.value_or(0);
    }
    const node* action_node = r.find("action");
    std::string action = action_node ? text(action_node) : "replace";
    for (auto& ch : action)
      ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    static const std::set<std::string, std::less<>> actions = {
        "replace",   "keep",      "drop",      "hashmod",   "labelmap", "labeldrop",
        "labelkeep", "lowercase", "uppercase", "keepequal", "dropequal"};
    if (!actions.contains(action)) {
      dec_.error(action_node ? *action_node : r,
                 "unknown relabel action " + quote(text(action_node)));
      return;
    }
    const std::string target = text(r.find("target_label"));
    const node* replacement_node = r.find("replacement");
    const std::string replacement = replacement_node ? text(replacement_node) : "$1";
    const bool target_needed = action == "replace" || action == "hashmod" ||
                               action == "lowercase" || action == "uppercase" ||
                               action == "keepequal" || action == "dropequal";
    const bool lower_upper_equal = action == "lowercase" || action == "uppercase" ||
                                   action == "keepequal" || action == "dropequal";
    // Legacy names: relabelTarget (a label name with $1 / ${1} references) for replace and
    // labelmap, the plain rule for the others. UTF-8 (3.x): any non-empty valid UTF-8.
    auto target_ok = [&](const std::string& t, bool templated) {
      if (utf8) return !t.empty() && is_valid_utf8(t);
      return templated ? re2::RE2::FullMatch(t, relabel_target()) : is_valid_label_name(t);
    };
    const bool lower_upper_templated = !at(3, 0);  // 2.x used relabelTarget for them too
    if (action == "hashmod" && modulus == 0) {
      dec_.error(r, "relabel configuration for hashmod requires non-zero modulus");
    } else if (target_needed && target.empty()) {
      dec_.error(r,
                 "relabel configuration for " + action + " action requires 'target_label' value");
    } else if ((action == "replace" && !target_ok(target, true)) ||
               (lower_upper_equal && !target_ok(target, lower_upper_templated))) {
      dec_.error(r, quote(target) + " is invalid 'target_label' for " + action + " action");
    } else if (lower_upper_equal && replacement != "$1") {
      dec_.error(r, "'replacement' can not be set for " + action + " action");
    } else if (action == "labelmap" && !target_ok(replacement, true)) {
      dec_.error(r, quote(replacement) + " is invalid 'replacement' for " + action + " action");
    } else if (action == "hashmod" && !target_ok(target, false)) {
      dec_.error(r, quote(target) + " is invalid 'target_label' for " + action + " action");
    } else if (action == "labeldrop" || action == "labelkeep") {
      const node* sep = r.find("separator");
      if (r.find("source_labels") || !target.empty() || modulus != 0 || (sep && text(sep) != ";") ||
          replacement != "$1") {
        dec_.error(r, action + " action requires only 'regex', and no other fields");
      }
    } else if (action == "keepequal" || action == "dropequal") {
      const node* sep = r.find("separator");
      if ((regex && text(regex) != "(.*)") || modulus != 0 || (sep && text(sep) != ";")) {
        dec_.error(r, action +
                          " action requires only 'source_labels' and `target_label`, and no other "
                          "fields");
      }
    }
  }

  void alerting(const node& a) {
    if (!dec_.expect_map(a, "config.AlertingConfig")) return;
    fields(a, {"alerting"}, "config.AlertingConfig");
    relabel_configs(a.find("alert_relabel_configs"), "empty or null alert relabeling rule");
    const node* ams = a.find("alertmanagers");
    if (!ams || !dec_.expect_sequence(*ams, "config.AlertmanagerConfigs")) return;
    for (const auto& am : ams->items) {
      if (am.is_null()) {
        dec_.error(am, "empty or null alertmanager config section");
        continue;
      }
      if (!dec_.expect_map(am, "config.AlertmanagerConfig")) continue;
      for (const auto& e : am.entries) {
        const bool known = e.key.is_scalar() &&
                           (section_has("alertmanager", e.key.value) ||
                            section_has("http", e.key.value) || is_discovery_key(e.key.value));
        if (!known) {
          unknown(e.key, "field " + e.key.value + " not found in type config.AlertmanagerConfig");
        }
      }
      duration(am.find("timeout"));
      const node* version = am.find("api_version");
      const std::string v = text(version);
      // v1 was removed in 3.0.
      if (version && !version->is_null() && v != "v2" && (v != "v1" || at(3, 0))) {
        dec_.error(*version, std::string("expected Alertmanager api version to be one of ") +
                                 (at(3, 0) ? "[v2]" : "[v1 v2]") + " but got " + v);
      }
      http_client(am);
      if (at(2, 48)) {
        sigv4(am.find("sigv4"));
        if (const node* sv = am.find("sigv4"); sv && !sv->is_null() && client_auth(am)) {
          dec_.error(am,
                     "at most one of basic_auth, authorization, oauth2, & sigv4 must be "
                     "configured");
        }
      }
      if (at(2, 51)) {
        relabel_configs(am.find("alert_relabel_configs"),
                        "empty or null Alertmanager alert relabeling rule");
      }
      const node* relabels = am.find("relabel_configs");
      relabel_configs(relabels, "empty or null Alertmanager target relabeling rule");
      const bool am_relabel = relabels && relabels->is_sequence() && !relabels->items.empty();
      if (am_relabel && p_.by == judge::promtool) {
        target_defaults_ = {
            {"__scheme__", text(am.find("scheme")).empty() ? "http" : text(am.find("scheme"))}};
        simulate_relabels_ = relabels;
      }
      service_discovery(am, !am_relabel);
      simulate_relabels_ = nullptr;
    }
  }

  void remote_write(const node& n) {
    if (!dec_.expect_sequence(n, "[]*config.RemoteWriteConfig")) return;
    for (const auto& rw : n.items) {
      if (rw.is_null()) {
        dec_.error(rw, "empty or null remote write config section");
        continue;
      }
      if (!dec_.expect_map(rw, "config.RemoteWriteConfig")) continue;
      fields(rw, {"remote_write", "http"}, "config.RemoteWriteConfig");
      if (!set(rw.find("url"))) dec_.error(rw, "url for remote_write is empty");
      duration(rw.find("remote_timeout"));
      string_map(rw.find("headers"), "map[string]string");
      relabel_configs(rw.find("write_relabel_configs"),
                      "empty or null relabeling rule in remote write config");
      remote_headers(rw.find("headers"));
      http_client(rw);
      remote_name(rw, "remote write", remote_write_names_);
      if (const node* q = rw.find("queue_config"); q && dec_.expect_map(*q, "config.QueueConfig")) {
        fields(*q, {"queue"}, "config.QueueConfig");
        for (auto f : {"capacity", "max_shards", "min_shards", "max_samples_per_send"})
          if (const node* i = q->find(f)) dec_.integer(*i, "int");
        for (auto f : {"batch_send_deadline", "min_backoff", "max_backoff", "sample_age_limit"})
          if (config::known_field("queue", f, p_.version)) duration(q->find(f));
        boolean(q->find("retry_on_http_429"));
        if (at(3, 12)) queue_bounds(*q);
      }
      if (const node* m = rw.find("metadata_config");
          m && dec_.expect_map(*m, "config.MetadataConfig")) {
        fields(*m, {"metadata"}, "config.MetadataConfig");
        boolean(m->find("send"));
        duration(m->find("send_interval"));
      }
      if (const node* pm = rw.find("protobuf_message"); pm && at(2, 54) && !pm->is_null()) {
        const std::string v = text(pm);
        if (v != "prometheus.WriteRequest" && v != "io.prometheus.write.v2.Request") {
          dec_.error(*pm, "invalid protobuf_message value: unknown remote write protobuf message " +
                              v +
                              ", supported: prometheus.WriteRequest, "
                              "io.prometheus.write.v2.Request");
        }
      }
      sigv4(rw.find("sigv4"));
      std::vector<std::string> auth;
      if (const node* b = rw.find("basic_auth"); b && !b->is_null())
        auth.emplace_back("basic_auth");
      if (const node* b = rw.find("authorization"); b && !b->is_null())
        auth.emplace_back("authorization");
      if (const node* b = rw.find("oauth2"); b && !b->is_null()) auth.emplace_back("oauth2");
      for (auto k : {"sigv4", "azuread", "google_iam"}) {
        if (const node* b = rw.find(k);
            b && !b->is_null() && config::known_field("remote_write", k, p_.version))
          auth.emplace_back(k);
      }
      if (auth.size() > 1) {
        dec_.error(rw, at(2, 45)
                           ? "at most one of basic_auth, authorization, oauth2, sigv4, azuread "
                             "or google_iam must be configured"
                           : "at most one of basic_auth, authorization, oauth2, & sigv4 must "
                             "be configured");
      }
      if (const node* ad = rw.find("azuread"); ad && at(2, 45)) azuread(*ad);
      if (const node* gi = rw.find("google_iam");
          gi && at(2, 55) && dec_.expect_map(*gi, "googleiam.Config")) {
        fields(*gi, {"google_iam"}, "googleiam.Config");
      }
      if (at(3, 1)) boolean(rw.find("round_robin_dns"));
    }
  }

  /// QueueConfig.Validate (3.12), on the configured values over upstream's defaults.
  void queue_bounds(const node& q) {
    auto number = [&](const char* key, std::int64_t fallback) {
      const node* n = q.find(key);
      return n && !n->is_null() ? dec_.integer(*n, "int").value_or(fallback) : fallback;
    };
    auto millis = [&](const char* key, milliseconds fallback) {
      const node* n = q.find(key);
      return n && !n->is_null() ? dec_.duration(*n).value_or(fallback) : fallback;
    };
    const auto max_shards = number("max_shards", 50);
    const auto min_shards = number("min_shards", 1);
    if (max_shards <= 0) {
      dec_.error(q, "remote write queue max_shards must be positive");
    } else if (min_shards <= 0) {
      dec_.error(q, "remote write queue min_shards must be positive");
    } else if (min_shards > max_shards) {
      dec_.error(q, "remote write queue min_shards must not be greater than max_shards");
    } else if (number("max_samples_per_send", 2000) <= 0) {
      dec_.error(q, "remote write queue max_samples_per_send must be positive");
    } else if (number("capacity", 10000) <= 0) {
      dec_.error(q, "remote write queue capacity must be positive");
    } else if (millis("max_backoff", milliseconds{5000}) <
               millis("min_backoff", milliseconds{30})) {
      dec_.error(q, "remote write queue max_backoff must not be less than min_backoff");
    }
  }

  bool client_auth_token_conflict(const node& owner) {
    for (auto k : {"authorization", "oauth2"}) {
      if (const node* b = owner.find(k); b && !b->is_null()) return true;
    }
    return false;
  }

  bool client_auth(const node& owner) {
    for (auto k : {"basic_auth", "authorization", "oauth2"}) {
      if (const node* b = owner.find(k); b && !b->is_null()) return true;
    }
    return false;
  }

  void sigv4(const node* n) {
    if (n && dec_.expect_map(*n, "sigv4.SigV4Config")) fields(*n, {"sigv4"}, "sigv4.SigV4Config");
  }

  /// storage/remote/azuread AzureADConfig.Validate.
  void azuread(const node& n) {
    if (!dec_.expect_map(n, "azuread.AzureADConfig")) return;
    fields(n, {"azuread"}, "azuread.AzureADConfig");
    const std::string cloud = text(n.find("cloud"));
    if (!cloud.empty() && cloud != "AzureChina" && cloud != "AzureGovernment" &&
        cloud != "AzurePublic") {
      dec_.error(*n.find("cloud"), "must provide a cloud in the Azure AD config");
      return;
    }
    auto method = [&](const char* key) -> const node* {
      const node* m = n.find(key);
      return m && !m->is_null() && config::known_field("azuread", key, p_.version) ? m : nullptr;
    };
    const node* managed = method("managed_identity");
    const node* oauth = method("oauth");
    const node* sdk = method("sdk");
    const node* workload = method("workload_identity");
    const node* certificate = method("certificate");
    const int methods = (managed != nullptr) + (oauth != nullptr) + (sdk != nullptr) +
                        (workload != nullptr) + (certificate != nullptr);
    for (auto [m, section] : {std::pair{managed, "azuread.managed_identity"},
                              {oauth, "azuread.oauth"},
                              {sdk, "azuread.sdk"},
                              {workload, "azuread.workload_identity"},
                              {certificate, "azuread.certificate"}}) {
      if (m && dec_.expect_map(*m, "azuread.plain")) fields(*m, {section}, "azuread.plain");
    }
    if (methods == 0) {
      dec_.error(n, "must provide an authentication method in the Azure AD config");
      return;
    }
    if (methods > 1) {
      dec_.error(n, "cannot provide multiple authentication methods in the Azure AD config");
      return;
    }
    if (managed && has(*managed, "client_id") &&
        !config::uuid_ok(text(managed->find("client_id")))) {
      dec_.error(*managed, "the provided Azure Managed Identity client_id is invalid");
    }
    for (auto [m, what] : {std::pair{oauth, "OAuth"},
                           {workload, "Workload Identity"},
                           {certificate, "Certificate"}}) {
      if (!m || !m->is_map()) continue;
      const std::string id = text(m->find("client_id"));
      if (id.empty()) {
        dec_.error(
            *m, std::string("must provide an Azure ") + what + " client_id in the Azure AD config");
      } else if (m == oauth && !has(*m, "client_secret")) {
        dec_.error(*m, "must provide an Azure OAuth client_secret in the Azure AD config");
      } else if (!has(*m, "tenant_id")) {
        dec_.error(
            *m, std::string("must provide an Azure ") + what + " tenant_id in the Azure AD config");
      } else if (m == certificate && !has(*m, "certificate_path")) {
        dec_.error(*m, "must provide an Azure Certificate certificate_path in the Azure AD config");
      } else if (!config::uuid_ok(id)) {
        dec_.error(*m, std::string("the provided Azure ") + what + " client_id is invalid");
      } else if (m == workload && !config::uuid_ok(text(m->find("tenant_id")))) {
        dec_.error(*m, "the provided Azure Workload Identity tenant_id is invalid");
      }
    }
    if (const node* scope = n.find("scope"); scope && at(3, 9) && has(n, "scope")) {
      static const re2::RE2 scope_chars(R"(^[\w\s:/.\-]+$)");
      if (!re2::RE2::FullMatch(text(scope), scope_chars)) {
        dec_.error(*scope, "the provided scope contains invalid characters");
      }
    }
  }

  /// config.go validateHeaders (remote write and read).
  void remote_headers(const node* n) {
    if (!n || !n->is_map()) return;
    for (const auto& e : n->entries) {
      const std::string h = lower(e.key.value);
      if (h == "authorization") {
        dec_.error(e.key, at(2, 45) ? "authorization header must be changed via the basic_auth, "
                                      "authorization, oauth2, sigv4, azuread or google_iam "
                                      "parameter"
                                    : "authorization header must be changed via the basic_auth, "
                                      "authorization, oauth2, or sigv4 parameter");
      } else if (reserved_header(h)) {
        dec_.error(e.key, e.key.value + " is a reserved header. It must not be changed");
      }
    }
  }

  static bool reserved_header(std::string_view h) {
    static constexpr std::string_view reserved[] = {"host",
                                                    "content-encoding",
                                                    "content-length",
                                                    "content-type",
                                                    "user-agent",
                                                    "connection",
                                                    "keep-alive",
                                                    "proxy-authenticate",
                                                    "proxy-authorization",
                                                    "www-authenticate",
                                                    "accept-encoding",
                                                    "x-prometheus-remote-write-version",
                                                    "x-prometheus-remote-read-version",
                                                    "x-amz-date",
                                                    "x-amz-security-token",
                                                    "x-amz-content-sha256"};
    return std::find(std::begin(reserved), std::end(reserved), h) != std::end(reserved);
  }

  void remote_name(const node& owner, std::string_view what,
                   std::set<std::string, std::less<>>& seen) {
    const std::string name = text(owner.find("name"));
    if (!name.empty() && !seen.insert(name).second) {
      dec_.error(*owner.find("name"),
                 "found multiple " + std::string(what) + " configs with job name " + quote(name));
    }
  }

  void remote_read(const node& n) {
    if (!dec_.expect_sequence(n, "[]*config.RemoteReadConfig")) return;
    for (const auto& rr : n.items) {
      if (rr.is_null()) {
        dec_.error(rr, "empty or null remote read config section");
        continue;
      }
      if (!dec_.expect_map(rr, "config.RemoteReadConfig")) continue;
      fields(rr, {"remote_read", "http"}, "config.RemoteReadConfig");
      if (!set(rr.find("url"))) dec_.error(rr, "url for remote_read is empty");
      duration(rr.find("remote_timeout"));
      boolean(rr.find("read_recent"));
      string_map(rr.find("headers"), "map[string]string");
      string_map(rr.find("required_matchers"), "model.LabelSet");
      remote_headers(rr.find("headers"));
      boolean(rr.find("filter_external_labels"));
      if (at(2, 55)) unsigned_int(rr.find("chunked_read_limit"), "uint64");
      http_client(rr);
      remote_name(rr, "remote read", remote_read_names_);
    }
  }

  void storage(const node& n) {
    if (!dec_.expect_map(n, "config.StorageConfig")) return;
    fields(n, {"storage"}, "config.StorageConfig");
    if (const node* t = n.find("tsdb"); t && dec_.expect_map(*t, "config.TSDBConfig")) {
      fields(*t, {"tsdb"}, "config.TSDBConfig");
      duration(t->find("out_of_order_time_window"));
      if (const node* th = t->find("stale_series_compaction_threshold"); th && at(3, 10)) {
        float64(*th);  // a fraction 0.0-1.0, not validated further upstream
      }
      if (const node* r = t->find("retention");
          r && at(3, 8) && dec_.expect_map(*r, "config.TSDBRetentionConfig")) {
        fields(*r, {"retention"}, "config.TSDBRetentionConfig");
        duration(r->find("time"));
        if (const node* sz = r->find("size"); sz && !text(sz).starts_with("-")) body_size_limit(sz);
        if (const node* pc = r->find("percentage"); pc && at(3, 11)) {
          if (auto v = float64(*pc); v && (*v < 0 || *v > 100)) {
            dec_.error(*pc,
                       "'storage.tsdb.retention.percentage' must be in the range [0, 100], got " +
                           text(pc));
          }
        }
        if (const node* sz = r->find("size"); sz && text(sz).starts_with("-")) {
          dec_.error(*sz, "'storage.tsdb.retention.size' must be greater than or equal to 0");
        }
      }
      if (const node* ce = t->find("chunk_encoding");
          ce && at(3, 13) && dec_.expect_map(*ce, "config.ChunkEncodingConfig")) {
        fields(*ce, {"chunk_encoding"}, "config.ChunkEncodingConfig");
        const std::string f = text(ce->find("floats"));
        if (!f.empty() && f != "xor" && f != "xor2") {
          dec_.error(*ce->find("floats"),
                     "'storage.tsdb.chunk_encoding.floats' must be 'xor' or 'xor2', or the field "
                     "must be omitted entirely, got " +
                         quote(f));
        }
      }
    }
    if (const node* e = n.find("exemplars"); e && dec_.expect_map(*e, "config.ExemplarsConfig")) {
      fields(*e, {"exemplars"}, "config.ExemplarsConfig");
      if (const node* m = e->find("max_exemplars")) dec_.integer(*m, "int64");
    }
  }

  void tracing(const node& n) {
    if (!dec_.expect_map(n, "config.TracingConfig")) return;
    fields(n, {"tracing"}, "config.TracingConfig");
    if (const node* h = n.find("headers"); h && h->is_map()) {
      for (const auto& e : h->entries) {
        const std::string name = lower(e.key.value);
        if (name == "authorization") {
          dec_.error(e.key, "custom authorization header configuration is not yet supported");
        } else if (reserved_header(name)) {
          dec_.error(e.key, e.key.value + " is a reserved header. It must not be changed");
        }
      }
    }
    if (!set(n.find("endpoint"))) dec_.error(n, "tracing endpoint must be set");
    const node* type = n.find("client_type");
    const std::string t = text(type);
    if (type && !t.empty() && t != "http" && t != "grpc") {
      dec_.error(*type, "expected tracing client type to be to be http or grpc, but got " + t);
    }
    boolean(n.find("insecure"));
    duration(n.find("timeout"));
    string_map(n.find("headers"), "map[string]string");
    tls_config(n.find("tls_config"));
    const std::string compression = text(n.find("compression"));
    if (!compression.empty() && compression != "gzip") {
      dec_.error(*n.find("compression"),
                 "invalid compression type " + compression + " provided, valid options: gzip");
    }
  }

  yaml::decoder& dec_;
  const profile& p_;
  name_scheme names_ = name_scheme::legacy;
  /// The file's global.metric_name_validation_scheme and escaping scheme as written.
  std::string file_scheme_;
  std::string global_escaping_;
  /// Relabel rules of the scrape config being checked use legacy names (3.7+, legacy scheme).
  bool relabel_legacy_ = false;
  bool global_relabel_legacy_ = false;
  /// promtool only: the relabel rules static targets go through, and their default labels.
  const node* simulate_relabels_ = nullptr;
  std::map<std::string, std::string> target_defaults_;
  const node* global_scheme_node_ = nullptr;
  bool global_scheme_checked_ = false;
  core::diagnostics warnings_;
  /// What promtool's checkConfig stats: the scrape config's own credentials file and TLS
  /// client cert and key, and the TLS files of its kubernetes discoveries.
  std::vector<config::file_reference> refs_;
  bool record_credentials_ = false;
  bool record_tls_ = false;
  std::set<std::string, std::less<>> remote_write_names_;
  std::set<std::string, std::less<>> remote_read_names_;
  std::set<std::string, std::less<>> jobs_;
  milliseconds global_interval_ = default_scrape_interval;
  milliseconds global_timeout_ = default_scrape_timeout;
};

report run(std::string_view path, std::string_view content, const limits& lim, const profile& prof,
           void (checker::*entry)(const node&)) {
  report out;
  yaml::document doc = yaml::load(path, content, lim);
  if (!doc.ok()) {
    out.errors = std::move(doc.errors);
    return out;
  }
  if (!doc.root || doc.root->is_null()) return out;
  yaml::decoder dec(path, yaml::dialect::v2);
  checker c(dec, prof);
  (c.*entry)(*doc.root);
  out.errors = dec.take_errors();
  out.warnings = c.take_warnings();
  // Prometheus reads the scrape_config_files at load; promtool also requires the rule,
  // credential and TLS files the config names to exist (check_referenced_files decides).
  if (out.errors.empty()) {
    auto refs = c.take_references();
    auto more = config::check_referenced_files(path, refs, lim, prof, c.job_names());
    out.errors.insert(out.errors.end(), more.errors.begin(), more.errors.end());
    out.warnings.insert(out.warnings.end(), more.warnings.begin(), more.warnings.end());
  }
  return out;
}

}  // namespace

report check_config(std::string_view path, std::string_view content, const limits& lim,
                    const profile& prof) {
  return place_file_level_errors(run(path, content, lim, prof, &checker::config));
}

report check_scrape_config(std::string_view path, std::string_view content, const limits& lim,
                           const profile& prof) {
  return place_file_level_errors(run(path, content, lim, prof, &checker::scrape_config_file));
}

namespace config {

bool is_valid_glob(std::string_view p) {
  for (std::size_t i = 0; i < p.size(); ++i) {
    if (p[i] == '\\') {
      if (++i >= p.size()) return false;
    } else if (p[i] == '[') {
      ++i;
      if (i < p.size() && p[i] == '^') ++i;
      bool first = true;
      for (;;) {
        if (i >= p.size()) return false;
        if (p[i] == ']' && !first) break;
        first = false;
        // One character (possibly escaped), optionally a range to another.
        auto one = [&]() {
          if (i >= p.size() || p[i] == '-' || p[i] == ']') return false;
          if (p[i] == '\\' && ++i >= p.size()) return false;
          ++i;
          return true;
        };
        if (!one()) return false;
        if (i < p.size() && p[i] == '-') {
          ++i;
          if (!one()) return false;
        }
      }
    }
  }
  return true;
}

referenced referenced_files(std::string_view content) {
  referenced out;
  yaml::document doc = yaml::load("", content);
  if (!doc.ok() || !doc.root || !doc.root->is_map()) return out;
  auto strings = [](const node* n, std::vector<std::string>& into) {
    if (!n || !n->is_sequence()) return;
    for (const auto& item : n->items) {
      if (item.is_scalar()) into.push_back(item.value);
    }
  };
  strings(doc.root->find("rule_files"), out.rule_files);
  strings(doc.root->find("scrape_config_files"), out.scrape_config_files);
  if (const node* scs = doc.root->find("scrape_configs"); scs && scs->is_sequence()) {
    for (const auto& sc : scs->items) {
      if (!sc.is_map()) continue;
      const node* fsd = sc.find("file_sd_configs");
      if (!fsd || !fsd->is_sequence()) continue;
      for (const auto& c : fsd->items) {
        if (c.is_map()) strings(c.find("files"), out.file_sd_files);
      }
    }
  }
  return out;
}

}  // namespace config
}  // namespace promwatch::validate
