#pragma once
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace promwatch::test {

/// A real Prometheus and promtool of one release line, the judges of the parity and e2e tests.
struct reference_tools {
  std::string version;  // "2.42", "2.53", "3.5"
  std::filesystem::path prometheus;
  std::filesystem::path promtool;
};

/// The release lines tests compare against: Debian 12's 2.42 (installed from apt) and the
/// 2.53 and 3.5 that scripts/fetch-prometheus.sh unpacks into its cache.
std::vector<std::string> reference_versions();

/// The tools of `version` when both are present and executable: 2.42 from /usr/bin, the others
/// from $PROMWATCH_PROMETHEUS_CACHE (default ${XDG_CACHE_HOME:-$HOME/.cache}/promwatch/
/// prometheus)/<version>/usr/bin. nullopt otherwise; callers skip with a message naming
/// scripts/fetch-prometheus.sh.
std::optional<reference_tools> find_reference(const std::string& version);

}  // namespace promwatch::test
