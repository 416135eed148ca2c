#include <algorithm>
#include <cctype>
#include <chrono>
#include <set>
#include <string>

#include <re2/re2.h>

#include "validate/config/referenced.hpp"
#include "validate/names.hpp"
#include "validate/validate.hpp"
#include "validate/yaml/decode.hpp"
#include "validate/yaml/document.hpp"

// The structure and rules of Prometheus 2.42's config package (config/config.go), the
// relabel package (model/relabel) and prometheus/common's HTTP client config as 2.42 vendors
// it. Where Prometheus stops at its first semantic error, this reports all it finds; the
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

/// Service discovery mechanisms registered in upstream Prometheus 2.42 (discovery/install).
/// Distribution builds may leave some out; upstream's list is the one users deploy.
constexpr std::string_view sd_mechanisms[] = {
    "azure_sd_configs",     "consul_sd_configs",      "digitalocean_sd_configs",
    "docker_sd_configs",    "dockerswarm_sd_configs", "dns_sd_configs",
    "ec2_sd_configs",       "eureka_sd_configs",      "file_sd_configs",
    "gce_sd_configs",       "hetzner_sd_configs",     "http_sd_configs",
    "ionos_sd_configs",     "kubernetes_sd_configs",  "kuma_sd_configs",
    "lightsail_sd_configs", "linode_sd_configs",      "marathon_sd_configs",
    "nerve_sd_configs",     "nomad_sd_configs",       "openstack_sd_configs",
    "ovhcloud_sd_configs",  "puppetdb_sd_configs",    "scaleway_sd_configs",
    "serverset_sd_configs", "triton_sd_configs",      "uyuni_sd_configs",
    "vultr_sd_configs",     "static_configs",
};

constexpr std::string_view http_client_fields[] = {
    "basic_auth", "authorization",        "oauth2",     "bearer_token",     "bearer_token_file",
    "proxy_url",  "proxy_connect_header", "tls_config", "follow_redirects", "enable_http2",
};

bool is_sd_field(std::string_view key) {
  for (auto m : sd_mechanisms) {
    if (m == key) return true;
  }
  return false;
}

bool is_http_client_field(std::string_view key) {
  for (auto f : http_client_fields) {
    if (f == key) return true;
  }
  return false;
}

class checker {
 public:
  explicit checker(yaml::decoder& dec) : dec_(dec) {}

  void config(const node& root) {
    if (!dec_.expect_map(root, "config.plain")) return;
    dec_.known_fields(root,
                      {"global", "alerting", "rule_files", "scrape_configs", "storage", "tracing",
                       "remote_write", "remote_read"},
                      "config.plain");
    if (const node* g = root.find("global")) global(*g);
    if (const node* r = root.find("rule_files")) rule_files(*r);
    if (const node* s = root.find("scrape_configs")) scrape_configs(*s);
    if (const node* a = root.find("alerting")) alerting(*a);
    if (const node* rw = root.find("remote_write")) remote_write(*rw);
    if (const node* rr = root.find("remote_read")) remote_read(*rr);
    if (const node* st = root.find("storage")) storage(*st);
    if (const node* t = root.find("tracing")) tracing(*t);
  }

  void scrape_config_file(const node& root) {
    if (!dec_.expect_map(root, "config.ScrapeConfigs")) return;
    dec_.known_fields(root, {"scrape_configs"}, "config.ScrapeConfigs");
    if (const node* s = root.find("scrape_configs")) scrape_configs(*s);
  }

 private:
  // --- scalars ---
  std::optional<milliseconds> duration(const node* n) {
    if (!n) return std::nullopt;
    return dec_.duration(*n);
  }

  std::string text(const node* n) {
    if (!n) return {};
    return dec_.string(*n).value_or("");
  }

  bool set(const node* n) { return n && !n->is_null() && !text(n).empty(); }

  void unsigned_int(const node* n, std::string_view go_type) {
    if (!n) return;
    auto v = dec_.integer(*n, go_type);
    if (v && *v < 0) dec_.type_error(*n, go_type);
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
      auto name = dec_.string(e.key);
      if (name && !is_valid_label_name(*name)) {
        dec_.error(e.key, quote(*name) + " is not a valid label name");
      }
      if (e.value.is_scalar()) {
        if (!is_valid_utf8(e.value.value)) {
          dec_.error(e.value, quote(e.value.value) + " is not a valid label value");
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
  void global(const node& g) {
    if (!dec_.expect_map(g, "config.plain")) return;
    dec_.known_fields(g,
                      {"scrape_interval", "scrape_timeout", "evaluation_interval",
                       "external_labels", "query_log_file"},
                      "config.plain");
    label_set(g.find("external_labels"), "labels.Labels");
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

  void rule_files(const node& n) {
    if (!dec_.expect_sequence(n, "[]string")) return;
    // config.go patRulePath: at most one `*`, and not in a directory part.
    static const re2::RE2 rule_path(R"(^[^*]*(\*[^/]*)?$)");
    for (const auto& item : n.items) {
      auto path = dec_.string(item);
      if (!path) continue;
      if (!re2::RE2::FullMatch(*path, rule_path)) {
        dec_.error(item, "invalid rule file path " + quote(*path));
      } else if (!config::is_valid_glob(*path)) {
        dec_.error(item, "syntax error in pattern");
      }
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
      static constexpr std::string_view own[] = {"job_name",
                                                 "honor_labels",
                                                 "honor_timestamps",
                                                 "params",
                                                 "scrape_interval",
                                                 "scrape_timeout",
                                                 "metrics_path",
                                                 "scheme",
                                                 "body_size_limit",
                                                 "sample_limit",
                                                 "target_limit",
                                                 "label_limit",
                                                 "label_name_length_limit",
                                                 "label_value_length_limit",
                                                 "relabel_configs",
                                                 "metric_relabel_configs"};
      const std::string_view key = e.key.value;
      bool known = is_sd_field(key) || is_http_client_field(key);
      for (auto f : own)
        known = known || f == key;
      if (!known || !e.key.is_scalar()) {
        dec_.error(e.key, "field " + e.key.value + " not found in type config.ScrapeConfig");
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
    for (auto f : {"sample_limit", "target_limit", "label_limit", "label_name_length_limit",
                   "label_value_length_limit"}) {
      unsigned_int(sc.find(f), "uint");
    }
    auto interval = duration(sc.find("scrape_interval")).value_or(milliseconds{0});
    auto timeout = duration(sc.find("scrape_timeout")).value_or(milliseconds{0});
    if (interval == milliseconds{0}) interval = global_interval_;
    if (timeout > interval) {
      dec_.error(*sc.find("scrape_timeout"),
                 "scrape timeout greater than scrape interval for scrape config with job name " +
                     quote(job));
    }
    http_client(sc);
    const node* relabels = sc.find("relabel_configs");
    relabel_configs(relabels, "empty or null target relabeling rule in scrape config");
    relabel_configs(sc.find("metric_relabel_configs"),
                    "empty or null metric relabeling rule in scrape config");
    const bool has_relabel = relabels && relabels->is_sequence() && !relabels->items.empty();
    service_discovery(sc, !has_relabel);
  }

  void service_discovery(const node& owner, bool check_static_targets) {
    for (const auto& e : owner.entries) {
      const std::string_view key = e.key.value;
      if (!is_sd_field(key)) continue;
      if (!dec_.expect_sequence(e.value, "[]discovery.Config")) continue;
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
        } else {
          // Other mechanisms are checked for shape only; their own rules are not modelled.
          dec_.expect_map(c, "discovery.Config");
        }
      }
    }
  }

  void static_config(const node& c, bool check_targets) {
    if (c.is_null()) return;
    if (!dec_.expect_map(c, "targetgroup.Group")) return;
    dec_.known_fields(c, {"targets", "labels"}, "targetgroup.Group");
    if (const node* t = c.find("targets"); t && dec_.expect_sequence(*t, "[]string")) {
      for (const auto& target : t->items) {
        auto s = dec_.string(target);
        // config.go CheckTargetAddress: users put URLs where host:port belongs.
        if (check_targets && s && s->find('/') != std::string::npos) {
          dec_.error(target, quote(*s) + " is not a valid hostname");
        }
      }
    }
    label_set(c.find("labels"), "model.LabelSet");
  }

  void file_sd_config(const node& c) {
    if (c.is_null()) {
      dec_.error(c, "file service discovery config must contain at least one path name");
      return;
    }
    if (!dec_.expect_map(c, "file.plain")) return;
    dec_.known_fields(c, {"files", "refresh_interval"}, "file.plain");
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
    dec_.known_fields(c, {"names", "refresh_interval", "type", "port"}, "dns.plain");
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
    for (const auto& e : c.entries) {
      const std::string_view key = e.key.value;
      if (key != "url" && key != "refresh_interval" && !is_http_client_field(key)) {
        dec_.error(e.key, "field " + e.key.value + " not found in type http.plain");
      }
    }
    duration(c.find("refresh_interval"));
    const std::string u = text(c.find("url"));
    if (u.empty()) {
      dec_.error(c, "URL is missing");
    } else if (!u.starts_with("http://") && !u.starts_with("https://")) {
      dec_.error(*c.find("url"), "URL scheme must be 'http' or 'https'");
    }
    http_client(c);
  }

  void tls_config(const node* n) {
    if (!n || !dec_.expect_map(*n, "config.plain")) return;
    dec_.known_fields(
        *n,
        {"ca_file", "cert_file", "key_file", "server_name", "insecure_skip_verify", "min_version"},
        "config.plain");
    boolean(n->find("insecure_skip_verify"));
    const std::string version = text(n->find("min_version"));
    if (!version.empty() && version != "TLS10" && version != "TLS11" && version != "TLS12" &&
        version != "TLS13") {
      dec_.error(*n->find("min_version"), "unknown TLS version: " + version);
    }
    const std::string cert = text(n->find("cert_file"));
    const std::string key = text(n->find("key_file"));
    if (!cert.empty() && key.empty()) {
      dec_.error(*n, "client cert file " + quote(cert) + " specified without client key file");
    } else if (!key.empty() && cert.empty()) {
      dec_.error(*n, "client key file " + quote(key) + " specified without client cert file");
    }
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
      dec_.known_fields(*basic, {"username", "password", "password_file"}, "config.BasicAuth");
      if (set(basic->find("password")) && set(basic->find("password_file"))) {
        dec_.error(*basic, "at most one of basic_auth password & password_file must be configured");
      }
    }
    const node& at = owner;
    if (has_token && has_token_file) {
      dec_.error(at, "at most one of bearer_token & bearer_token_file must be configured");
    }
    if ((has_basic || has_oauth) && (has_token || has_token_file)) {
      dec_.error(at,
                 "at most one of basic_auth, oauth2, bearer_token & bearer_token_file must be "
                 "configured");
    }
    if (has_authz && dec_.expect_map(*authz, "config.Authorization")) {
      dec_.known_fields(*authz, {"type", "credentials", "credentials_file"},
                        "config.Authorization");
      if (has_token || has_token_file) {
        dec_.error(*authz, "authorization is not compatible with bearer_token & bearer_token_file");
      }
      if (set(authz->find("credentials")) && set(authz->find("credentials_file"))) {
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
      dec_.known_fields(*oauth,
                        {"client_id", "client_secret", "client_secret_file", "scopes", "token_url",
                         "endpoint_params", "tls_config", "proxy_url"},
                        "config.OAuth2");
      if (has_basic) {
        dec_.error(*oauth, "at most one of basic_auth, oauth2 & authorization must be configured");
      }
      const bool secret = set(oauth->find("client_secret"));
      const bool secret_file = set(oauth->find("client_secret_file"));
      if (!set(oauth->find("client_id"))) {
        dec_.error(*oauth, "oauth2 client_id must be configured");
      } else if (!secret && !secret_file) {
        dec_.error(*oauth, "either oauth2 client_secret or client_secret_file must be configured");
      } else if (!set(oauth->find("token_url"))) {
        dec_.error(*oauth, "oauth2 token_url must be configured");
      } else if (secret && secret_file) {
        dec_.error(*oauth,
                   "at most one of oauth2 client_secret & client_secret_file must be configured");
      }
      string_list(oauth->find("scopes"));
      string_map(oauth->find("endpoint_params"), "map[string]string");
      tls_config(oauth->find("tls_config"));
      url(oauth->find("proxy_url"));
    }
    url(owner.find("proxy_url"));
    if (const node* h = owner.find("proxy_connect_header"); h && !h->is_null()) {
      if (dec_.expect_map(*h, "config.Header")) {
        for (const auto& e : h->entries)
          string_list(&e.value);
      }
      if (!set(owner.find("proxy_url"))) {
        dec_.error(*h, "if proxy_connect_header is configured proxy_url must also be configured");
      }
    }
    tls_config(owner.find("tls_config"));
    boolean(owner.find("follow_redirects"));
    boolean(owner.find("enable_http2"));
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
    dec_.known_fields(
        r,
        {"source_labels", "separator", "regex", "modulus", "target_label", "replacement", "action"},
        "relabel.plain");
    if (const node* s = r.find("source_labels");
        s && dec_.expect_sequence(*s, "model.LabelNames")) {
      for (const auto& l : s->items) {
        auto name = dec_.string(l);
        if (name && !is_valid_label_name(*name)) {
          dec_.error(l, quote(*name) + " is not a valid label name");
        }
      }
    }
    const node* regex = r.find("regex");
    if (regex && !regex->is_null()) {
      if (auto re = dec_.string(*regex)) {
        re2::RE2::Options opts;
        opts.set_log_errors(false);
        const re2::RE2 compiled("^(?:" + *re + ")$", opts);
        if (!compiled.ok()) {
          dec_.error(*regex, "error parsing regexp: " + compiled.error() + ": `^(?:" + *re + ")$`");
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
    static const re2::RE2 relabel_target(R"(^(?:(?:[a-zA-Z_]|\$(?:\{\w+\}|\w+))+\w*)+$)");
    if (action == "hashmod" && modulus == 0) {
      dec_.error(r, "relabel configuration for hashmod requires non-zero modulus");
    } else if (target_needed && target.empty()) {
      dec_.error(r,
                 "relabel configuration for " + action + " action requires 'target_label' value");
    } else if (target_needed && action != "hashmod" &&
               !re2::RE2::FullMatch(target, relabel_target)) {
      dec_.error(r, quote(target) + " is invalid 'target_label' for " + action + " action");
    } else if ((action == "keepequal" || action == "dropequal") && replacement != "$1") {
      dec_.error(r, "'replacement' can not be set for " + action + " action");
    } else if (action == "labelmap" && !re2::RE2::FullMatch(replacement, relabel_target)) {
      dec_.error(r, quote(replacement) + " is invalid 'replacement' for " + action + " action");
    } else if (action == "hashmod" && !is_valid_label_name(target)) {
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
    dec_.known_fields(a, {"alert_relabel_configs", "alertmanagers"}, "config.AlertingConfig");
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
        const std::string_view key = e.key.value;
        if (key != "timeout" && key != "api_version" && key != "path_prefix" && key != "scheme" &&
            key != "relabel_configs" && !is_sd_field(key) && !is_http_client_field(key)) {
          dec_.error(e.key,
                     "field " + e.key.value + " not found in type config.AlertmanagerConfig");
        }
      }
      duration(am.find("timeout"));
      const node* version = am.find("api_version");
      const std::string v = text(version);
      if (version && !version->is_null() && v != "v1" && v != "v2") {
        dec_.error(*version, "expected Alertmanager api version to be one of [v1 v2] but got " + v);
      }
      http_client(am);
      const node* relabels = am.find("relabel_configs");
      relabel_configs(relabels, "empty or null Alertmanager target relabeling rule");
      service_discovery(am, !(relabels && relabels->is_sequence() && !relabels->items.empty()));
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
      for (const auto& e : rw.entries) {
        static constexpr std::string_view own[] = {"url",
                                                   "remote_timeout",
                                                   "headers",
                                                   "write_relabel_configs",
                                                   "name",
                                                   "send_exemplars",
                                                   "send_native_histograms",
                                                   "queue_config",
                                                   "metadata_config",
                                                   "sigv4"};
        bool known = is_http_client_field(e.key.value);
        for (auto f : own)
          known = known || f == e.key.value;
        if (!known) {
          dec_.error(e.key, "field " + e.key.value + " not found in type config.RemoteWriteConfig");
        }
      }
      if (!set(rw.find("url"))) dec_.error(rw, "url for remote_write is empty");
      duration(rw.find("remote_timeout"));
      string_map(rw.find("headers"), "map[string]string");
      relabel_configs(rw.find("write_relabel_configs"),
                      "empty or null relabeling rule in remote write config");
      http_client(rw);
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
      for (const auto& e : rr.entries) {
        static constexpr std::string_view own[] = {"url",
                                                   "remote_timeout",
                                                   "headers",
                                                   "read_recent",
                                                   "name",
                                                   "required_matchers",
                                                   "filter_external_labels"};
        bool known = is_http_client_field(e.key.value);
        for (auto f : own)
          known = known || f == e.key.value;
        if (!known) {
          dec_.error(e.key, "field " + e.key.value + " not found in type config.RemoteReadConfig");
        }
      }
      if (!set(rr.find("url"))) dec_.error(rr, "url for remote_read is empty");
      duration(rr.find("remote_timeout"));
      boolean(rr.find("read_recent"));
      string_map(rr.find("headers"), "map[string]string");
      string_map(rr.find("required_matchers"), "model.LabelSet");
      http_client(rr);
    }
  }

  void storage(const node& n) {
    if (!dec_.expect_map(n, "config.StorageConfig")) return;
    dec_.known_fields(n, {"tsdb", "exemplars"}, "config.StorageConfig");
    if (const node* t = n.find("tsdb"); t && dec_.expect_map(*t, "config.TSDBConfig")) {
      dec_.known_fields(*t, {"out_of_order_time_window"}, "config.TSDBConfig");
      duration(t->find("out_of_order_time_window"));
    }
    if (const node* e = n.find("exemplars"); e && dec_.expect_map(*e, "config.ExemplarsConfig")) {
      dec_.known_fields(*e, {"max_exemplars"}, "config.ExemplarsConfig");
      if (const node* m = e->find("max_exemplars")) dec_.integer(*m, "int64");
    }
  }

  void tracing(const node& n) {
    if (!dec_.expect_map(n, "config.TracingConfig")) return;
    dec_.known_fields(n,
                      {"client_type", "endpoint", "sampling_fraction", "insecure", "tls_config",
                       "headers", "compression", "timeout"},
                      "config.TracingConfig");
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
  std::set<std::string, std::less<>> jobs_;
  milliseconds global_interval_ = default_scrape_interval;
  milliseconds global_timeout_ = default_scrape_timeout;
};

report run(std::string_view path, std::string_view content, const limits& lim,
           [[maybe_unused]] const profile& prof, void (checker::*entry)(const node&)) {
  report out;
  yaml::document doc = yaml::load(path, content, lim);
  if (!doc.ok()) {
    out.errors = std::move(doc.errors);
    return out;
  }
  if (!doc.root || doc.root->is_null()) return out;
  yaml::decoder dec(path, yaml::dialect::v2);
  checker c(dec);
  (c.*entry)(*doc.root);
  out.errors = dec.take_errors();
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
