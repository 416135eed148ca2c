// Prometheus' own rule and file_sd test files at each tag of the shared corpus
// (prometheus-testdata/v*/manifest.jsonl, see its README), checked with the promtool profile of
// that tag against the verdict Prometheus' Go tests expect.
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include <doctest/doctest.h>

#include "support/child_process.hpp"
#include "support/corpus.hpp"
#include "validate/json/parse.hpp"
#include "validate/validate.hpp"

namespace fs = std::filesystem;
namespace validate = promwatch::validate;

namespace {

std::string text_of(const validate::yaml::node& object, std::string_view key) {
  const auto* n = object.find(key);
  return n != nullptr && n->is_scalar() ? n->value : std::string();
}

struct tally {
  std::size_t compared = 0;
  std::size_t agreed = 0;
  std::size_t skipped = 0;
  double ratio() const { return compared == 0 ? 1.0 : double(agreed) / double(compared); }
};

}  // namespace

TEST_CASE(
    "rule and file_sd test files of Prometheus' own tests get the verdicts its tests expect") {
  const fs::path root = promwatch::test::find_corpus() / "prometheus-testdata";
  if (!fs::exists(root)) {
    MESSAGE("skipping: " << root.string() << " is absent");
    return;
  }
  std::size_t tags = 0;
  for (const auto& dir : fs::directory_iterator(root)) {
    const fs::path manifest = dir.path() / "manifest.jsonl";
    if (!fs::exists(manifest)) continue;
    const std::string tag = dir.path().filename().string();
    const auto version = validate::parse_version(tag);
    REQUIRE(version);
    const auto prof = validate::make_profile(*version, validate::judge::promtool, {});
    CAPTURE(tag);
    ++tags;
    tally t;
    std::ifstream in(manifest);
    std::string line;
    while (std::getline(in, line)) {
      if (line.empty()) continue;
      const auto doc = validate::json::parse("manifest.jsonl", line);
      REQUIRE(doc.root);
      const auto& c = *doc.root;
      const std::string kind = text_of(c, "kind");
      if (kind != "rules" && kind != "file_sd") continue;
      const auto* skip = c.find("skip");
      if (skip != nullptr && !skip->is_null()) {
        ++t.skipped;
        continue;
      }
      // Run in the file's directory on its base name, as Prometheus' tests do.
      const fs::path file = dir.path() / text_of(c, "path");
      const std::string name = file.filename().string();
      const std::string content = promwatch::test::read_file(file);
      const auto got = kind == "rules" ? validate::check_rules(name, content, {}, prof)
                                       : validate::check_file_sd(name, content, {}, prof);
      const bool expected = text_of(c, "expect") == "valid";
      ++t.compared;
      if (got.ok() == expected) {
        ++t.agreed;
        continue;
      }
      MESSAGE("DISAGREE " << text_of(c, "id") << " expect=" << text_of(c, "expect")
                          << " promwatch=" << (got.ok() ? "valid" : "invalid") << " "
                          << (got.errors.empty() ? "" : promwatch::core::format(got.errors[0]))
                          << " (upstream: " << text_of(c, "errmsg") << ")");
    }
    MESSAGE(tag << ": rules and file_sd test files: " << t.agreed << "/" << t.compared << " agree ("
                << t.skipped << " skipped)");
    CHECK(t.compared > 0);
    CHECK(t.ratio() >= 0.995);
  }
  CHECK(tags > 0);
}
