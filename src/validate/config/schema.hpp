#pragma once
#include <string_view>

#include "validate/profile.hpp"

namespace promwatch::validate::config {

/// The fields a section of prometheus.yml accepts, keyed by Prometheus release: each row of
/// the table is (section, field, first release, last release), read from the Go structs of
/// config/config.go, discovery/*/, storage/remote/{azuread,googleiam}, prometheus/sigv4 and
/// the prometheus/common HTTP client config each release vendors. Sections are named after
/// their Go types: "config", "global", "scrape", "http" (HTTPClientConfig with its inlined
/// ProxyConfig), "tls", "basic_auth", "authorization", "oauth2", "sigv4", "remote_write",
/// "queue", …, and "sd:<mechanism>" for a service discovery (`<http>` there means the HTTP
/// client configuration is inlined).
bool known_field(std::string_view section, std::string_view field, prometheus_version v);

/// True when `mechanism` (`kubernetes` for `kubernetes_sd_configs`) is compiled into the
/// official builds of release `v`.
bool known_discovery(std::string_view mechanism, prometheus_version v);

/// The `<mechanism>` of a `<mechanism>_sd_configs` key, or empty for any other key.
std::string_view discovery_mechanism(std::string_view key);

}  // namespace promwatch::validate::config
