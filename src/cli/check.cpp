#include "cli/check.hpp"

#include <cerrno>
#include <cstdint>
#include <cstring>
#include <fcntl.h>
#include <filesystem>
#include <glob.h>
#include <optional>
#include <sys/stat.h>
#include <unistd.h>

#include "core/diagnostic.hpp"
#include "validate/validate.hpp"
#include "validate/yaml/document.hpp"

namespace promwatch::cli {

namespace {

/// Reads a regular file of at most `max_bytes`. Anything else is refused without reading:
/// a FIFO would block forever and a device like /dev/zero never ends. Opened non-blocking,
/// so even opening a FIFO without a writer cannot hang.
std::optional<std::string> read_file(const std::string& path, std::size_t max_bytes,
                                     std::string& why) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
  if (fd < 0) {
    why = "cannot open " + path + ": " + std::strerror(errno);
    return std::nullopt;
  }
  const auto close_fd = [fd] { ::close(fd); };
  struct stat st {};
  if (::fstat(fd, &st) != 0) {
    why = "cannot stat " + path + ": " + std::strerror(errno);
    close_fd();
    return std::nullopt;
  }
  if (!S_ISREG(st.st_mode)) {
    why = "cannot read " + path + ": not a regular file";
    close_fd();
    return std::nullopt;
  }
  const auto too_large = [&] {
    why = "file " + path + " is more than the limit of " + std::to_string(max_bytes) + " bytes";
    close_fd();
    return std::nullopt;
  };
  if (static_cast<std::uintmax_t>(st.st_size) > max_bytes) return too_large();
  std::string content;
  char buf[64 * 1024];
  for (;;) {
    const ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      why = "cannot read " + path + ": " + std::strerror(errno);
      close_fd();
      return std::nullopt;
    }
    if (n == 0) break;
    // The file may grow while it is read.
    if (content.size() + static_cast<std::size_t>(n) > max_bytes) return too_large();
    content.append(buf, static_cast<std::size_t>(n));
  }
  close_fd();
  return content;
}

void print_failure(const core::diagnostics& errors, std::ostream& err) {
  err << "  FAILED:\n";
  for (const auto& d : errors)
    err << core::format(d) << '\n';
}

// Checks one file of `kind` and prints the promtool-like block; returns whether it is valid.
bool check_one(core::file_kind kind, const std::string& path, const validate::profile& profile,
               std::ostream& out, std::ostream& err, std::string* content_out = nullptr) {
  out << "Checking " << path << '\n';
  std::string why;
  auto content = read_file(path, validate::limits{}.max_file_bytes, why);
  if (!content) {
    print_failure({{path, 1, 1, why}}, err);
    out << '\n';
    return false;
  }
  validate::report rep = validate::check(kind, path, *content, {}, profile);
  for (const auto& w : rep.warnings)
    err << "  WARNING: " << core::format(w) << '\n';
  if (!rep.ok()) {
    print_failure(rep.errors, err);
    out << '\n';
    return false;
  }
  switch (kind) {
    case core::file_kind::rules:
      out << "  SUCCESS: " << rep.rule_count << " rules found\n";
      break;
    case core::file_kind::file_sd:
      out << "  SUCCESS: " << rep.target_group_count << " target groups found\n";
      break;
    default:
      out << "  SUCCESS: " << path << " is valid prometheus config file syntax\n";
      break;
  }
  if (content_out) *content_out = std::move(*content);
  return true;
}

}  // namespace

std::vector<std::string> resolve_rule_files(std::string_view config_path,
                                            std::string_view config_content) {
  std::vector<std::string> files;
  auto doc = validate::yaml::load(config_path, config_content);
  if (!doc.root || !doc.root->is_map()) return files;
  const auto* patterns = doc.root->find("rule_files");
  if (!patterns || !patterns->is_sequence()) return files;
  const std::filesystem::path base = std::filesystem::path(config_path).parent_path();
  for (const auto& p : patterns->items) {
    if (!p.is_scalar() || p.value.empty()) continue;
    std::filesystem::path pattern(p.value);
    if (pattern.is_relative() && !base.empty()) pattern = base / pattern;
    glob_t matches{};
    if (::glob(pattern.c_str(), 0, nullptr, &matches) == 0) {
      for (std::size_t i = 0; i < matches.gl_pathc; ++i)
        files.emplace_back(matches.gl_pathv[i]);
    }
    ::globfree(&matches);
  }
  return files;
}

int run_check(std::string_view what, std::span<const std::string> files, std::ostream& out,
              std::ostream& err, const validate::profile& profile) {
  core::file_kind kind;
  if (what == "rules") {
    kind = core::file_kind::rules;
  } else if (what == "file-sd" || what == "file_sd") {
    kind = core::file_kind::file_sd;
  } else if (what == "config") {
    kind = core::file_kind::config;
  } else {
    err << "promwatch check: unknown kind \"" << what << "\" (want rules, file-sd or config)\n";
    return 2;
  }
  if (files.empty()) {
    err << "promwatch check " << what << ": no files given\n";
    return 2;
  }
  if (profile.newer_than_known) {
    err << "promwatch check: the version asked for is newer than Prometheus "
        << validate::to_string(profile.version)
        << ", the newest this promwatch knows; findings it cannot judge are warnings\n";
  }
  bool all_valid = true;
  for (const auto& path : files) {
    std::string content;
    bool ok = check_one(kind, path, profile, out, err, &content);
    all_valid = all_valid && ok;
    if (!ok) continue;
    out << '\n';
    if (kind != core::file_kind::config) continue;
    for (const auto& rule_file : resolve_rule_files(path, content)) {
      bool rules_ok = check_one(core::file_kind::rules, rule_file, profile, out, err);
      if (rules_ok) out << '\n';
      all_valid = all_valid && rules_ok;
    }
  }
  return all_valid ? 0 : 1;
}

}  // namespace promwatch::cli
