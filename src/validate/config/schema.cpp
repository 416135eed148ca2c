#include "validate/config/schema.hpp"

namespace promwatch::validate::config {
namespace {

struct row {
  std::string_view section;
  std::string_view field;
  prometheus_version since;
  prometheus_version until;  // inclusive: the last release that has the field
};

constexpr row section_rows[] = {
#include "validate/config/section_fields.inc"
};

struct sd_row {
  std::string_view mechanism;
  std::string_view field;
  prometheus_version since;
  prometheus_version until;
};

constexpr sd_row sd_rows[] = {
#include "validate/config/sd_fields.inc"
};

bool in(prometheus_version v, prometheus_version since, prometheus_version until) {
  // Releases newer than the table are judged by its newest row (the caller warns instead).
  if (v > newest_known_version) v = newest_known_version;
  return since <= v && v <= until;
}

}  // namespace

bool known_field(std::string_view section, std::string_view field, prometheus_version v) {
  constexpr std::string_view sd_prefix = "sd:";
  if (section.starts_with(sd_prefix)) {
    const auto mechanism = section.substr(sd_prefix.size());
    for (const auto& r : sd_rows) {
      if (r.mechanism == mechanism && r.field == field && in(v, r.since, r.until)) return true;
    }
    return false;
  }
  for (const auto& r : section_rows) {
    if (r.section == section && r.field == field && in(v, r.since, r.until)) return true;
  }
  return false;
}

bool known_discovery(std::string_view mechanism, prometheus_version v) {
  for (const auto& r : sd_rows) {
    if (r.mechanism == mechanism && in(v, r.since, r.until)) return true;
  }
  return false;
}

std::string_view discovery_mechanism(std::string_view key) {
  constexpr std::string_view suffix = "_sd_configs";
  if (key.size() <= suffix.size() || !key.ends_with(suffix)) return {};
  return key.substr(0, key.size() - suffix.size());
}

}  // namespace promwatch::validate::config
