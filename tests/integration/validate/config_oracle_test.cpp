#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <memory>
#include <string>
#include <unistd.h>
#include <vector>

#include <doctest/doctest.h>

#include "support/reference_tools.hpp"
#include "validate/profile.hpp"
#include "validate/validate.hpp"

// Runs `promtool check config` (the oracle) and validate::check_config on the same set of
// configs: one good base per section and many single-defect variants. The configs are
// self-contained: no rule, credential or certificate files, so promtool judges the
// config alone. Service discovery mechanisms that distribution builds of promtool leave
// out (kubernetes, consul, …) are not used, nor remote write's azuread (Debian's builds
// lack it too).

namespace fs = std::filesystem;

namespace {

const char* const header = "global:\n  scrape_interval: 15s\n";

std::string job(const std::string& body) {
  return std::string(header) + "scrape_configs:\n- job_name: a\n" + body;
}

std::vector<std::string> scrape_variants() {
  return {
      "",
      "  static_configs: [{targets: ['a:1', 'b:2'], labels: {env: prod}}]\n",
      "  honor_labels: true\n  honor_timestamps: false\n",
      "  honor_labels: maybe\n",
      "  body_size_limit: 10MB\n",
      "  body_size_limit: 10XB\n",
      "  sample_limit: 5\n  target_limit: 1\n  label_limit: 1\n",
      "  sample_limit: -5\n",
      "  label_name_length_limit: 1\n  label_value_length_limit: 1\n",
      "  native_histogram_bucket_limit: 1\n",
      "  scrape_classic_histograms: true\n",
      "  scheme: https\n  metrics_path: /m\n",
      "  params: {module: [http_2xx]}\n",
      "  params: {module: http_2xx}\n",
      "  follow_redirects: false\n  enable_http2: false\n",
      "  proxy_url: 'http://proxy:3128'\n",
      "  proxy_url: ':bad'\n",
      "  no_proxy: x\n",
      "  proxy_from_environment: true\n",
      "  proxy_connect_header: {a: [b]}\n",
      "  proxy_url: 'http://p'\n  proxy_connect_header: {a: [b]}\n",
      "  tls_config: {ca: x}\n",
      "  tls_config: {cert_file: x}\n",
      "  tls_config: {key_file: x}\n",
      "  tls_config: {insecure_skip_verify: true, server_name: x, min_version: TLS12}\n",
      "  tls_config: {min_version: TLS99}\n",
      "  tls_config: {bogus: 1}\n",
      "  basic_auth: {username: a, password: b}\n",
      "  basic_auth: {username: a, password: b, password_file: c}\n",
      "  basic_auth: {user: a}\n",
      "  authorization: {type: Basic}\n",
      "  authorization: {type: ' basic '}\n",
      "  authorization: {credentials: a}\n",
      "  authorization: {credentials: a, credentials_file: b}\n",
      "  bearer_token: a\n",
      "  bearer_token: a\n  bearer_token_file: b\n",
      "  bearer_token: a\n  basic_auth: {username: a}\n",
      "  bearer_token: a\n  authorization: {credentials: a}\n",
      "  oauth2: {client_id: a}\n",
      "  oauth2: {client_id: a, client_secret: b}\n",
      "  oauth2: {client_secret: b, token_url: c}\n",
      "  oauth2: {client_id: a, client_secret: b, token_url: c}\n",
      "  oauth2: {client_id: a, client_secret: b, client_secret_file: d, token_url: c}\n",
      "  oauth2: {client_id: a, client_secret: b, token_url: c, scopes: [x], endpoint_params: "
      "{a: b}}\n",
      "  oauth2: {client_id: a, client_secret: b, token_url: c}\n  basic_auth: {username: a}\n",
      "  authorization: {type: x}\n  basic_auth: {username: a}\n",
      "  scrape_interval: 5s\n  scrape_timeout: 10s\n",
      "  scrape_interval: 30s\n  scrape_timeout: 20s\n",
      "  scrape_timeout: 15s\n",
      "  scrape_timeout: 16s\n",
      "  scrape_interval: 1x\n",
      "  scrape_interval: 1h1h\n",
      "  scrape_interval: 5m30s\n",
      "  static_configs: [{targets: ['http://a']}]\n",
      "  static_configs: [{targets: ['http://a']}]\n  relabel_configs: [{action: keep, regex: "
      "x}]\n",
      "  static_configs: [{targets: ['a:1'], labels: {1x: y}}]\n",
      "  static_configs: [{targets: ['a:1'], labelz: {}}]\n",
      "  static_configs: [{targets: 'a:1'}]\n",
      "  file_sd_configs: [{files: ['a[']}]\n",
      "  file_sd_configs: [{files: ['a.txt']}]\n",
      "  file_sd_configs: [{files: ['/nonexistent/*.yml'], refresh_interval: 1m}]\n",
      "  file_sd_configs: [{files: ['/nonexistent/*/x.yml']}]\n",
      "  file_sd_configs: [{files: []}]\n",
      "  file_sd_configs: [{}]\n",
      "  file_sd_configs: [{files: ['/nonexistent/a.json'], refresh: 1m}]\n",
      "  dns_sd_configs: [{names: ['_x._tcp.example.org']}]\n",
      "  dns_sd_configs: [{names: []}]\n",
      "  dns_sd_configs: [{names: [a], type: A}]\n",
      "  dns_sd_configs: [{names: [a], type: A, port: 80}]\n",
      "  dns_sd_configs: [{names: [a], type: TXT, port: 80}]\n",
      "  http_sd_configs: [{url: 'http://sd/targets'}]\n",
      "  http_sd_configs: [{url: 'ftp://sd/targets'}]\n",
      "  http_sd_configs: [{}]\n",
      "  http_sd_configs: [{url: 'http://sd', refresh_interval: 30s, basic_auth: {username: a}}]\n",
      "  ec2_sd_configs: [{region: eu-west-1}]\n",
      "  gce_sd_configs: [{project: p, zone: z}]\n",
      "  digitalocean_sd_configs: [{}]\n",
      "  bogus_sd_configs: [{}]\n",
      "  metric_relabel_configs: [null]\n",
      "  relabel_configs: [null]\n",
      "  relabel_configs: [{action: Keep, source_labels: [a], regex: x}]\n",
      "  relabel_configs: [{action: foo}]\n",
      "  relabel_configs: [{action: ''}]\n",
      "  relabel_configs: [{action: hashmod, target_label: x}]\n",
      "  relabel_configs: [{action: hashmod, target_label: x, modulus: 4, source_labels: [a]}]\n",
      "  relabel_configs: [{action: hashmod, target_label: '${1}', modulus: 4}]\n",
      "  relabel_configs: [{regex: '(a'}]\n",
      "  relabel_configs: [{regex: 'a{2,1}'}]\n",
      "  relabel_configs: [{regex: '(?P<n>a)'}]\n",
      "  relabel_configs: [{source_labels: ['1a']}]\n",
      "  relabel_configs: [{source_labels: [a, b], separator: ',', target_label: c}]\n",
      "  relabel_configs: [{action: labeldrop, regex: a}]\n",
      "  relabel_configs: [{action: labeldrop, regex: a, separator: x}]\n",
      "  relabel_configs: [{action: labelkeep, regex: a, target_label: x}]\n",
      "  relabel_configs: [{action: replace, target_label: '${1}x'}]\n",
      "  relabel_configs: [{action: replace, target_label: '1x'}]\n",
      "  relabel_configs: [{action: replace, target_label: 'a-b'}]\n",
      "  relabel_configs: [{action: replace}]\n",
      "  relabel_configs: [{action: lowercase, target_label: x, source_labels: [a]}]\n",
      "  relabel_configs: [{action: uppercase}]\n",
      "  relabel_configs: [{action: keepequal, target_label: x, source_labels: [a]}]\n",
      "  relabel_configs: [{action: keepequal, target_label: x, regex: y}]\n",
      "  relabel_configs: [{action: dropequal, target_label: x, replacement: y}]\n",
      "  relabel_configs: [{action: labelmap, regex: 'a_(.*)', replacement: 'b_$1'}]\n",
      "  relabel_configs: [{action: labelmap, replacement: 'a-b'}]\n",
      "  relabel_configs: [{modulus: -1}]\n",
      "  relabel_configs: [{target_label: x, bogus: 1}]\n",
      "  relabel_configs: {action: keep}\n",
      "  bogus: 1\n",
  };
}

std::vector<std::string> configs() {
  std::vector<std::string> out;
  for (const auto& v : scrape_variants())
    out.push_back(job(v));
  for (const auto& v : std::vector<std::string>{
           "  scrape_protocols: [OpenMetricsText1.0.0]\n",
           "  fallback_scrape_protocol: Foo\n",
           "  fallback_scrape_protocol: PrometheusText1.0.0\n",
           "  enable_compression: false\n",
           "  scrape_classic_histograms: true\n",
           "  always_scrape_classic_histograms: true\n",
           "  metric_name_validation_scheme: legacy\n  metric_name_escaping_scheme: allow-utf-8\n",
           "  keep_dropped_targets: 5\n",
           "  track_timestamps_staleness: true\n",
           "  http_headers: {X-A: {values: [b]}}\n",
           "  relabel_configs: [{action: lowercase, target_label: x, source_labels: [a], "
           "replacement: y}]\n",
           "  relabel_configs: [{action: replace, target_label: 'a.b'}]\n",
           "  static_configs: [null]\n",
           "  kubernetes_sd_configs: [{role: pod, api_server: 'http://a', namespaces: "
           "{own_namespace: true}}]\n",
           "  eureka_sd_configs: [{server: 'nope'}]\n",
           "  hetzner_sd_configs: [{role: foo}]\n",
           "  puppetdb_sd_configs: [{url: 'http://a'}]\n",
           "  ec2_sd_configs: [{region: x, filters: [{name: a}]}]\n",
           "  oauth2: {client_id: a, token_url: c}\n",
           "  basic_auth: {username: a, username_file: b}\n",
           "  tls_config: {ca: x, ca_file: y}\n",
           "  tls_config: {cert: x}\n",
           "  no_proxy: x\n  proxy_url: 'http://p'\n",
           "  proxy_from_environment: true\n  proxy_url: 'http://p'\n",
           "  openstack_sd_configs: [{role: instance, region: r, availability: nope}]\n",
           "  scaleway_sd_configs: [{role: instance, project_id: p, access_key: a}]\n",
           "  uyuni_sd_configs: [{server: 'https://u', username: a}]\n",
           "  marathon_sd_configs: [{servers: ['http://m'], auth_token: a, auth_token_file: b}]\n",
           "  docker_sd_configs: [{}]\n",
           "  dockerswarm_sd_configs: [{host: 'tcp://h', role: nope}]\n",
           "  gce_sd_configs: [{project: p}]\n",
           "  ionos_sd_configs: [{}]\n",
           "  triton_sd_configs: [{account: a, dns_suffix: d, endpoint: e, role: nope}]\n",
           "  serverset_sd_configs: [{servers: [a], paths: [x]}]\n",
           "  nerve_sd_configs: [{servers: [a], paths: ['/x']}]\n",
       })
    out.push_back(job(v));
  const std::vector<std::string> whole = {
      "",
      "global:\n  scrape_interval: 1m\n  evaluation_interval: 30s\n",
      "global:\n  query_log_file: /tmp/q.log\n",
      "global:\n  body_size_limit: 10MB\n",
      "global:\n  sample_limit: 5\n",
      "global:\n  external_labels: {cluster: a, replica: '1'}\n",
      "global:\n  external_labels: {1a: b}\n",
      "global:\n  scrape_timeout: 2m\n",
      "global:\n  scrape_interval: 5s\n",
      "global:\n  scrape_interval: 5s\n  scrape_timeout: 5s\n",
      "global:\n  scrape_interval: 5s\n  scrape_timeout: 6s\n",
      "global:\n  evaluation_interval: 0s\n",
      "global:\n  scrape_interval: 1x\n",
      "global:\n  scrape_interval: -1s\n",
      "global:\n  bogus: 1\n",
      "global: []\n",
      "scrape_config_files: [a]\n",
      "rule_files: ['/nonexistent/*.yml']\n",
      "rule_files: ['/nonexistent/*/a.yml']\n",
      "rule_files: ['/nonexistent/a[']\n",
      "rule_files: '/nonexistent/a.yml'\n",
      "storage: {tsdb: {out_of_order_time_window: 1h}, exemplars: {max_exemplars: 5}}\n",
      "storage: {tsdb: {retention: 1h}}\n",
      "tracing: {endpoint: 'a:1', client_type: grpc}\n",
      "tracing: {client_type: foo}\n",
      "tracing: {endpoint: 'a:1', compression: gzip, timeout: 5s, insecure: true}\n",
      "tracing: {compression: lz4}\n",
      "remote_write: [{url: 'http://a/write'}]\n",
      "remote_write: [{}]\n",
      "remote_write: [{url: 'http://a', name: x, remote_timeout: 10s, headers: {a: b}, "
      "write_relabel_configs: [{action: drop, regex: x, source_labels: [a]}]}]\n",
      "remote_write: [{url: 'http://a', write_relabel_configs: [{action: nope}]}]\n",
      "remote_write: [{url: 'http://a', queue_config: {capacity: 10}, metadata_config: {send: "
      "false}}]\n",
      "remote_write: [{url: 'http://a', bogus: 1}]\n",
      "remote_read: [{url: 'http://a', read_recent: true}]\n",
      "remote_read: [{read_recent: true}]\n",
      "remote_read: [{url: 'http://a', required_matchers: {a: b}}]\n",
      "alerting: {alertmanagers: [{static_configs: [{targets: ['a:1']}], api_version: v2}]}\n",
      "alerting: {alertmanagers: [{api_version: v3}]}\n",
      "alerting: {alertmanagers: [{timeout: 10s, path_prefix: /am, scheme: https}]}\n",
      "alerting: {alertmanagers: [{bogus: 1}]}\n",
      "alerting: {alert_relabel_configs: [{action: labeldrop, regex: replica}]}\n",
      "alerting: {alert_relabel_configs: [{action: drop}], alertmanagers: []}\n",
      "alerting: {alert_relabel_configs: [{action: foo}]}\n",
      "alerting: {alertmanagers: [{static_configs: [{targets: ['http://a']}]}]}\n",
      "scrape_configs:\n- job_name: a\n- job_name: a\n",
      "scrape_configs:\n- job_name: a\n- job_name: b\n",
      "scrape_configs:\n- job_name: ''\n",
      "scrape_configs:\n- honor_labels: true\n",
      "scrape_configs:\n- null\n",
      "scrape_configs: {}\n",
      "bogus: 1\n",
      "global:\n  scrape_interval: 15s\n  scrape_interval: 20s\n",
      "global:\n  scrape_interval: [15s\n",
      "- a\n- b\n",
      // A typical 3.x prometheus.yml: valid for 3.5, unknown fields for 2.42.
      "otlp:\n  translation_strategy: NoUTF8EscapingWithSuffixes\n  promote_resource_attributes: "
      "[service.name]\nruntime:\n  gogc: 50\nglobal:\n  scrape_interval: 15s\n  scrape_protocols: "
      "[PrometheusProto, OpenMetricsText1.0.0, PrometheusText0.0.4]\n  "
      "metric_name_validation_scheme: utf8\nscrape_configs:\n- job_name: a\n  "
      "fallback_scrape_protocol: PrometheusText0.0.4\n  static_configs: [{targets: ['a:1']}]\n",
      "global:\n  scrape_protocols: [PrometheusProto, prometheusproto]\n",
      "global:\n  scrape_protocols: [Foo]\n",
      "global:\n  scrape_protocols: []\n",
      "global:\n  metric_name_validation_scheme: legacy\notlp:\n  translation_strategy: "
      "NoUTF8EscapingWithSuffixes\n",
      "global:\n  metric_name_validation_scheme: bogus\n",
      "otlp:\n  translation_strategy: Bogus\n",
      "alerting: {alertmanagers: [{api_version: v1}]}\n",
      "remote_write: [{url: 'http://a', protobuf_message: io.prometheus.write.v2.Request}]\n",
      "remote_write: [{url: 'http://a', protobuf_message: foo}]\n",
      "remote_write: [{url: 'http://a', name: x}, {url: 'http://b', name: x}]\n",
      "remote_write: [{url: 'http://a', headers: {Authorization: x}}]\n",
      "remote_read: [{url: 'http://a', chunked_read_limit: 5}]\n",
      "scrape_config_files: ['/nonexistent/*.yml']\n",
      "tracing: {endpoint: 'a:1', headers: {x-prometheus-remote-write-version: x}}\n",
      "remote_write: [{url: 'http://a', sigv4: {region: r}, basic_auth: {username: a}}]\n",
      "remote_write: [{url: 'http://a', queue_config: {capacity: 0, sample_age_limit: 1m}}]\n",
      "remote_write: [{url: 'http://a', metadata_config: {send: false, bogus: 1}}]\n",
      "alerting: {alertmanagers: [{sigv4: {region: r}, basic_auth: {username: a}}]}\n",
      "alerting: {alertmanagers: [{alert_relabel_configs: [null]}]}\n",
      "storage: {tsdb: {retention: {time: 1d}}}\n",
  };
  out.insert(out.end(), whole.begin(), whole.end());
  return out;
}

}  // namespace

TEST_CASE("check_config agrees with promtool check config on good and single-defect configs") {
  namespace v = promwatch::validate;
  for (const auto& version : promwatch::test::reference_versions()) {
    const auto tools = promwatch::test::find_reference(version);
    if (!tools) {
      MESSAGE("promtool " << version << " not found; skipping (run scripts/fetch-prometheus.sh)");
      continue;
    }
    CAPTURE(version);
    const auto prof = v::make_profile(*v::parse_version(version), v::judge::promtool, {});
    const fs::path dir = fs::temp_directory_path() /
                         ("promwatch-config-oracle-" + std::to_string(::getpid()) + "-" + version);
    fs::create_directories(dir);
    const auto cases = configs();
    std::string cmd =
        "cd '" + dir.string() + "' && '" + tools->promtool.string() + "' check config";
    for (std::size_t i = 0; i < cases.size(); ++i) {
      const std::string name = "c" + std::to_string(i) + ".yml";
      std::ofstream(dir / name) << cases[i];
      cmd += " " + name;
    }
    // One promtool run for all files: it prints "Checking <file>" and then SUCCESS or FAILED.
    std::map<std::string, bool> promtool_ok;
    {
      std::unique_ptr<FILE, int (*)(FILE*)> pipe(::popen((cmd + " 2>&1").c_str(), "r"), ::pclose);
      REQUIRE(pipe);
      std::string current;
      char buf[4096];
      while (std::fgets(buf, sizeof buf, pipe.get())) {
        std::string line(buf);
        if (line.starts_with("Checking ")) {
          current = line.substr(9);
          while (!current.empty() && (current.back() == '\n' || current.back() == '\r'))
            current.pop_back();
          promtool_ok[current] = true;
        } else if (!current.empty() && line.find("FAILED") != std::string::npos) {
          promtool_ok[current] = false;
        }
      }
    }
    REQUIRE(promtool_ok.size() == cases.size());
    std::size_t agree = 0;
    for (std::size_t i = 0; i < cases.size(); ++i) {
      const std::string name = "c" + std::to_string(i) + ".yml";
      const bool ok = promtool_ok[name];
      const auto rep = v::check_config((dir / name).string(), cases[i], {}, prof);
      if (ok == rep.ok()) {
        ++agree;
      } else {
        std::cout << "DISAGREE " << version << " (promtool " << (ok ? "valid" : "invalid")
                  << ", ours " << (rep.ok() ? "valid" : "invalid") << "):\n"
                  << cases[i];
        for (const auto& e : rep.errors)
          std::cout << "  ours: " << e.message << "\n";
      }
    }
    fs::remove_all(dir);
    const double ratio = static_cast<double>(agree) / static_cast<double>(cases.size());
    std::cout << "config oracle " << version << ": " << agree << "/" << cases.size()
              << " verdicts agree\n";
    CHECK(ratio >= 0.995);
  }
}
