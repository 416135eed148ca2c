// Parity of promwatch's validators with the promtool of each reference version (2.42, 2.53,
// 3.5): the shared corpus of real files (judged by that version's manifest and, in the same run,
// by its promtool) plus single-defect variants generated here from the hand-written valid bases
// in tests/corpus/ and version-specific variants (query_offset, group labels, UTF-8 names,
// braces in record names, template functions, YAML scanner cases), judged by each promtool.
// promwatch runs with make_profile(version, judge::promtool, {}), as `promwatch check` would.
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include <doctest/doctest.h>
#include <re2/re2.h>

#include "support/child_process.hpp"
#include "support/corpus.hpp"
#include "support/reference_tools.hpp"
#include "validate/validate.hpp"

namespace fs = std::filesystem;
using promwatch::test::find_corpus;
using promwatch::test::find_reference;
using promwatch::test::read_file;
using promwatch::test::run_shell;
using promwatch::test::shell_quote;
using promwatch::test::temp_dir;
using promwatch::test::write_file;
using promwatch::validate::check_file_sd;
using promwatch::validate::check_rules;
using promwatch::validate::profile;
using promwatch::validate::report;

namespace {

const fs::path corpus_dir = find_corpus();
const fs::path bases_dir = fs::path(PROMWATCH_SOURCE_DIR) / "tests" / "corpus";

// promtool check rules on many files at once: path -> valid. "Checking X" goes to stdout and
// errors to stderr (promtool 3.x), so the two streams are read apart: every error line starts
// with the file's path and a colon (rulefmt.ParseFile), lint findings (duplicate rules, which
// fail only with --lint-fatal) do not.
std::map<std::string, bool> promtool_rules(const fs::path& promtool,
                                           const std::vector<fs::path>& files) {
  std::map<std::string, bool> verdicts;
  const std::size_t batch = 200;
  temp_dir scratch;
  const fs::path errors_file = scratch.path / "stderr";
  for (std::size_t start = 0; start < files.size(); start += batch) {
    std::string cmd = shell_quote(promtool.string()) + " check rules";
    for (std::size_t i = start; i < std::min(files.size(), start + batch); ++i) {
      cmd += " " + shell_quote(files[i].string());
    }
    std::istringstream out(run_shell(cmd + " 2>" + shell_quote(errors_file.string()), false));
    std::string line;
    std::vector<std::string> checked;
    while (std::getline(out, line)) {
      if (line.rfind("Checking ", 0) == 0) checked.push_back(line.substr(9));
    }
    std::vector<std::string> error_lines;
    std::istringstream err(read_file(errors_file));
    while (std::getline(err, line))
      error_lines.push_back(line);
    for (const auto& path : checked) {
      bool ok = true;
      for (const auto& l : error_lines)
        ok = ok && l.rfind(path + ":", 0) != 0;
      verdicts[path] = ok;
    }
  }
  return verdicts;
}

// Prometheus' own file discovery, through `promtool check service-discovery` on one job that
// lists every file; a file is invalid when the reader logs "Error reading file" for it.
// Files are named by the caller and must sit directly in `dir`.
std::map<std::string, bool> promtool_file_sd(const fs::path& promtool, const fs::path& dir,
                                             const std::vector<std::string>& names) {
  std::string cfg = "scrape_configs:\n- job_name: c\n  file_sd_configs:\n  - files:\n";
  for (const auto& n : names)
    cfg += "    - " + n + "\n";
  write_file(dir / "parity-cfg.yml", cfg);
  std::string out =
      run_shell("cd " + shell_quote(dir.string()) + " && " + shell_quote(promtool.string()) +
                " check service-discovery --timeout=2s parity-cfg.yml c");
  std::map<std::string, bool> verdicts;
  for (const auto& n : names)
    verdicts[n] = true;
  // RE2 rather than std::regex: libstdc++'s regex trips g++ 12's -Wmaybe-uninitialized
  // under the sanitizer preset.
  static const re2::RE2 error_line(R"(msg="Error reading file" path=(\S+))");
  re2::StringPiece rest(out);
  std::string path;
  while (re2::RE2::FindAndConsume(&rest, error_line, &path))
    verdicts[path] = false;
  return verdicts;
}

struct tally {
  std::size_t compared = 0;
  std::size_t agreed = 0;
  void add(const std::string& what, bool expected, const report& got, const std::string& content) {
    ++compared;
    if (expected == got.ok()) {
      ++agreed;
      return;
    }
    std::string why = got.errors.empty() ? "" : promwatch::core::format(got.errors.front());
    std::string shown = content.substr(0, 400);
    const std::string verdicts = std::string(" promtool=") + (expected ? "valid" : "invalid") +
                                 " promwatch=" + (got.ok() ? "valid" : "invalid") + " ";
    MESSAGE("DISAGREE " << what << verdicts << why << "\n----\n" << shown << "\n----");
  }
  double ratio() const { return compared == 0 ? 1.0 : double(agreed) / double(compared); }
};

// ---- variant generation ------------------------------------------------------------------

struct variant {
  std::string name;
  std::string content;
};

std::vector<std::string> split_lines(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  std::string l;
  while (std::getline(in, l))
    lines.push_back(l);
  return lines;
}

std::string join_lines(const std::vector<std::string>& lines) {
  std::string out;
  for (const auto& l : lines)
    out += l + "\n";
  return out;
}

// Line-level defects: delete, duplicate, unknown sibling key, shifted indentation.
void line_variants(const std::string& base_name, const std::string& text,
                   std::vector<variant>& out) {
  auto lines = split_lines(text);
  static const re2::RE2 key_line(R"((\s*)(- )?([A-Za-z_]+):.*)");
  for (std::size_t i = 0; i < lines.size(); ++i) {
    if (lines[i].find_first_not_of(' ') == std::string::npos || lines[i].find('#') == 0) continue;
    auto tag = base_name + ":" + std::to_string(i + 1);
    auto copy = lines;
    copy.erase(copy.begin() + static_cast<long>(i));
    out.push_back({tag + ":delete", join_lines(copy)});
    copy = lines;
    copy.insert(copy.begin() + static_cast<long>(i), lines[i]);
    out.push_back({tag + ":duplicate", join_lines(copy)});
    copy = lines;
    copy[i] = " " + copy[i];
    out.push_back({tag + ":indent", join_lines(copy)});
    std::string lead, dash;
    if (re2::RE2::FullMatch(lines[i], key_line, &lead, &dash)) {
      std::string indent = lead + (dash.empty() ? "" : "  ");
      copy = lines;
      copy.insert(copy.begin() + static_cast<long>(i) + 1, indent + "bogus_field: 1");
      out.push_back({tag + ":unknown-key", join_lines(copy)});
    }
  }
}

// Value substitutions keyed by the field name on a `key: value` line.
void value_variants(const std::string& base_name, const std::string& text,
                    const std::map<std::string, std::vector<std::string>>& table,
                    std::vector<variant>& out) {
  auto lines = split_lines(text);
  static const re2::RE2 kv(R"((\s*(?:- )?)([A-Za-z_]+): (.+))");
  for (std::size_t i = 0; i < lines.size(); ++i) {
    std::string lead, key;
    if (!re2::RE2::FullMatch(lines[i], kv, &lead, &key)) continue;
    auto it = table.find(key);
    if (it == table.end()) continue;
    for (std::size_t k = 0; k < it->second.size(); ++k) {
      auto copy = lines;
      copy[i] = lead + key + ": " + it->second[k];
      out.push_back({base_name + ":" + std::to_string(i + 1) + ":" + key + "=" + it->second[k],
                     join_lines(copy)});
    }
  }
}

// Appends a key/value entry under each `labels:`/`annotations:` block line.
void map_entry_variants(const std::string& base_name, const std::string& text,
                        const std::vector<std::string>& entries, std::vector<variant>& out) {
  auto lines = split_lines(text);
  for (std::size_t i = 0; i + 1 < lines.size(); ++i) {
    auto pos = lines[i].find_first_not_of(' ');
    if (pos == std::string::npos) continue;
    std::string key = lines[i].substr(pos);
    if (key != "labels:" && key != "annotations:") continue;
    std::string indent(lines[i + 1].find_first_not_of(' '), ' ');
    for (const auto& e : entries) {
      auto copy = lines;
      copy.insert(copy.begin() + static_cast<long>(i) + 1, indent + e);
      out.push_back({base_name + ":" + std::to_string(i + 1) + ":" + key + e, join_lines(copy)});
    }
  }
}

std::vector<variant> rule_variants() {
  std::vector<variant> out;
  const std::map<std::string, std::vector<std::string>> table = {
      {"expr",
       {"sum(",
        "rate(x[5m)",
        "foo{",
        "1 +",
        "sort_by_label(up, \"a\")",
        "rate(up)",
        "abs(up[5m])",
        "'\"a string\"'",
        "up[5m]",
        "histogram_quantile(0.9)",
        "vector(1)",
        "up offset 5m",
        "sum without (a) (up)",
        "up @ 100",
        "up{a=~\"(\"}",
        "'sum(up) by (job'",
        "count_values(\"x\", up)",
        "topk(3, up)",
        "up and on() vector(1)",
        "label_replace(up)",
        "'1 +\n  2'",
        "\"\"",
        "null",
        "~",
        "[up]",
        "{a: b}",
        "{{ up }}",
        "up == bool 1",
        "rate(up[5m:1m])",
        "-up",
        "up / ignoring(a) group_left up",
        "absent_over_time(up[5m])",
        "present_over_time(up[5m])",
        "last_over_time(up[5m])",
        "quantile_over_time(0.5, up[5m])",
        "predict_linear(up[5m], 60)",
        "holt_winters(up[5m], 0.5, 0.5)",
        "sgn(up)",
        "clamp(up, 0, 1)",
        "up unless down",
        "up > 5 < 4",
        "timestamp(up)",
        "group(up)",
        "stddev by(a)(up)",
        "sum(up) by ()",
        "up[5m] offset 1m",
        "1h",
        "'up{job=\"a\",}'",
        "'up{,}'"}},
      {"for",
       {"5", "5 minutes", "-1m", "1h1h", "\"\"", "1.5m", "[1m]", "0", "1y", "1h30m", "5M", "'5m'",
        "null", "1d", "100ms"}},
      {"keep_firing_for", {"x", "10", "2m", "0s"}},
      {"interval", {"5", "abc", "1m", "0s", "-5m", "[]"}},
      {"limit", {"abc", "\"5\"", "-1", "5.7", "0x10", "true", "[]", "1e3"}},
      {"record", {"a-b", "1abc", "a:b", "\"\"", "'a b'", "ok_name", "null", "[a]", "__x__"}},
      {"alert", {"\"\"", "a b", "Alert-1", "null", "{a: b}", "123"}},
      {"name", {"\"\"", "node-records", "api-slo", "api", "node", "null", "[a]", "'x y'"}},
      {"severity", {"'{{ $labels.instance }'", "\"\"", "[a]", "5"}},
      {"team", {"'{{ bad_func }}'", "'{{ $value }}'", "{a: b}"}},
      {"summary",
       {"'{{ $labels.instance }'",
        "'{{ humanise $value }}'",
        "'{{ .Foo }}'",
        "'{{ $foo }}'",
        "'{{ end }}'",
        "'{{ if $value }}x'",
        "'{{ $labels.instance | toUpper }}'",
        "'{{ if gt $value 1.0 }}x{{ end }}'",
        "'{{ template \"x\" . }}'",
        "'{{ $value | printf \"%.2f\" }}'",
        "'{{ range $i, $v := $labels }}{{ $i }}{{ end }}'",
        "'{{ with $labels.x }}{{ . }}{{ end }}'",
        "'{{ humanizePercentage $value }}'",
        "'{{ query \"up\" | first | value }}'",
        "'{{ $externalURL }}'",
        "'{{ reReplaceAll \"a\" \"b\" $labels.x }}'",
        "'{{ /* c */ }}'",
        "'{{- $value -}}'",
        "'{{ \"unterminated }}'",
        "'{{ 1 2 }}'",
        "'{{ $x := 1 }}{{ $x }}'",
        "'{{ $labels.instance }}}}'"}},
      {"description",
       {"'{{ .Labels.instance }'", "'{{ $labels }}'", "'{{ else }}'",
        "'{{ define \"x\" }}y{{ end }}'"}},
      {"runbook_url",
       {"'{{ safeHtml $value }}'", "'{{ nope $value }}'", "'{{ title \"a\" }}'",
        "'{{ $externalLabels.x }}'"}},
  };
  for (const auto& entry : fs::directory_iterator(bases_dir / "rules")) {
    const std::string name = entry.path().filename().string();
    const std::string text = read_file(entry.path());
    line_variants(name, text, out);
    value_variants(name, text, table, out);
    map_entry_variants(
        name, text,
        {"a-b: x", "__name__: x", "1x: y", "__x: y", "x: '{{ $labels.a }'", "ok: '{{ .Value }}'",
         "\"\": x", "ünicode: x", "x: [a]", "x: null", "\"y\": 1", "z: !!str 1"},
        out);
  }
  // Whole-file shapes around the bases.
  out.push_back({"shape:empty", ""});
  out.push_back({"shape:comment", "# nothing\n"});
  out.push_back({"shape:doc-marker", "---\n"});
  out.push_back({"shape:groups-null", "groups:\n"});
  out.push_back({"shape:groups-map", "groups: {}\n"});
  out.push_back({"shape:groups-scalar", "groups: x\n"});
  out.push_back({"shape:list", "- name: a\n"});
  out.push_back({"shape:null-group", "groups:\n- ~\n"});
  out.push_back({"shape:null-rule", "groups:\n- name: a\n  rules:\n  - ~\n"});
  out.push_back({"shape:second-doc", "groups: []\n---\nbogus: [\n"});
  out.push_back({"shape:tab", "groups:\n\t- name: a\n"});
  out.push_back({"shape:bom", "\xEF\xBB\xBFgroups: []\n"});
  out.push_back(
      {"shape:anchors", "groups:\n- name: a\n  rules:\n  - &r {record: a, expr: up}\n  - *r\n"});
  out.push_back(
      {"shape:merge",
       "groups:\n- name: a\n  rules:\n  - &r {record: a, expr: up}\n  - <<: *r\n    record: b\n"});
  out.push_back({"shape:dup-groups-key", "groups: []\ngroups: []\n"});
  return out;
}

// Tabs and quotes where Go's YAML scanner may reject them (and yaml-cpp may not): on every
// line, a tab at its start, a tab after its indentation, a quote before its first character.
void scanner_variants(const std::string& base_name, const std::string& text,
                      std::vector<variant>& out) {
  const auto lines = split_lines(text);
  for (std::size_t i = 0; i < lines.size(); ++i) {
    const auto lead = std::min(lines[i].find_first_not_of(' '), lines[i].size());
    const std::string tag = base_name + ":" + std::to_string(i + 1);
    const std::pair<std::size_t, std::string> edits[] = {
        {0, "\t"}, {lead, "\t"}, {lead, " \t"}, {lead, "\""}, {lead, "'"}};
    for (const auto& [at, what] : edits) {
      auto copy = lines;
      copy[i].insert(at, what);
      out.push_back({tag + ":insert@" + std::to_string(at) + ":" + (what == "\t" ? "tab" : what),
                     join_lines(copy)});
    }
  }
}

// Variants around what changed after 2.42 (prometheus-versions.md §2, §3, §5): each is judged
// by every promtool, so a version boundary shows up as a verdict that differs between them.
std::vector<variant> versioned_rule_variants() {
  std::vector<variant> out;
  for (const auto& entry : fs::directory_iterator(bases_dir / "rules")) {
    const std::string name = entry.path().filename().string();
    const auto lines = split_lines(read_file(entry.path()));
    static const re2::RE2 group_line(R"((\s*)- name: .*)");
    for (std::size_t i = 0; i < lines.size(); ++i) {
      std::string lead;
      if (!re2::RE2::FullMatch(lines[i], group_line, &lead)) continue;
      for (std::string field :
           {"query_offset: 1m", "query_offset: 0s", "query_offset: 5", "query_offset: -1m",
            "query_offset: null", "query_offset: [1m]", "query_offset: 1h30m", "labels: {team: a}",
            "labels: {a-b: x}", "labels: {a.b: x}", "labels: {__name__: x}", "labels: {\"\": x}",
            "labels: {\"r\u00e9gion\": y}", "labels: [a]", "labels: null",
            "labels: {team: '{{ $value }}'}"}) {
        auto copy = lines;
        copy.insert(copy.begin() + static_cast<long>(i) + 1, lead + "  " + field);
        out.push_back({name + ":" + std::to_string(i + 1) + ":group:" + field, join_lines(copy)});
      }
    }
    value_variants(
        name, join_lines(lines),
        {{"record",
          {"my.metric", "'a b'", "r\u00e9gion", "'1abc'", "'a{b=\"c\"}'", "'a}'", "'{a}'",
           "'up{job=\"x\"}'", "'\"\\xff\"'"}},
         {"severity", {"'{{ now }}'", "'{{ $value | toDuration }}'"}},
         {"summary",
          {"'{{ now }}'", "'{{ now | humanizeTimestamp }}'", "'{{ $value | toDuration }}'",
           "'{{ urlQueryEscape \"a b\" }}'", "'{{ toDuration 5 }}'", "'{{ tmpl \"x\" . }}'"}}},
        out);
    scanner_variants(name, join_lines(lines), out);
    map_entry_variants(name, join_lines(lines),
                       {"a.b: x", "\"\u00fc\": x", "ins-tance: x", "\"a b\": y", "\"\\xff\": x"},
                       out);
  }
  const std::string base = "groups:\n- name: a\n  rules:\n  - record: a\n    expr: up\n";
  for (std::string tail :
       {"---\n", "---\ngroups: []\n", "...\n", "...\nx: 1\n", "---\nbogus: [\n", "---\n\tx: 1\n",
        "---\n\"abc\n", "---\nx: \"abc\n", "\t\n", "  \t\n", "\t# c\n", "# c\n\t# c\n", "    \t\n",
        "     \t\n", "---\n'a\n", "---\n# c\n\t# d\n"}) {
    out.push_back({"versioned-shape:" + tail, base + tail});
  }
  out.push_back({"versioned-shape:dash-tab", "groups:\n-\tname: a\n"});
  out.push_back({"versioned-shape:record-tab", base + "  -\t{record: b, expr: up}\n"});
  return out;
}

std::vector<variant> file_sd_variants(const std::string& ext) {
  std::vector<variant> out;
  const fs::path base = bases_dir / "file_sd" / ("targets" + ext);
  const std::string text = read_file(base);
  const std::string name = base.filename().string();
  if (ext == ".json") {
    // Every structural character deleted, and some inserted, one at a time.
    for (std::size_t i = 0; i < text.size(); ++i) {
      if (std::string_view("[]{},:\"").find(text[i]) == std::string_view::npos) continue;
      out.push_back({name + ":del@" + std::to_string(i), text.substr(0, i) + text.substr(i + 1)});
    }
    const std::vector<std::pair<std::string, std::string>> swaps = {
        {"\"prod\"", "1"},
        {"\"prod\"", "true"},
        {"\"prod\"", "null"},
        {"\"prod\"", "[]"},
        {"\"prod\"", "{}"},
        {"\"env\"", "\"e-nv\""},
        {"\"env\"", "\"\""},
        {"\"env\"", "\"1env\""},
        {"\"targets\"", "\"TARGETS\""},
        {"\"targets\"", "\"target\""},
        {"\"labels\"", "\"Labels\""},
        {"\"10.0.0.1:9100\"", "1"},
        {"\"10.0.0.1:9100\"", "null"},
        {"\"10.0.0.1:9100\"", "\"\""},
        {"\"10.0.0.1:9100\"", "'x'"},
        {"[\"db.example.com:9187\"]", "\"db\""},
        {"[\"db.example.com:9187\"]", "null"},
        {"\"prod\"", "\"pr\\u00f6d\""},
        {"\"prod\"", "\"a\\qb\""},
        {"\"prod\"", "\"a\tb\""},
        {"\"prod\"", "\"a\\ud800b\""},
        {"\"team\": \"infra\"", "\"team\": \"infra\",\n"},
        {"\"team\": \"infra\"", "\"team\": \"infra\", \"team\": \"x\""},
        {"\"job\": \"postgres\"", "\"job\": \"postgres\", \"foo\": \"bar\""},
        {"\"labels\": {\"env\"", "\"extra\": 1, \"labels\": {\"env\""},
        {"9187", "9187 // c"},
        {"  {\n    \"targets\": [\"10.0.0.1", "  null, {\n    \"targets\": [\"10.0.0.1"},
        {"[\n  {", "[\n  1, {"},
        {"1:9100\"", "1:9100\",]"},
        {"prod", "prod\\n"},
    };
    for (const auto& [from, to] : swaps) {
      auto copy = text;
      auto at = copy.find(from);
      if (at == std::string::npos) continue;
      copy.replace(at, from.size(), to);
      out.push_back({name + ":" + from + "->" + to, copy});
    }
    for (std::string whole :
         {"", "null", "[]", "{}", "[null]", "[[]]", "\"x\"", "[] x", " [] \n", "\xEF\xBB\xBF[]",
          "[{}]", "[{\"targets\":[]},]", "1", "[1e400]", "[{\"labels\":{\"a\":\"b\"}}] []"}) {
      out.push_back({"json-shape:" + whole, whole});
    }
  } else {
    line_variants(name, text, out);
    scanner_variants(name, text, out);
    value_variants(
        name, text,
        {{"env", {"[a]", "{a: b}", "null", "1", "true", "'x'", "\"x\""}},
         {"team", {"!!binary aGk=", "~"}},
         {"targets", {"a", "null", "[a, [b]]", "[a, {b: c}]", "[]", "[1, true, ~]", "{}"}},
         {"labels",
          {"[]", "a", "null", "{1a: x}", "{a-b: x}", "{\"\": x}", "{~: x}", "{a: x, a: y}",
           "{true: x}", "{a: [x]}"}}},
        out);
    for (std::string whole :
         {"", "# c\n", "---\n", "[]", "{}", "- ~\n", "-\n", "- a\n", "- []\n", "- {}\n", "x\n",
          "- targets: [a]\n---\n- bad\n", "- targets: [a\n", "- {targets: [a], labels: {a: b}}\n",
          "- targets: [a]\n  Targets: [b]\n"}) {
      out.push_back({"yaml-shape:" + whole, whole});
    }
  }
  return out;
}

// The shared corpus's manifest of a reference version.
std::string manifest_name(const std::string& version) {
  return version == "2.42" ? "manifest.tsv" : "manifest-" + version + ".tsv";
}

struct written_variants {
  std::vector<variant> rules;
  std::vector<fs::path> rule_files;
  std::vector<std::pair<std::string, std::vector<variant>>> file_sd;  // ext -> variants
};

}  // namespace

namespace {

// Judges the shared corpus and the variants with the promtool of `version` and promwatch with
// that version's promtool profile; asserts >= 99.5% agreement for each of the three sets.
void check_parity(const std::string& version) {
  const bool have_bases = fs::exists(bases_dir / "rules");
  if (!have_bases) MESSAGE("skipping generated variants: " << bases_dir.string() << " is absent");
  // Variants are written once and judged by every promtool.
  temp_dir tmp;
  written_variants gen;
  if (have_bases) {
    gen.rules = rule_variants();
    for (auto& v : versioned_rule_variants())
      gen.rules.push_back(std::move(v));
    for (std::size_t i = 0; i < gen.rules.size(); ++i) {
      gen.rule_files.push_back(tmp.path / ("r" + std::to_string(i) + ".yml"));
      write_file(gen.rule_files.back(), gen.rules[i].content);
    }
    for (std::string ext : {".json", ".yml"}) {
      auto sd = file_sd_variants(ext);
      for (std::size_t i = 0; i < sd.size(); ++i)
        write_file(tmp.path / ("sd" + std::to_string(i) + ext), sd[i].content);
      gen.file_sd.emplace_back(ext, std::move(sd));
    }
  }

  {
    const auto tools = find_reference(version);
    if (!tools) {
      MESSAGE("skipping Prometheus " << version << ": no reference promtool; run "
                                     << "scripts/fetch-prometheus.sh");
      return;
    }
    const profile prof = promwatch::validate::make_profile(
        *promwatch::validate::parse_version(version), promwatch::validate::judge::promtool, {});
    tally shared_manifest, shared_live, generated;
    const std::string tag = " [" + version + "]";

    const fs::path manifest_path = corpus_dir / manifest_name(version);
    if (!fs::exists(manifest_path)) {
      MESSAGE("skipping the shared corpus: " << manifest_path.string() << " is absent");
    } else {
      std::ifstream manifest(manifest_path);
      std::string line;
      std::getline(manifest, line);  // header
      std::vector<fs::path> rule_files;
      std::vector<std::pair<std::string, bool>> sd_files;
      while (std::getline(manifest, line)) {
        std::istringstream fields(line);
        std::string kind, path, verdict;
        std::getline(fields, kind, '\t');
        std::getline(fields, path, '\t');
        std::getline(fields, verdict, '\t');
        const fs::path file = corpus_dir / path;
        const std::string content = read_file(file);
        const bool valid = verdict == "valid";
        report got = kind == "rules" ? check_rules(file.string(), content, {}, prof)
                                     : check_file_sd(file.string(), content, {}, prof);
        shared_manifest.add(path + " (manifest" + tag + ")", valid, got, content);
        if (kind == "rules") {
          rule_files.push_back(file);
        } else {
          sd_files.emplace_back(file.string(), valid);
        }
      }
      auto verdicts = promtool_rules(tools->promtool, rule_files);
      for (const auto& f : rule_files) {
        auto it = verdicts.find(f.string());
        if (it == verdicts.end()) continue;
        const std::string content = read_file(f);
        shared_live.add(f.string() + " (promtool" + tag + ")", it->second,
                        check_rules(f.string(), content, {}, prof), content);
      }
      // file_sd files keep their extension (it picks the parser) under a neutral name.
      temp_dir sd_tmp;
      std::vector<std::string> names;
      for (std::size_t i = 0; i < sd_files.size(); ++i) {
        names.push_back("c" + std::to_string(i) + fs::path(sd_files[i].first).extension().string());
        fs::copy_file(sd_files[i].first, sd_tmp.path / names.back());
      }
      auto sd_verdicts = promtool_file_sd(tools->promtool, sd_tmp.path, names);
      for (std::size_t i = 0; i < sd_files.size(); ++i) {
        const std::string content = read_file(sd_files[i].first);
        shared_live.add(sd_files[i].first + " (promtool" + tag + ")", sd_verdicts[names[i]],
                        check_file_sd(names[i], content, {}, prof), content);
      }
    }

    if (have_bases) {
      auto verdicts = promtool_rules(tools->promtool, gen.rule_files);
      for (std::size_t i = 0; i < gen.rules.size(); ++i) {
        auto it = verdicts.find(gen.rule_files[i].string());
        if (it == verdicts.end()) continue;
        generated.add("rules " + gen.rules[i].name + tag, it->second,
                      check_rules(gen.rule_files[i].string(), gen.rules[i].content, {}, prof),
                      gen.rules[i].content);
      }
      for (const auto& [ext, sd] : gen.file_sd) {
        std::vector<std::string> names;
        for (std::size_t i = 0; i < sd.size(); ++i)
          names.push_back("sd" + std::to_string(i) + ext);
        auto sd_verdicts = promtool_file_sd(tools->promtool, tmp.path, names);
        for (std::size_t i = 0; i < sd.size(); ++i) {
          generated.add("file_sd " + sd[i].name + tag, sd_verdicts[names[i]],
                        check_file_sd(names[i], sd[i].content, {}, prof), sd[i].content);
        }
      }
    }

    MESSAGE("Prometheus " << version << ": shared corpus vs manifest: " << shared_manifest.agreed
                          << "/" << shared_manifest.compared);
    MESSAGE("Prometheus " << version << ": shared corpus vs live promtool: " << shared_live.agreed
                          << "/" << shared_live.compared);
    MESSAGE("Prometheus " << version << ": " << gen.rules.size() << " rule variants");
    MESSAGE("Prometheus " << version << ": generated variants vs live promtool: "
                          << generated.agreed << "/" << generated.compared);
    CHECK(shared_manifest.ratio() >= 0.995);
    CHECK(shared_live.ratio() >= 0.995);
    CHECK(generated.ratio() >= 0.995);
  }
}

}  // namespace

TEST_CASE("promwatch agrees with promtool 2.42 on the shared corpus and generated variants") {
  check_parity("2.42");
}

TEST_CASE("promwatch agrees with promtool 2.53 on the shared corpus and generated variants") {
  check_parity("2.53");
}

TEST_CASE("promwatch agrees with promtool 3.5 on the shared corpus and generated variants") {
  check_parity("3.5");
}
