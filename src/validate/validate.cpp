#include "validate/validate.hpp"

namespace promwatch::validate {

report place_file_level_errors(report r) {
  for (auto& e : r.errors) {
    if (e.line <= 0) {
      e.line = 1;
      e.column = 1;
    } else if (e.column <= 0) {
      e.column = 1;
    }
  }
  return r;
}

report check(core::file_kind kind, std::string_view path, std::string_view content,
             const limits& lim, const profile& prof) {
  switch (kind) {
    case core::file_kind::config:
      return check_config(path, content, lim, prof);
    case core::file_kind::rules:
      return check_rules(path, content, lim, prof);
    case core::file_kind::scrape_config:
      return check_scrape_config(path, content, lim, prof);
    case core::file_kind::file_sd:
      return check_file_sd(path, content, lim, prof);
    case core::file_kind::other:
      return {};
  }
  return {};
}

}  // namespace promwatch::validate
