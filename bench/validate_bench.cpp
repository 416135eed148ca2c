// Validation throughput: promwatch's rule checker against `promtool check rules` of each
// Prometheus version present (2.42 from Debian 12, 2.53 and 3.5 from scripts/fetch-prometheus.sh)
// on the same files in the same run, promwatch using that version's profile: every rule file of
// the shared corpus, and a generated file of 10,000 rules. Prints rates and ratios per version;
// exits 1 when promwatch is under 10x promtool on the generated file for any version.
// Usage: validate_bench [CORPUS_DIR]
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

#include "validate/validate.hpp"

namespace fs = std::filesystem;
using clock_type = std::chrono::steady_clock;

namespace {

std::string read_text(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

struct measurement {
  double seconds = 0;
  std::size_t files = 0;
  std::size_t rules = 0;
};

// promwatch, reading each file from disk as promtool does; repeated until ~1s has passed.
measurement run_promwatch(const std::vector<fs::path>& files,
                          const promwatch::validate::profile& prof) {
  measurement m;
  const auto start = clock_type::now();
  do {
    for (const auto& f : files) {
      const std::string content = read_text(f);
      auto rep = promwatch::validate::check_rules(f.string(), content, {}, prof);
      m.rules += rep.rule_count;
      ++m.files;
    }
    m.seconds = std::chrono::duration<double>(clock_type::now() - start).count();
  } while (m.seconds < 1.0);
  return m;
}

// One promtool process per file: how a reloader without an in-process validator runs it.
measurement run_promtool(const std::string& promtool, const std::vector<fs::path>& files,
                         std::size_t rules_per_pass) {
  measurement m;
  const auto start = clock_type::now();
  for (const auto& f : files) {
    std::string cmd = promtool + " check rules '" + f.string() + "' >/dev/null 2>&1";
    int rc = std::system(cmd.c_str());
    (void)rc;
    ++m.files;
  }
  m.rules = rules_per_pass;
  m.seconds = std::chrono::duration<double>(clock_type::now() - start).count();
  return m;
}

void print(const char* what, const measurement& pw, const measurement& pt) {
  const double pw_files = pw.files / pw.seconds, pt_files = pt.files / pt.seconds;
  const double pw_rules = pw.rules / pw.seconds, pt_rules = pt.rules / pt.seconds;
  std::printf("%s\n", what);
  std::printf("  promwatch: %10.1f files/s %12.0f rules/s\n", pw_files, pw_rules);
  std::printf("  promtool:  %10.1f files/s %12.0f rules/s\n", pt_files, pt_rules);
  std::printf("  ratio:     %10.1fx\n", pw_files / pt_files);
}

std::string generated_rules(std::size_t n) {
  std::string out = "groups:\n";
  for (std::size_t g = 0; g < n / 100; ++g) {
    out += "- name: group_" + std::to_string(g) + "\n  interval: 30s\n  rules:\n";
    for (std::size_t r = 0; r < 100; ++r) {
      const std::string id = std::to_string(g * 100 + r);
      if (r % 2 == 0) {
        out += "  - record: job:metric_" + id +
               ":rate5m\n    expr: sum by (job, instance) (rate(metric_" + id +
               "_total{code=~\"5..\"}[5m])) / ignoring(code) group_left sum(rate(metric_" + id +
               "_total[5m]))\n    labels:\n      team: t" + id + "\n";
      } else {
        out += "  - alert: Alert" + id +
               "\n    expr: |\n      histogram_quantile(0.99, sum by (le) (rate(h_" + id +
               "_bucket[5m]))) > 0.5\n    for: 5m\n    labels:\n      severity: warning\n"
               "    annotations:\n      summary: \"{{ $labels.instance }} is slow: {{ $value | "
               "humanizeDuration }}\"\n"
               "      description: '{{ if gt $value 1.0 }}very{{ else }}a bit{{ end }} slow'\n";
      }
    }
  }
  return out;
}

struct reference {
  std::string version;
  std::string promtool;
};

// The promtools the tests use (tests/integration/support/reference_tools.cpp has the same rule).
std::vector<reference> references() {
  fs::path cache;
  if (const char* env = std::getenv("PROMWATCH_PROMETHEUS_CACHE"); env != nullptr && *env != 0) {
    cache = env;
  } else if (const char* xdg = std::getenv("XDG_CACHE_HOME"); xdg != nullptr && *xdg != 0) {
    cache = fs::path(xdg) / "promwatch" / "prometheus";
  } else {
    const char* home = std::getenv("HOME");
    cache = fs::path(home != nullptr ? home : "/root") / ".cache" / "promwatch" / "prometheus";
  }
  std::vector<reference> out;
  for (const std::string v : {"2.42", "2.53", "3.5"}) {
    const fs::path tool =
        v == "2.42" ? fs::path("/usr/bin/promtool") : cache / v / "usr/bin/promtool";
    if (fs::exists(tool)) {
      out.push_back({v, tool.string()});
    } else {
      std::printf("promtool %s absent at %s (scripts/fetch-prometheus.sh fetches it)\n", v.c_str(),
                  tool.c_str());
    }
  }
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  // The shared corpus sits beside the clone (../shared), as in CI.
  const fs::path corpus =
      argc > 1 ? fs::path(argv[1]) : fs::path(PROMWATCH_SOURCE_DIR) / ".." / "shared" / "corpus";

  std::vector<fs::path> corpus_files;
  if (fs::exists(corpus / "rules")) {
    for (const auto& e : fs::recursive_directory_iterator(corpus / "rules")) {
      if (e.is_regular_file()) corpus_files.push_back(e.path());
    }
  }
  const fs::path big = fs::temp_directory_path() / "promwatch-bench-10000-rules.yml";
  {
    std::ofstream out(big, std::ios::binary);
    out << generated_rules(10000);
  }

  std::vector<std::pair<const char*, std::vector<fs::path>>> sets;
  if (!corpus_files.empty()) {
    sets.emplace_back("shared corpus rule files", corpus_files);
  } else {
    std::printf("corpus absent at %s: skipping the corpus set\n", corpus.c_str());
  }
  sets.emplace_back("generated file with 10,000 rules", std::vector<fs::path>{big});

  int status = 0;
  std::vector<std::string> summary;
  for (const auto& ref : references()) {
    const auto version = *promwatch::validate::parse_version(ref.version);
    const auto prof =
        promwatch::validate::make_profile(version, promwatch::validate::judge::promtool, {});
    std::printf("\n== Prometheus %s: promwatch --prometheus-version=%s vs %s\n",
                ref.version.c_str(), ref.version.c_str(), ref.promtool.c_str());
    for (const auto& [name, files] : sets) {
      measurement pw = run_promwatch(files, prof);
      std::size_t rules_per_pass = 0;
      for (const auto& f : files) {
        rules_per_pass +=
            promwatch::validate::check_rules(f.string(), read_text(f), {}, prof).rule_count;
      }
      std::printf("%s: %zu files, %zu rules\n", name, files.size(), rules_per_pass);
      measurement pt = run_promtool(ref.promtool, files, rules_per_pass);
      print(name, pw, pt);
      const double ratio = (pw.files / pw.seconds) / (pt.files / pt.seconds);
      char line[160];
      std::snprintf(line, sizeof line, "| %s | %s | %.0f | %.0f | %.1fx |", ref.version.c_str(),
                    name, pw.rules / pw.seconds, pt.rules / pt.seconds, ratio);
      summary.emplace_back(line);
      if (files.size() == 1 && ratio < 10) status = 1;  // the 10,000-rule target: >= 10x
    }
  }
  std::printf(
      "\n| version | input | promwatch rules/s | promtool rules/s | ratio "
      "|\n|---|---|---|---|---|\n");
  for (const auto& l : summary)
    std::printf("%s\n", l.c_str());
  fs::remove(big);
  return status;
}
