#include "support/reference_tools.hpp"

#include <cstdlib>
#include <unistd.h>

namespace promwatch::test {

namespace {

std::filesystem::path cache_dir() {
  if (const char* env = std::getenv("PROMWATCH_PROMETHEUS_CACHE"); env != nullptr && *env != 0)
    return env;
  if (const char* xdg = std::getenv("XDG_CACHE_HOME"); xdg != nullptr && *xdg != 0)
    return std::filesystem::path(xdg) / "promwatch" / "prometheus";
  const char* home = std::getenv("HOME");
  return std::filesystem::path(home != nullptr ? home : "/root") / ".cache" / "promwatch" /
         "prometheus";
}

bool executable(const std::filesystem::path& p) {
  return ::access(p.c_str(), X_OK) == 0;
}

}  // namespace

std::vector<std::string> reference_versions() {
  return {"2.42", "2.53", "3.5"};
}

std::optional<reference_tools> find_reference(const std::string& version) {
  reference_tools tools{version, {}, {}};
  const std::filesystem::path bin =
      version == "2.42" ? std::filesystem::path("/usr/bin") : cache_dir() / version / "usr" / "bin";
  tools.prometheus = bin / "prometheus";
  tools.promtool = bin / "promtool";
  if (!executable(tools.prometheus) || !executable(tools.promtool)) return std::nullopt;
  return tools;
}

}  // namespace promwatch::test
