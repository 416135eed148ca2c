#include "profile/target_profile.hpp"

#include <doctest/doctest.h>

using namespace promwatch;
using namespace promwatch::profile;
using validate::name_scheme;
using validate::profile_source;
using validate::prometheus_version;

namespace {

// What Debian's Prometheus 3.5.3 and 2.42.0 answer (trimmed to the fields that matter).
constexpr std::string_view buildinfo_35 =
    R"({"status":"success","data":{"version":"3.5.3+ds1","revision":"3.5.3+ds1-6",)"
    R"("branch":"debian/sid","buildUser":"team","buildDate":"20260929","goVersion":"go1.27.1"}})";
constexpr std::string_view buildinfo_242 =
    R"({"status":"success","data":{"version":"2.42.0+ds","revision":"2.42.0+ds-5+deb12u1"}})";
constexpr std::string_view flags_35 =
    R"({"status":"success","data":{"agent":"false","config.file":"p.yml",)"
    R"("enable-feature":"promql-experimental-functions,exemplar-storage","web.enable-lifecycle":"true"}})";

target_facts facts(prometheus_version v, feature_set f = {}) {
  target_facts t;
  t.version_text = validate::to_string(v) + ".0";
  t.version = v;
  t.features = std::move(f);
  return t;
}

}  // namespace

TEST_CASE("buildinfo gives the version text, whatever the build appends") {
  CHECK(parse_buildinfo(buildinfo_35).value() == "3.5.3+ds1");
  CHECK(parse_buildinfo(buildinfo_242).value() == "2.42.0+ds");
  SUBCASE("answers that are no buildinfo are errors that say why") {
    CHECK(parse_buildinfo("<html>").error().message.find("not a JSON answer") != std::string::npos);
    CHECK(parse_buildinfo(R"({"status":"error","error":"not ready"})").error().message ==
          "buildinfo: status is not \"success\": not ready");
    CHECK(parse_buildinfo(R"({"status":"success","data":{}})").has_error());
    CHECK(parse_buildinfo(R"({"status":"success","data":{"version":3}})").has_error());
    CHECK(parse_buildinfo(R"({"status":"success","data":{"version":"main"}})")
              .error()
              .message.find("not a Prometheus version") != std::string::npos);
    CHECK(parse_buildinfo(R"([1,2])").has_error());
  }
}

TEST_CASE("flags give the enable-feature list, split at commas") {
  CHECK(parse_flags(flags_35).value() ==
        feature_set{"exemplar-storage", "promql-experimental-functions"});
  CHECK(parse_flags(R"({"status":"success","data":{"enable-feature":""}})").value().empty());
  CHECK(parse_flags(R"({"status":"success","data":{"config.file":"p.yml"}})").value().empty());
  CHECK(parse_flags(R"({"status":"success","data":{"enable-feature":" a, ,b "}})").value() ==
        feature_set{"a", "b"});
  CHECK(parse_flags(R"({"status":"success","data":{"enable-feature":true}})").has_error());
  CHECK(parse_flags("{").has_error());
}

TEST_CASE("the features API becomes category -> name -> enabled") {
  const auto m =
      parse_features(R"({"status":"success","data":{"promql_functions":{"mad_over_time":true,)"
                     R"("holt_winters":false,"odd":"yes"},"promql":{"anchored":false},"x":1}})")
          .value();
  CHECK(m.size() == 2);
  CHECK(m.at("promql_functions").at("mad_over_time"));
  CHECK_FALSE(m.at("promql_functions").at("holt_winters"));
  CHECK(m.at("promql_functions").count("odd") == 0);
  CHECK_FALSE(m.at("promql").at("anchored"));
  CHECK(parse_features(R"({"status":"error"})").has_error());
  CHECK(has_features_api({3, 9}));
  CHECK(has_features_api({3, 14}));
  CHECK_FALSE(has_features_api({3, 8}));
  CHECK_FALSE(has_features_api({2, 53}));
}

TEST_CASE("the name scheme is read from global.metric_name_validation_scheme") {
  CHECK(read_name_scheme("global:\n  metric_name_validation_scheme: legacy\n") ==
        name_scheme::legacy);
  CHECK(read_name_scheme("global:\n  metric_name_validation_scheme: utf8\n") == name_scheme::utf8);
  SUBCASE("unset, empty, unknown or unreadable means the version's default") {
    CHECK_FALSE(read_name_scheme("global:\n  scrape_interval: 1m\n"));
    CHECK_FALSE(read_name_scheme("global:\n  metric_name_validation_scheme: \"\"\n"));
    CHECK_FALSE(read_name_scheme("global:\n  metric_name_validation_scheme: UTF8\n"));
    CHECK_FALSE(read_name_scheme("scrape_configs: []\n"));
    CHECK_FALSE(read_name_scheme("global: [\n"));
    CHECK_FALSE(read_name_scheme(""));
  }
  SUBCASE("a scrape config's own scheme is not the global one") {
    CHECK_FALSE(read_name_scheme(
        "scrape_configs:\n  - job_name: a\n    metric_name_validation_scheme: legacy\n"));
  }
}

TEST_CASE("choosing a profile: flag, then target, then the newest known") {
  SUBCASE("no answer yet: the newest known server, no features") {
    const auto c = choose({}, std::nullopt, std::nullopt);
    CHECK(c.source == profile_source::fallback);
    CHECK(c.profile.version == validate::newest_known_version);
    CHECK(c.profile.by == validate::judge::server);
    CHECK(c.profile.features.empty());
    CHECK(c.profile.names == name_scheme::utf8);
  }
  SUBCASE("the target's version and flags") {
    auto f = facts({3, 5}, {"promql-experimental-functions"});
    const auto c = choose({}, f, std::nullopt);
    CHECK(c.source == profile_source::target);
    CHECK(c.profile.version == prometheus_version{3, 5});
    CHECK(c.profile.experimental_functions);
    CHECK(c.profile.names == name_scheme::utf8);
  }
  SUBCASE("the config's scheme is the server's") {
    const auto c = choose({}, facts({3, 5}), name_scheme::legacy);
    CHECK(c.profile.names == name_scheme::legacy);
    CHECK(choose({}, facts({2, 42}), name_scheme::utf8).profile.names == name_scheme::legacy);
  }
  SUBCASE("a pinned version ignores the target altogether") {
    pins p;
    p.version = prometheus_version{2, 53};
    const auto c = choose(p, facts({3, 5}, {"promql-experimental-functions"}), std::nullopt);
    CHECK(c.source == profile_source::flag);
    CHECK(c.profile.version == prometheus_version{2, 53});
    CHECK(c.profile.features.empty());
    CHECK(choose(p, std::nullopt, std::nullopt).source == profile_source::flag);
  }
  SUBCASE("pinned features replace the target's and its features API") {
    pins p;
    p.features = feature_set{"promql-duration-expr"};
    auto f = facts({3, 9}, {"promql-experimental-functions"});
    f.features_api["promql"]["duration_expr"] = false;
    const auto c = choose(p, f, std::nullopt);
    CHECK(c.source == profile_source::flag);
    CHECK(c.profile.version == prometheus_version{3, 9});
    CHECK(c.profile.features == feature_set{"promql-duration-expr"});
    CHECK(c.profile.duration_expr);
    CHECK_FALSE(c.profile.experimental_functions);
    CHECK(c.profile.features_api.empty());
    // Without an answer the pinned features apply to the newest known version.
    const auto none = choose(p, std::nullopt, std::nullopt);
    CHECK(none.source == profile_source::flag);
    CHECK(none.profile.version == validate::newest_known_version);
  }
  SUBCASE("the target's features API is kept") {
    auto f = facts({3, 10});
    f.features_api["promql_functions"]["mad_over_time"] = true;
    const auto c = choose({}, f, std::nullopt);
    CHECK(c.profile.feature_api("promql_functions", "mad_over_time") == true);
  }
  SUBCASE("a target newer than known is clamped and flagged") {
    const auto c = choose({}, facts({3, 20}), std::nullopt);
    CHECK(c.profile.version == validate::newest_known_version);
    CHECK(c.profile.newer_than_known);
    CHECK(label(c.profile) == "Prometheus 3.14+");
  }
}

TEST_CASE("several targets: each distinct profile once, and a key that notices any change") {
  const auto a = choose({}, facts({2, 53}), std::nullopt);
  const auto b = choose({}, facts({3, 5}), std::nullopt);
  const auto fallback = choose({}, std::nullopt, std::nullopt);
  CHECK(distinct({a, b, a}).size() == 2);
  CHECK(distinct({a, a}).size() == 1);
  CHECK(distinct({}).empty());
  CHECK(key_of({a, b}) == key_of({a, b}));
  CHECK(key_of({a, b}) != key_of({b, a}));
  CHECK(key_of({a}) != key_of({b}));
  SUBCASE("the same profile from another source is a change (the target answered)") {
    const auto told = choose({}, facts(validate::newest_known_version), std::nullopt);
    CHECK(chosen::same_profile(told.profile, fallback.profile));
    CHECK_FALSE(told == fallback);
    CHECK(key_of({told}) != key_of({fallback}));
  }
  SUBCASE("the features API's content is part of the key") {
    auto f1 = facts({3, 10});
    f1.features_api["promql_functions"]["mad_over_time"] = true;
    auto f2 = f1;
    f2.features_api["promql_functions"]["mad_over_time"] = false;
    CHECK(key_of({choose({}, f1, std::nullopt)}) != key_of({choose({}, f2, std::nullopt)}));
  }
  CHECK(features_text(choose({}, facts({3, 5}, {"b", "a"}), std::nullopt).profile) == "a,b");
}

TEST_CASE("findings of several profiles are merged once each and say who found them") {
  const auto p242 = choose({}, facts({2, 42}), std::nullopt).profile;
  const auto p35 = choose({}, facts({3, 5}), std::nullopt).profile;
  const core::diagnostic both{"r.yml", 5, 11, "unexpected end of input"};
  const core::diagnostic old_only{"r.yml", 3, 5, "field labels not found"};
  const auto merged = merge_findings({p242, p35}, {{old_only, both}, {both}});
  REQUIRE(merged.size() == 2);
  CHECK(merged[0].message == "field labels not found (Prometheus 2.42)");
  CHECK(merged[0].line == 3);
  CHECK(merged[1].message == "unexpected end of input (Prometheus 2.42, Prometheus 3.5)");
  SUBCASE("one profile names its version too") {
    const auto one = merge_findings({p242}, {{old_only}});
    REQUIRE(one.size() == 1);
    CHECK(core::format(one[0]) == "r.yml:3:5: field labels not found (Prometheus 2.42)");
  }
  SUBCASE("nothing found, nothing reported") {
    CHECK(merge_findings({p242, p35}, {{}, {}}).empty());
  }
}
