#include "validate/profile.hpp"

#include <doctest/doctest.h>

using namespace promwatch::validate;

TEST_CASE("versions are read from buildinfo strings, tags and flags alike") {
  CHECK(parse_version("3.5") == prometheus_version{3, 5});
  CHECK(parse_version("3.5.3") == prometheus_version{3, 5});
  CHECK(parse_version("v3.14.0") == prometheus_version{3, 14});
  CHECK(parse_version("2.42.0+ds") == prometheus_version{2, 42});
  CHECK(parse_version("3.14.0-rc.1") == prometheus_version{3, 14});
  CHECK_FALSE(parse_version("3"));
  CHECK_FALSE(parse_version("latest"));
  CHECK_FALSE(parse_version("3.x"));
  CHECK_FALSE(parse_version("3.5.x"));
  CHECK(to_string(prometheus_version{3, 5}) == "3.5");
}

TEST_CASE("the default profile is Prometheus 2.42 with legacy names and no parser options") {
  const profile p;
  CHECK(p.version == prometheus_version{2, 42});
  CHECK(p.names == name_scheme::legacy);
  CHECK_FALSE(p.experimental_functions);
  CHECK_FALSE(p.duration_expr);
  CHECK_FALSE(p.newer_than_known);
}

TEST_CASE("parser options follow the version each tool could turn them on in") {
  const auto features = parse_feature_list(
      "promql-experimental-functions, promql-duration-expr,promql-extended-range-selectors,"
      "promql-binop-fill-modifiers");
  SUBCASE("the server honours experimental functions from 2.49, promtool from 3.4") {
    CHECK_FALSE(make_profile({2, 48}, judge::server, features).experimental_functions);
    CHECK(make_profile({2, 49}, judge::server, features).experimental_functions);
    CHECK_FALSE(make_profile({3, 3}, judge::promtool, features).experimental_functions);
    CHECK(make_profile({3, 4}, judge::promtool, features).experimental_functions);
  }
  SUBCASE("duration expressions: flag from 3.4 (server) / 3.10 (promtool), default in 3.14") {
    CHECK(make_profile({3, 4}, judge::server, features).duration_expr);
    CHECK_FALSE(make_profile({3, 5}, judge::promtool, features).duration_expr);
    CHECK(make_profile({3, 10}, judge::promtool, features).duration_expr);
    CHECK(make_profile({3, 14}, judge::server, {}).duration_expr);
    CHECK_FALSE(make_profile({3, 13}, judge::server, {}).duration_expr);
  }
  SUBCASE("extended range selectors and fill modifiers") {
    CHECK_FALSE(make_profile({3, 6}, judge::server, features).extended_range_selectors);
    CHECK(make_profile({3, 7}, judge::server, features).extended_range_selectors);
    CHECK_FALSE(make_profile({3, 9}, judge::promtool, features).extended_range_selectors);
    CHECK(make_profile({3, 10}, judge::server, features).binop_fill_modifiers);
    CHECK_FALSE(make_profile({3, 13}, judge::promtool, features).binop_fill_modifiers);
    CHECK(make_profile({3, 14}, judge::promtool, features).binop_fill_modifiers);
  }
  SUBCASE("no flag, no option") {
    const auto p = make_profile({3, 13}, judge::server, {});
    CHECK_FALSE(p.experimental_functions);
    CHECK_FALSE(p.extended_range_selectors);
    CHECK_FALSE(p.binop_fill_modifiers);
  }
}

TEST_CASE("the name scheme: the server's config decides, promtool 3.x always checks UTF-8") {
  CHECK(make_profile({2, 53}, judge::server, {}, name_scheme::utf8).names == name_scheme::legacy);
  CHECK(make_profile({2, 55}, judge::server, {}).names == name_scheme::legacy);
  CHECK(make_profile({2, 55}, judge::server, {"utf8-names"}).names == name_scheme::utf8);
  CHECK(make_profile({3, 0}, judge::server, {}).names == name_scheme::utf8);
  CHECK(make_profile({3, 5}, judge::server, {}, name_scheme::legacy).names == name_scheme::legacy);
  CHECK(make_profile({3, 5}, judge::promtool, {}, name_scheme::legacy).names == name_scheme::utf8);
  CHECK(make_profile({2, 53}, judge::promtool, {}).names == name_scheme::legacy);
}

TEST_CASE("versions outside the known range are clamped, and a newer target is flagged") {
  const auto newer = make_profile({3, 20}, judge::server, {});
  CHECK(newer.version == newest_known_version);
  CHECK(newer.newer_than_known);
  const auto older = make_profile({2, 30}, judge::server, {});
  CHECK(older.version == oldest_known_version);
  CHECK_FALSE(older.newer_than_known);
}

TEST_CASE("the features API is the authority for the categories it lists") {
  profile p = make_profile({3, 9}, judge::server, {});
  CHECK_FALSE(p.feature_api("promql_functions", "info").has_value());
  p.features_api["promql_functions"]["info"] = true;
  p.features_api["promql_functions"]["holt_winters"] = false;
  CHECK(p.feature_api("promql_functions", "info") == true);
  CHECK(p.feature_api("promql_functions", "holt_winters") == false);
  CHECK(p.feature_api("promql_functions", "absent_from_list") == false);
  CHECK_FALSE(p.feature_api("templating_functions", "now").has_value());
}

TEST_CASE("feature lists are split on commas, trimmed and de-duplicated") {
  const auto f = parse_feature_list(" a,,b , a,");
  CHECK(f.size() == 2);
  CHECK(f.count("a") == 1);
  CHECK(f.count("b") == 1);
  CHECK(parse_feature_list("").empty());
}

TEST_CASE("a profile describes itself for logs and /status") {
  const auto p = make_profile({3, 5}, judge::promtool, {"promql-experimental-functions"});
  CHECK(describe(p) ==
        "Prometheus 3.5 (promtool; features: promql-experimental-functions; names: utf8)");
  CHECK(describe(profile{}) == "Prometheus 2.42 (server; names: legacy)");
}
