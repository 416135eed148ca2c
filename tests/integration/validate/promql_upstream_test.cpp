// Prometheus' own parser tests and PromQL test files at 2.42, 2.53 and 3.5: every case is
// checked with the profile of that version (and the parser options those tests enable), and
// its no-feature verdict with the no-feature profile.
#include <cstddef>
#include <filesystem>
#include <string>

#include <doctest/doctest.h>

#include "validate/profile.hpp"
#include "validate/promql/parser.hpp"
#include "validate/promql_upstream_cases.hpp"

namespace {

using promwatch::test::load_upstream_cases;
using promwatch::test::upstream_cases_file;
namespace v = promwatch::validate;

struct tally {
  std::size_t cases = 0;
  std::size_t agree = 0;
  double ratio() const { return cases == 0 ? 1.0 : static_cast<double>(agree) / cases; }
};

std::string verdict(const std::optional<v::promql::parse_error>& e) {
  return e ? std::to_string(e->line) + ":" + std::to_string(e->column) + ": " + e->message
           : "valid";
}

}  // namespace

TEST_CASE("promql: verdicts agree with Prometheus' own parser tests at each reference tag") {
  for (const std::string tag : {"2.42.0", "2.53.0", "3.5.0"}) {
    SUBCASE(("tag " + tag).c_str()) {
      const auto file = upstream_cases_file(tag);
      if (!std::filesystem::exists(file)) {
        MESSAGE("skipped: " << file << " is absent (the shared corpus is not laid out here)");
        return;
      }
      const auto version = *v::parse_version(tag);
      const auto features = promwatch::test::upstream_test_features(version);
      const auto with_tests_options = v::make_profile(version, v::judge::server, features);
      const auto no_features = v::make_profile(version, v::judge::server, {});

      tally options;
      tally defaults;
      for (const auto& c : load_upstream_cases(file)) {
        if (c.skip) continue;
        const auto ours = v::promql::check_expression(c.input, with_tests_options);
        ++options.cases;
        if (ours.has_value() != c.expect_valid) {
          ++options.agree;
        } else {
          MESSAGE(c.id << " `" << c.input << "`: upstream says "
                       << (c.expect_valid ? "valid" : "invalid") << ", ours: " << verdict(ours));
        }
        if (c.expect_valid_default) {
          const auto plain = v::promql::check_expression(c.input, no_features);
          ++defaults.cases;
          if (plain.has_value() != *c.expect_valid_default) {
            ++defaults.agree;
          } else {
            MESSAGE(c.id << " `" << c.input << "` (no features): upstream says "
                         << (*c.expect_valid_default ? "valid" : "invalid")
                         << ", ours: " << verdict(plain));
          }
        }
      }
      MESSAGE("v" << tag << ": " << options.agree << "/" << options.cases
                  << " agree with the tests' options (" << v::describe(with_tests_options) << "); "
                  << defaults.agree << "/" << defaults.cases << " agree without features");
      CHECK(options.cases > 500);
      CHECK(options.ratio() >= 0.995);
      CHECK(defaults.ratio() >= 0.995);
    }
  }
}
