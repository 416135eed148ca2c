#pragma once
// The PromQL cases read from Prometheus' own tests at a release tag
// (shared/corpus/promql-upstream/cases-v<tag>.jsonl, see its README).
#include <filesystem>
#include <fstream>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "support/corpus.hpp"
#include "validate/json/parse.hpp"
#include "validate/profile.hpp"

namespace promwatch::test {

struct upstream_case {
  std::string id;
  std::string input;
  bool expect_valid = false;
  /// The verdict with no --enable-feature, when the corpus gives one.
  std::optional<bool> expect_valid_default;
  bool skip = false;
  /// The input came as `input_hex` (not valid UTF-8, so no YAML file can hold it).
  bool from_hex = false;
};

/// shared/corpus/promql-upstream/cases-v<tag>.jsonl, e.g. tag "3.5.0".
inline std::filesystem::path upstream_cases_file(const std::string& tag) {
  return find_corpus() / "promql-upstream" / ("cases-v" + tag + ".jsonl");
}

/// Every case of `file`, skipped ones included (marked). `input_hex` is decoded.
inline std::vector<upstream_case> load_upstream_cases(const std::filesystem::path& file) {
  std::vector<upstream_case> out;
  std::ifstream in(file);
  std::string line;
  const auto from_hex = [](const std::string& hex) {
    std::string bytes;
    for (std::size_t i = 0; i + 1 < hex.size(); i += 2) {
      bytes += static_cast<char>(std::stoi(hex.substr(i, 2), nullptr, 16));
    }
    return bytes;
  };
  while (std::getline(in, line)) {
    if (line.empty()) continue;
    const auto doc = validate::json::parse("case", line);
    if (!doc.root || !doc.root->is_map()) continue;
    const auto& r = *doc.root;
    upstream_case c;
    if (const auto* id = r.find("id")) c.id = id->value;
    if (const auto* hex = r.find("input_hex"); hex && hex->is_scalar()) {
      c.input = from_hex(hex->value);
      c.from_hex = true;
    } else if (const auto* input = r.find("input")) {
      c.input = input->value;
    }
    if (const auto* v = r.find("expect_valid")) c.expect_valid = v->value == "true";
    if (const auto* v = r.find("expect_valid_default"); v && v->is_scalar()) {
      c.expect_valid_default = v->value == "true";
    }
    if (const auto* s = r.find("skip"); s && !s->is_null()) c.skip = true;
    out.push_back(std::move(c));
  }
  return out;
}

/// The parser options Prometheus' own tests turn on at `v`: experimental functions (their
/// tests enable them since they exist, 2.49) and, from 3.4, duration expressions.
inline std::set<std::string, std::less<>> upstream_test_features(validate::prometheus_version v) {
  std::set<std::string, std::less<>> f;
  if (v >= validate::prometheus_version{2, 49}) f.emplace("promql-experimental-functions");
  if (v >= validate::prometheus_version{3, 4}) f.emplace("promql-duration-expr");
  return f;
}

}  // namespace promwatch::test
