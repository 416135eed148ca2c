#pragma once
#include <optional>
#include <string>
#include <string_view>

namespace promwatch::validate::config {

// Syntax rules of Go libraries that Prometheus' config validation relies on. Pure functions.

/// encoding/base64 StdEncoding (padded; line breaks ignored), as yaml.v2 decodes `!!binary`.
/// nullopt for invalid input.
std::optional<std::string> base64_decode(std::string_view in);

/// Whether Go's url.Parse accepts `u`: no leading ':' (missing protocol scheme), no ASCII
/// control characters, well-formed %-escapes.
bool go_url_parses(std::string_view u);

/// k8s.io/apimachinery fields.ParseSelector: comma-separated `key=value`, `key==value` or
/// `key!=value` terms.
bool field_selector_ok(std::string_view s);

/// A loose form of k8s.io/apimachinery labels.Parse: each comma-separated term is `key`,
/// `!key`, `key op value` (=, ==, !=), `key in (…)`, `key notin (…)` or `key < n` / `key > n`.
bool label_selector_ok(std::string_view s);

/// google/uuid Parse: 8-4-4-4-12 hex digits, optionally in braces or after `urn:uuid:`, or
/// 32 hex digits.
bool uuid_ok(std::string_view u);

}  // namespace promwatch::validate::config
