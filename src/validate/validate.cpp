#include "validate/validate.hpp"

namespace promwatch::validate {

report check(core::file_kind kind, std::string_view path, std::string_view content,
             const limits& lim) {
  switch (kind) {
    case core::file_kind::config:
      return check_config(path, content, lim);
    case core::file_kind::rules:
      return check_rules(path, content, lim);
    case core::file_kind::scrape_config:
      return check_scrape_config(path, content, lim);
    case core::file_kind::file_sd:
      return check_file_sd(path, content, lim);
    case core::file_kind::other:
      return {};
  }
  return {};
}

}  // namespace promwatch::validate
