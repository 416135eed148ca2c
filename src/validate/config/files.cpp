#include "validate/config/files.hpp"

#include <filesystem>
#include <fstream>
#include <glob.h>
#include <set>
#include <sstream>
#include <system_error>

#include "validate/yaml/document.hpp"

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

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
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
      return "authorization credentials or bearer token file";
  }
}

}  // namespace

report check_referenced_files(std::string_view config_path, const std::vector<file_reference>& refs,
                              const limits& lim, const profile& prof,
                              std::vector<std::string> job_names) {
  report out;
  std::set<std::string, std::less<>> jobs(job_names.begin(), job_names.end());
  auto error = [&](const file_reference& r, std::string message) {
    out.errors.push_back({std::string(config_path), r.line, r.column, std::move(message)});
  };
  for (const auto& r : refs) {
    // The server stats none of these files at load (it globs rule files and reads
    // credentials per request); only promtool's checkConfig does.
    if (prof.by != judge::promtool && r.kind != file_reference::what::scrape_config_glob) continue;
    const fs::path p = resolve(config_path, r.path);
    std::error_code ec;
    switch (r.kind) {
      case file_reference::what::rule_glob:
        // cmd/promtool checkConfig: a pattern with `*` may match nothing, any other must match.
        if (r.path.find('*') == std::string::npos && glob_paths(p).empty()) {
          error(r, quote(r.path) + " does not point to an existing file");
        }
        break;
      case file_reference::what::scrape_config_glob:
        for (const auto& file : glob_paths(p)) {
          const std::string content = read_file(file);
          auto sub = check_scrape_config(file, content, lim, prof);
          out.errors.insert(out.errors.end(), sub.errors.begin(), sub.errors.end());
          out.warnings.insert(out.warnings.end(), sub.warnings.begin(), sub.warnings.end());
          // config.go GetScrapeConfigs: job names are unique across the main file and every
          // scrape config file (a file matched twice repeats its jobs).
          const auto doc = yaml::load(file, content, lim);
          if (!doc.root || !doc.root->is_map()) continue;
          const yaml::node* scs = doc.root->find("scrape_configs");
          if (!scs || !scs->is_sequence()) continue;
          for (const auto& sc : scs->items) {
            const yaml::node* name = sc.is_map() ? sc.find("job_name") : nullptr;
            if (name && name->is_scalar() && !jobs.insert(name->value).second) {
              out.errors.push_back(
                  {file, name->pos.line, name->pos.column,
                   "found multiple scrape configs with job name " + quote(name->value)});
            }
          }
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
