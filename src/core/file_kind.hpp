#pragma once
#include <optional>
#include <string_view>

namespace promwatch::core {

/// What a watched file is to Prometheus; decides how it is validated and whether a change
/// to it needs a reload (file_sd files are re-read by Prometheus itself).
enum class file_kind { config, rules, scrape_config, file_sd, other };

constexpr std::string_view to_string(file_kind k) {
  switch (k) {
    case file_kind::config:
      return "config";
    case file_kind::rules:
      return "rules";
    case file_kind::scrape_config:
      return "scrape_config";
    case file_kind::file_sd:
      return "file_sd";
    case file_kind::other:
      return "other";
  }
  return "other";
}

/// True for kinds Prometheus only re-reads on a reload.
constexpr bool needs_reload(file_kind k) {
  return k == file_kind::config || k == file_kind::rules || k == file_kind::scrape_config;
}

}  // namespace promwatch::core
