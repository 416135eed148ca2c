#include "validate/config/files.hpp"

#include <filesystem>
#include <fstream>
#include <glob.h>
#include <sstream>
#include <system_error>

namespace promwatch::validate::config {
namespace {

namespace fs = std::filesystem;

std::string quote(std::string_view s) {
  return "\"" + std::string(s) + "\"";
}

/// The path Prometheus opens: relative paths are joined to the config file's directory.
fs::path resolve(std::string_view config_path, const std::string& p) {
  const fs::path file(p);
  if (file.is_absolute()) return file;
  return fs::path(config_path).parent_path() / file;
}

std::vector<std::string> glob_paths(const fs::path& pattern) {
  std::vector<std::string> out;
  glob_t g{};
  if (::glob(pattern.c_str(), 0, nullptr, &g) == 0) {
    for (std::size_t i = 0; i < g.gl_pathc; ++i)
      out.emplace_back(g.gl_pathv[i]);
  }
  ::globfree(&g);
  return out;
}

std::string_view describe(file_reference::what w) {
  switch (w) {
    case file_reference::what::ca:
      return "CA file";
    case file_reference::what::cert:
      return "client cert file";
    case file_reference::what::key:
      return "client key file";
    default:
      return "credentials file";
  }
}

}  // namespace

report check_referenced_files(std::string_view config_path, const std::vector<file_reference>& refs,
                              const limits& lim, const profile& prof) {
  report out;
  auto error = [&](const file_reference& r, std::string message) {
    out.errors.push_back({std::string(config_path), r.line, r.column, std::move(message)});
  };
  for (const auto& r : refs) {
    const fs::path p = resolve(config_path, r.path);
    std::error_code ec;
    switch (r.kind) {
      case file_reference::what::rule_glob:
        // cmd/promtool checkConfig: a pattern without matches is fine, a plain path must exist.
        if (r.path.find_first_of("*?[") == std::string::npos && !fs::is_regular_file(p, ec)) {
          error(r, quote(r.path) + " does not point to an existing file");
        }
        break;
      case file_reference::what::scrape_config_glob:
        for (const auto& file : glob_paths(p)) {
          std::ifstream in(file, std::ios::binary);
          std::ostringstream s;
          s << in.rdbuf();
          auto sub = check_scrape_config(file, s.str(), lim, prof);
          out.errors.insert(out.errors.end(), sub.errors.begin(), sub.errors.end());
          out.warnings.insert(out.warnings.end(), sub.warnings.begin(), sub.warnings.end());
        }
        break;
      default:
        if (!fs::exists(p, ec)) {
          error(r, "error checking " + std::string(describe(r.kind)) + " " + quote(r.path) +
                       ": stat " + r.path + ": no such file or directory");
        }
        break;
    }
  }
  return out;
}

}  // namespace promwatch::validate::config
