#include <string>
#include <vector>

#include <doctest/doctest.h>

#include "validate/profile.hpp"
#include "validate/validate.hpp"

// Version boundaries of prometheus.yml (prometheus-versions.md §4, upstream config/config.go,
// discovery/*/ and prometheus/common at each tag) and the deep checks Prometheus makes.

namespace v = promwatch::validate;

namespace {

v::profile at(int major, int minor, v::judge by = v::judge::server) {
  return v::make_profile({major, minor}, by, {});
}

bool valid(const std::string& yml, const v::profile& p) {
  return v::check_config("p.yml", yml, {}, p).ok();
}

std::string job(const std::string& body) {
  return "scrape_configs:\n- job_name: a\n" + body;
}

}  // namespace

TEST_CASE("new top-level and global fields are unknown before their release") {
  struct row {
    std::string yml;
    v::prometheus_version since;
  };
  const row rows[] = {
      {"scrape_config_files: []\n", {2, 43}},
      {"runtime: {gogc: 50}\n", {2, 53}},
      {"otlp: {promote_resource_attributes: [a]}\n", {2, 55}},
      {"global: {sample_limit: 5}\n", {2, 45}},
      {"global: {keep_dropped_targets: 5}\n", {2, 47}},
      {"global: {scrape_protocols: [PrometheusProto]}\n", {2, 49}},
      {"global: {rule_query_offset: 1m}\n", {2, 53}},
      {"global: {metric_name_escaping_scheme: underscores}\n", {3, 4}},
      {"global: {always_scrape_classic_histograms: true}\n", {3, 5}},
      {"global: {scrape_native_histograms: true}\n", {3, 8}},
      {"storage: {tsdb: {retention: {time: 1d}}}\n", {3, 8}},
      {"storage: {tsdb: {retention: {percentage: 50}}}\n", {3, 11}},
      {"storage: {tsdb: {chunk_encoding: {floats: xor2}}}\n", {3, 13}},
      {"remote_read: [{url: 'http://a', chunked_read_limit: 5}]\n", {2, 55}},
      {"remote_write: [{url: 'http://a', round_robin_dns: true}]\n", {3, 1}},
      {job("  fallback_scrape_protocol: PrometheusText0.0.4\n"), {3, 0}},
      {job("  scrape_native_histograms: true\n"), {3, 8}},
      {job("  aws_sd_configs: [{role: ec2, region: x}]\n"), {3, 8}},
      {job("  stackit_sd_configs: [{project: p}]\n"), {3, 5}},
      {job("  outscale_sd_configs: [{region: r, access_key: a, secret_key: s}]\n"), {3, 12}},
      {job("  tls_config: {ca: x}\n"), {2, 45}},
      {job("  proxy_from_environment: true\n"), {2, 43}},
      {job("  http_headers: {X-A: {values: [b]}}\n"), {2, 53}},
      {job("  basic_auth: {username_file: f}\n"), {2, 49}},
  };
  for (const auto& r : rows) {
    CAPTURE(r.yml);
    const int before_minor = r.since.minor == 0 ? 55 : r.since.minor - 1;
    const int before_major = r.since.minor == 0 ? r.since.major - 1 : r.since.major;
    CHECK_FALSE(valid(r.yml, at(before_major, before_minor)));
    CHECK(valid(r.yml, at(r.since.major, r.since.minor)));
    CHECK(valid(r.yml, at(3, 14)));
  }
}

TEST_CASE("removed fields and values fail from the release that removed them") {
  const auto classic = job("  scrape_classic_histograms: true\n");
  CHECK_FALSE(valid(classic, at(2, 44)));
  CHECK(valid(classic, at(2, 45)));
  CHECK(valid(classic, at(2, 55)));
  CHECK_FALSE(valid(classic, at(3, 0)));
  const std::string v1 = "alerting: {alertmanagers: [{api_version: v1}]}\n";
  CHECK(valid(v1, at(2, 55)));
  CHECK_FALSE(valid(v1, at(3, 0)));
}

TEST_CASE("scrape protocols, schemes and OTLP strategies are checked as upstream does") {
  const auto p = at(3, 5);
  CHECK(valid("global: {scrape_protocols: [PrometheusText1.0.0]}\n", p));
  CHECK_FALSE(valid("global: {scrape_protocols: [PrometheusText1.0.0]}\n", at(2, 55)));
  CHECK_FALSE(valid("global: {scrape_protocols: [PrometheusProto, prometheusproto]}\n", p));
  CHECK_FALSE(valid("global: {scrape_protocols: []}\n", p));
  CHECK_FALSE(valid(job("  fallback_scrape_protocol: Foo\n"), p));
  CHECK_FALSE(valid(job("  metric_name_validation_scheme: legacy\n  "
                        "metric_name_escaping_scheme: allow-utf-8\n"),
                    p));
  // The escaping scheme defaults to the global one (allow-utf-8), which legacy rejects.
  CHECK_FALSE(valid(job("  metric_name_validation_scheme: legacy\n"), p));
  CHECK(valid(
      job("  metric_name_validation_scheme: legacy\n  metric_name_escaping_scheme: underscores\n"),
      p));
  const std::string legacy_otlp =
      "global: {metric_name_validation_scheme: legacy}\notlp: {translation_strategy: %s}\n";
  auto otlp = [&](const std::string& s) {
    std::string y = legacy_otlp;
    return y.replace(y.find("%s"), 2, s);
  };
  CHECK_FALSE(valid(otlp("NoUTF8EscapingWithSuffixes"), p));
  CHECK(valid(otlp("UnderscoreEscapingWithSuffixes"), p));
  CHECK_FALSE(valid(otlp("UnderscoreEscapingWithoutSuffixes"), p));
  CHECK(valid(otlp("UnderscoreEscapingWithoutSuffixes"), at(3, 6)));
  CHECK_FALSE(valid("otlp: {translation_strategy: Bogus}\n", p));
  CHECK_FALSE(
      valid("otlp: {promote_all_resource_attributes: true, promote_resource_attributes: "
            "[a]}\n",
            p));
}

TEST_CASE("relabel target labels follow the name scheme") {
  const auto dotted = job("  relabel_configs: [{target_label: 'a.b'}]\n");
  CHECK_FALSE(valid(dotted, at(2, 42)));
  CHECK(valid(dotted, at(3, 0)));
  const auto lower =
      job("  relabel_configs: [{action: lowercase, target_label: x, "
          "source_labels: [a], replacement: y}]\n");
  CHECK_FALSE(valid(lower, at(2, 42)));
}

TEST_CASE("deep checks of discoveries and remote storage reject what Prometheus rejects") {
  const auto p = at(2, 42);
  for (const std::string& y : std::vector<std::string>{
           job("  kubernetes_sd_configs: [{role: pod, api_server: 'http://a', namespaces: "
               "{own_namespace: true}}]\n"),
           job("  kubernetes_sd_configs: [{role: bogus}]\n"),
           job("  kubernetes_sd_configs: [{role: node, selectors: [{role: pod}]}]\n"),
           job("  kubernetes_sd_configs: [{role: pod, kubeconfig_file: k, api_server: "
               "'http://a'}]\n"),
           job("  eureka_sd_configs: [{server: nope}]\n"),
           job("  hetzner_sd_configs: [{role: foo}]\n"),
           job("  puppetdb_sd_configs: [{url: 'http://a'}]\n"),
           job("  ec2_sd_configs: [{region: x, filters: [{name: a}]}]\n"),
           job("  marathon_sd_configs: [{servers: []}]\n"),
           job("  static_configs: [null]\n"),
           "remote_write: [{url: 'http://a', name: x}, {url: 'http://b', name: x}]\n",
           "remote_write: [{url: 'http://a', headers: {Authorization: x}}]\n",
           "remote_read: [{url: 'http://a', headers: {X-Prometheus-Remote-Read-Version: x}}]\n",
           "tracing: {client_type: grpc}\n",
       }) {
    CAPTURE(y);
    CHECK_FALSE(valid(y, p));
  }
  CHECK(valid(job("  kubernetes_sd_configs: [{role: endpoints, selectors: [{role: pod, label: "
                  "'a=b'}]}]\n"),
              p));
}

TEST_CASE("a target newer than the tables gets unknown fields as warnings") {
  const auto p = v::make_profile({3, 20}, v::judge::server, {});
  REQUIRE(p.newer_than_known);
  const auto rep = v::check_config("p.yml", "global: {some_future_field: 1}\n", {}, p);
  CHECK(rep.ok());
  REQUIRE(rep.warnings.size() == 1);
  CHECK(rep.warnings[0].message == "field some_future_field not found in type config.plain");
}

TEST_CASE("rules added in 3.6 to 3.14 (upstream config tests at those tags)") {
  struct row {
    std::string yml;
    v::prometheus_version since;  // invalid from this release on, valid (or unknown) before
  };
  // Each of these is invalid from `since`, where the field exists already.
  const std::vector<row> rows = {
      {"global: {metric_name_validation_scheme: nope}\n", {3, 6}},
      {"remote_write: [{url: 'http://a', queue_config: {capacity: 0}}]\n", {3, 12}},
      {"remote_write: [{url: 'http://a', queue_config: {min_shards: 9, max_shards: 3}}]\n",
       {3, 12}},
      {"remote_write: [{url: 'http://a', queue_config: {min_backoff: 9s, max_backoff: 1s}}]\n",
       {3, 12}},
  };
  for (const auto& r : rows) {
    CAPTURE(r.yml);
    CHECK(valid(r.yml, at(r.since.major, r.since.minor - 1)));
    CHECK_FALSE(valid(r.yml, at(r.since.major, r.since.minor)));
    CHECK_FALSE(valid(r.yml, at(3, 14)));
  }
  const auto p = at(3, 14);
  CHECK(valid("storage: {tsdb: {retention: {percentage: 0.5}}}\n", p));
  CHECK_FALSE(valid("storage: {tsdb: {retention: {percentage: 101}}}\n", p));
  CHECK_FALSE(valid("storage: {tsdb: {retention: {percentage: -1}}}\n", p));
  CHECK_FALSE(valid("storage: {tsdb: {retention: {size: -1GB}}}\n", p));
  CHECK_FALSE(valid("storage: {tsdb: {retention: {time: -1h}}}\n", p));
  CHECK(valid("storage: {tsdb: {chunk_encoding: {floats: xor}}}\n", p));
  CHECK_FALSE(valid("storage: {tsdb: {chunk_encoding: {floats: XOR2}}}\n", p));
  CHECK_FALSE(valid(job("  oci_sd_configs: [{auth: nope, region: r}]\n"), p));
  CHECK_FALSE(valid(job("  oci_sd_configs: [{region: r}]\n"), at(3, 13)));
  CHECK_FALSE(
      valid(job("  outscale_sd_configs: [{region: '', access_key: a, secret_key: s}]\n"), p));
  CHECK_FALSE(valid(job("  outscale_sd_configs: [{region: r, access_key: a}]\n"), p));
  CHECK_FALSE(valid(job("  outscale_sd_configs: [{region: r, access_key: a, secret_key: s, "
                        "secret_key_file: f}]\n"),
                    p));
  // 3.7 infers a scrape config's escaping from its own validation scheme.
  const auto local_legacy = job("  metric_name_validation_scheme: legacy\n");
  CHECK_FALSE(valid(local_legacy, at(3, 6)));
  CHECK(valid(local_legacy, at(3, 7)));
  // aws_sd_configs roles by release.
  CHECK_FALSE(valid(job("  aws_sd_configs: [{role: msk, region: r}]\n"), at(3, 9)));
  CHECK(valid(job("  aws_sd_configs: [{role: msk, region: r}]\n"), at(3, 10)));
  CHECK_FALSE(valid(job("  aws_sd_configs: [{role: rds, region: r}]\n"), at(3, 10)));
  CHECK(valid(job("  aws_sd_configs: [{role: elasticache, region: r}]\n"), at(3, 11)));
  // OTLP fields of 3.6 and 3.8.
  CHECK_FALSE(valid("otlp: {promote_scope_metadata: true}\n", at(3, 5)));
  CHECK(valid("otlp: {promote_scope_metadata: true}\n", at(3, 6)));
  CHECK_FALSE(valid("otlp: {label_name_underscore_sanitization: true}\n", at(3, 7)));
  CHECK(valid("otlp: {label_name_underscore_sanitization: true}\n", at(3, 8)));
  // Global extra_scrape_metrics (3.10), sigv4 external_id (3.10), oauth2 grant_type (3.8).
  CHECK_FALSE(valid("global: {extra_scrape_metrics: true}\n", at(3, 9)));
  CHECK(valid("global: {extra_scrape_metrics: true}\n", at(3, 10)));
  const std::string sigv4 = "remote_write: [{url: 'http://a', sigv4: {external_id: x}}]\n";
  CHECK_FALSE(valid(sigv4, at(3, 9)));
  CHECK(valid(sigv4, at(3, 10)));
  const auto grant =
      job("  oauth2: {client_id: a, client_secret: b, token_url: c, grant_type: x}\n");
  CHECK_FALSE(valid(grant, at(3, 7)));
  CHECK(valid(grant, at(3, 8)));
}

TEST_CASE("from 3.7 the file's legacy scheme applies to external labels and relabel targets") {
  const std::string ext =
      "global:\n  metric_name_validation_scheme: legacy\n  "
      "external_labels: {a.b: x}\n";
  CHECK(valid(ext, at(3, 6)));
  CHECK_FALSE(valid(ext, at(3, 7)));
  CHECK_FALSE(valid(ext, at(3, 7, v::judge::promtool)));
  const std::string relabel =
      "global:\n  metric_name_validation_scheme: legacy\n  "
      "metric_name_escaping_scheme: underscores\n" +
      job("  relabel_configs: [{target_label: a.b}]\n");
  CHECK(valid(relabel, at(3, 6)));
  CHECK_FALSE(valid(relabel, at(3, 7)));
}

TEST_CASE("a target newer than the tables gets unknown discoveries as warnings") {
  const auto p = v::make_profile({3, 20}, v::judge::server, {});
  const auto rep = v::check_config("p.yml", job("  future_sd_configs: [{a: b}]\n"), {}, p);
  CHECK(rep.ok());
  REQUIRE(rep.warnings.size() == 1);
  CHECK(rep.warnings[0].message == "field future_sd_configs not found in type config.ScrapeConfig");
  // The same file is an error for a known release.
  CHECK_FALSE(valid(job("  future_sd_configs: [{a: b}]\n"), at(3, 14)));
}

TEST_CASE("the default profile keeps the 2.42 verdicts") {
  const v::profile def{};
  CHECK(valid(job("  tls_config: {max_version: TLS13}\n"), def));
  CHECK_FALSE(valid(job("  tls_config: {ca: x}\n"), def));
  CHECK_FALSE(valid("scrape_config_files: []\n", def));
  CHECK_FALSE(valid(job("  relabel_configs: [{action: uppercase, target_label: x, "
                        "source_labels: [a], replacement: y}]\n"),
                    def));
  // The server judge does not stat credential files.
  CHECK(valid(job("  authorization: {credentials_file: /nonexistent/token}\n"), def));
}

TEST_CASE("discovery fields with defaults are only missing when emptied") {
  const auto p = at(2, 42);
  CHECK(valid(job("  consul_sd_configs: [{services: [a]}]\n"), p));
  CHECK_FALSE(valid(job("  consul_sd_configs: [{server: ' '}]\n"), p));
  CHECK_FALSE(valid(job("  consul_sd_configs: [{username: a, basic_auth: {username: b}}]\n"), p));
  CHECK_FALSE(
      valid(job("  consul_sd_configs: [{token: a, authorization: {credentials: b}}]\n"), p));
  CHECK(valid(job("  nomad_sd_configs: [{}]\n"), p));
  CHECK(valid(job("  ovhcloud_sd_configs: [{application_key: a, application_secret: b, "
                  "consumer_key: c, service: vps}]\n"),
              p));
  CHECK(valid(job("  digitalocean_sd_configs: [{role: databases}]\n"), at(3, 12)));
  CHECK_FALSE(valid(job("  digitalocean_sd_configs: [{role: nope}]\n"), at(3, 12)));
  CHECK_FALSE(valid(job("  digitalocean_sd_configs: [{role: databases}]\n"), at(3, 11)));
  CHECK(valid(job("  azure_sd_configs: [{subscription_id: s, authentication_method: "
                  "WorkloadIdentity}]\n"),
              at(3, 11)));
  CHECK_FALSE(valid(job("  azure_sd_configs: [{subscription_id: s, authentication_method: "
                        "WorkloadIdentity}]\n"),
                    at(3, 10)));
}

TEST_CASE("remote write azuread follows storage/remote/azuread Validate") {
  const auto p = at(3, 5);
  auto rw = [](const std::string& azuread) {
    return "remote_write: [{url: 'http://a', azuread: " + azuread + "}]\n";
  };
  const std::string id = "00000000-0000-0000-0000-000000000000";
  CHECK(valid(rw("{managed_identity: {client_id: " + id + "}}"), p));
  CHECK_FALSE(valid(rw("{managed_identity: {client_id: " + id + "}}"), at(2, 44)));
  CHECK_FALSE(valid(rw("{managed_identity: {client_id: nope}}"), p));
  CHECK_FALSE(valid(rw("{cloud: AzurePublic}"), p));
  CHECK_FALSE(valid(rw("{cloud: Mars, managed_identity: {}}"), p));
  CHECK_FALSE(valid(rw("{oauth: {client_id: " + id + ", client_secret: s}}"), p));
  CHECK(valid(rw("{oauth: {client_id: " + id + ", client_secret: s, tenant_id: t}}"), p));
  CHECK_FALSE(
      valid(rw("{oauth: {client_id: " + id + ", client_secret: s, tenant_id: t}, sdk: {}}"), p));
  CHECK_FALSE(valid(rw("{sdk: {}}"), at(2, 51)));
  CHECK(valid(rw("{sdk: {}}"), at(2, 52)));
  CHECK_FALSE(valid(rw("{workload_identity: {client_id: " + id + ", tenant_id: nope}}"), at(3, 7)));
  CHECK(valid(rw("{workload_identity: {client_id: " + id + ", tenant_id: " + id + "}}"), at(3, 7)));
  CHECK_FALSE(valid("remote_write: [{url: 'http://a', azuread: {managed_identity: {client_id: " +
                        id + "}}, basic_auth: {username: a}}]\n",
                    p));
}

TEST_CASE("a target's features API decides which discoveries exist") {
  auto p = v::make_profile({3, 20}, v::judge::server, {});
  p.features_api["service_discovery_providers"] = {{"future", true}, {"static", true}};
  const auto listed = v::check_config("p.yml", job("  future_sd_configs: [{a: b}]\n"), {}, p);
  CHECK(listed.ok());
  CHECK(listed.warnings.empty());
  // Absent from a category the target listed means not compiled in.
  const auto absent = v::check_config("p.yml", job("  ec2_sd_configs: [{region: r}]\n"), {}, p);
  CHECK(absent.ok());
  REQUIRE(absent.warnings.size() == 1);
  auto known = at(3, 14);
  known.features_api["service_discovery_providers"] = {{"ec2", true}};
  CHECK_FALSE(valid(job("  kubernetes_sd_configs: [{role: pod}]\n"), known));
  CHECK(valid(job("  ec2_sd_configs: [{region: r}]\n"), known));
}

TEST_CASE("kubernetes pod role accepts node selectors from 3.11") {
  const auto y =
      job("  kubernetes_sd_configs: [{role: pod, selectors: [{role: node, label: 'a=b'}]}]\n");
  CHECK_FALSE(valid(y, at(3, 10)));
  CHECK(valid(y, at(3, 11)));
  CHECK(valid("storage: {tsdb: {stale_series_compaction_threshold: 0.5}}\n", at(3, 10)));
  CHECK_FALSE(valid("storage: {tsdb: {stale_series_compaction_threshold: 0.5}}\n", at(3, 9)));
}
