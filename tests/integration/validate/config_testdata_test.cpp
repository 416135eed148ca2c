#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include <doctest/doctest.h>

#include "support/corpus.hpp"
#include "support/reference_tools.hpp"
#include "validate/json/parse.hpp"
#include "validate/profile.hpp"
#include "validate/validate.hpp"

// Prometheus' own config test files at a release tag (config/testdata, cmd/promtool/testdata,
// the inline documents of its Go tests), judged by check_config with that tag's promtool
// profile. The verdict to match is the one of the Go test tables (`expect`): promwatch follows
// the official builds. The live promtool of the same version is run too and its agreement
// reported, leaving out the service discoveries Debian's build does not compile in.

namespace fs = std::filesystem;
namespace v = promwatch::validate;

namespace {

struct testdata_case {
  std::string id;
  fs::path file;
  bool expect_valid = false;
  std::string errmsg;
};

std::string read_all(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

std::string field(const v::yaml::node& obj, std::string_view key) {
  const v::yaml::node* n = obj.find(key);
  return n && n->is_scalar() ? n->value : std::string();
}

std::vector<testdata_case> load_cases(const fs::path& tag_dir) {
  std::vector<testdata_case> out;
  std::ifstream in(tag_dir / "manifest.jsonl");
  std::string line;
  while (std::getline(in, line)) {
    const auto doc = v::json::parse("manifest.jsonl", line);
    if (!doc.ok() || !doc.root || !doc.root->is_map()) continue;
    const auto& obj = *doc.root;
    if (field(obj, "kind") != "config") continue;
    if (const auto* skip = obj.find("skip"); skip && !skip->is_null()) continue;
    out.push_back({field(obj, "id"), tag_dir / field(obj, "path"), field(obj, "expect") == "valid",
                   field(obj, "errmsg")});
  }
  return out;
}

/// Service discoveries Debian's promtool of each version leaves out (its verdict on a file
/// using one is "field … not found", the official build's is not).
std::vector<std::string> debian_missing(const std::string& version) {
  if (version == "2.42") return {"consul", "kubernetes", "kuma", "linode", "nomad"};
  if (version == "2.53") return {"azure", "consul", "kuma", "nomad"};
  return {"azure", "consul", "kuma", "nomad", "openstack", "stackit"};
}

bool uses_debian_missing_sd(const std::string& content, const std::string& version) {
  for (const auto& sd : debian_missing(version)) {
    if (content.find(sd + "_sd_configs") != std::string::npos) return true;
  }
  return false;
}

/// `promtool check config` on every file of one directory at once, run in that directory as
/// Prometheus' tests do; file name -> valid.
std::map<std::string, bool> promtool_verdicts(const fs::path& promtool, const fs::path& dir,
                                              const std::vector<std::string>& names) {
  std::string cmd = "cd '" + dir.string() + "' && '" + promtool.string() + "' check config";
  for (const auto& n : names)
    cmd += " '" + n + "'";
  cmd += " 2>&1";
  std::map<std::string, bool> out;
  std::unique_ptr<FILE, int (*)(FILE*)> pipe(::popen(cmd.c_str(), "r"), ::pclose);
  if (!pipe) return out;
  std::string current;
  char buf[4096];
  while (std::fgets(buf, sizeof buf, pipe.get())) {
    std::string l(buf);
    if (l.starts_with("Checking ")) {
      current = l.substr(9);
      while (!current.empty() && (current.back() == '\n' || current.back() == '\r'))
        current.pop_back();
      out[current] = true;
    } else if (!current.empty() && l.find("FAILED") != std::string::npos) {
      out[current] = false;
    }
  }
  return out;
}

}  // namespace

TEST_CASE("check_config agrees with Prometheus' own config test verdicts at each tag") {
  const fs::path root = promwatch::test::find_corpus() / "prometheus-testdata";
  for (const auto& [version, tag] : std::vector<std::pair<std::string, std::string>>{
           {"2.42", "v2.42.0"}, {"2.53", "v2.53.0"}, {"3.5", "v3.5.0"}}) {
    const fs::path tag_dir = root / tag;
    if (!fs::exists(tag_dir / "manifest.jsonl")) {
      MESSAGE("no " << (tag_dir / "manifest.jsonl").string()
                    << "; skipping (see the shared corpus README)");
      continue;
    }
    CAPTURE(version);
    const auto prof =
        v::make_profile(*v::parse_version(version), v::judge::promtool, {}, std::nullopt);
    const auto cases = load_cases(tag_dir);
    REQUIRE(!cases.empty());

    std::size_t agree = 0;
    // Good test files that name rule, credential or certificate files they do not ship: the Go
    // tests only load them, promtool check config (which the profile follows) also stats those
    // files and rejects them. Counted apart, printed, and left out of the ratio.
    std::size_t file_checks = 0;
    std::map<bool, std::size_t> wrong;  // expect_valid -> count
    std::map<fs::path, std::vector<std::string>> by_dir;
    std::map<std::string, bool> ours;
    for (const auto& c : cases) {
      const std::string content = read_all(c.file);
      const auto rep = v::check_config(c.file.string(), content, {}, prof);
      ours[c.id] = rep.ok();
      by_dir[c.file.parent_path()].push_back(c.file.filename().string());
      if (rep.ok() == c.expect_valid) {
        ++agree;
        continue;
      }
      const bool only_file_checks =
          c.expect_valid && std::all_of(rep.errors.begin(), rep.errors.end(), [](const auto& e) {
            return e.message.find("does not point to an existing file") != std::string::npos ||
                   e.message.starts_with("error checking ");
          });
      if (only_file_checks) {
        ++file_checks;
      } else {
        ++wrong[c.expect_valid];
      }
      std::cout << (only_file_checks ? "PROMTOOL FILE CHECK " : "DISAGREE ") << version << " "
                << c.id << ": expect " << (c.expect_valid ? "valid" : "invalid") << ", ours "
                << (rep.ok() ? "valid" : "invalid") << "\n";
      if (!c.errmsg.empty()) std::cout << "  expected: " << c.errmsg << "\n";
      for (const auto& e : rep.errors)
        std::cout << "  ours: " << e.line << ":" << e.column << ": " << e.message << "\n";
    }
    const std::size_t judged = cases.size() - file_checks;
    const double ratio = static_cast<double>(agree) / static_cast<double>(judged);
    std::cout << "config testdata " << version << ": " << agree << "/" << judged
              << " agree with the Go tests' verdicts (wrongly accepted " << wrong[false]
              << ", wrongly rejected " << wrong[true] << "; " << file_checks
              << " more rejected by promtool's own file checks)\n";
    CHECK(ratio >= 0.995);

    // For information: the server profile of the same version skips promtool's own checks
    // (referenced files, target addresses after relabeling), so it accepts those files.
    const auto server = v::make_profile(*v::parse_version(version), v::judge::server, {});
    std::size_t server_accepts_invalid = 0;
    std::size_t invalid = 0;
    for (const auto& c : cases) {
      if (c.expect_valid) continue;
      ++invalid;
      if (v::check_config(c.file.string(), read_all(c.file), {}, server).ok()) {
        ++server_accepts_invalid;
        std::cout << "SERVER PROFILE ACCEPTS " << version << " " << c.id << "\n";
      }
    }
    std::cout << "config testdata " << version << ": the server profile accepts "
              << server_accepts_invalid << " of " << invalid << " invalid files\n";

    const auto tools = promwatch::test::find_reference(version);
    if (!tools) {
      MESSAGE("no promtool " << version << "; run scripts/fetch-prometheus.sh for the live check");
      continue;
    }
    std::map<std::string, bool> live;
    for (const auto& [dir, names] : by_dir) {
      for (const auto& [name, ok] : promtool_verdicts(tools->promtool, dir, names))
        live[(dir / name).string()] = ok;
    }
    std::size_t live_agree = 0;
    std::size_t live_total = 0;
    for (const auto& c : cases) {
      const auto it = live.find(c.file.string());
      if (it == live.end()) continue;
      if (uses_debian_missing_sd(read_all(c.file), version)) continue;
      ++live_total;
      if (it->second == ours[c.id]) {
        ++live_agree;
      } else {
        std::cout << "LIVE DISAGREE " << version << " " << c.id << ": promtool "
                  << (it->second ? "valid" : "invalid") << ", ours "
                  << (ours[c.id] ? "valid" : "invalid") << "\n";
      }
    }
    std::cout << "config testdata " << version << ": " << live_agree << "/" << live_total
              << " agree with live promtool " << version
              << " (files using SDs Debian leaves out excluded)\n";
    CHECK(static_cast<double>(live_agree) >= 0.995 * static_cast<double>(live_total));
  }
}
