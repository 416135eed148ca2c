// How a change of validation profile (a target upgraded, restarted with other flags, or
// answering for the first time) folds into the sync decisions.
#include <doctest/doctest.h>

#include "app/sync_state.hpp"

using namespace promwatch;
using app::sync_action;

namespace {

snapshot::file_entry entry(core::file_kind kind, std::string hash, std::string content = {}) {
  snapshot::file_entry e;
  e.kind = kind;
  e.sha256 = std::move(hash);
  e.content = std::move(content);
  return e;
}

snapshot::snapshot base() {
  snapshot::snapshot s;
  s.files["/c/prometheus.yml"] = entry(core::file_kind::config, "cfg1");
  s.files["/c/rules/a.yml"] = entry(core::file_kind::rules, "ra1");
  return s;
}

// Stands in for the validators: under `profiles_key`, the files whose hash is listed are bad.
app::sync_decision feed(app::sync_state& st, const snapshot::snapshot& s, const std::string& key,
                        const std::set<std::string>& bad = {}) {
  app::validation_results fresh;
  const auto known = st.known_keys(key);
  for (const auto& [path, e] : s.files) {
    const auto k = app::key_of(path, e);
    if (known.contains(k)) continue;
    fresh[k] = bad.contains(e.sha256) ? core::diagnostics{{path, 3, 5, "unknown function"}}
                                      : core::diagnostics{};
  }
  return st.on_snapshot(s, std::move(fresh), key);
}

profile::target_facts facts(int major, int minor) {
  profile::target_facts f;
  f.version = {major, minor};
  f.version_text = std::to_string(major) + "." + std::to_string(minor) + ".0";
  return f;
}

}  // namespace

TEST_CASE("results are only reused under the profiles they were found with") {
  app::sync_state st;
  feed(st, base(), "2.53");
  CHECK(st.known_keys("2.53").size() == 2);
  CHECK(st.known_keys("3.5").empty());
  CHECK(st.profiles_key() == "2.53");
}

TEST_CASE("a profile change re-decides although no file changed") {
  app::sync_state st;
  const auto first = feed(st, base(), "2.53");
  REQUIRE(first.action == sync_action::reload);
  st.on_reload_succeeded(first.fingerprint);
  CHECK(feed(st, base(), "2.53").action == sync_action::unchanged);

  SUBCASE("now invalid: blocked, and reported as new") {
    const auto d = feed(st, base(), "3.5", {"ra1"});
    CHECK(d.profiles_changed);
    CHECK(d.changes.empty());
    CHECK(d.action == sync_action::blocked);
    REQUIRE(d.newly_invalid.size() == 1);
    CHECK(d.newly_invalid[0].path == "/c/rules/a.yml");
    CHECK(st.errors_for("/c/rules/a.yml").size() == 1);
    // The same profile again is quiet.
    CHECK(feed(st, base(), "3.5", {"ra1"}).action == sync_action::unchanged);
  }
  SUBCASE("still valid and already loaded: nothing to reload") {
    const auto d = feed(st, base(), "3.5");
    CHECK(d.profiles_changed);
    CHECK(d.action == sync_action::no_reload);
  }
}

TEST_CASE("a set blocked under the old profile is reloaded once the new one accepts it") {
  app::sync_state st;
  const auto first = feed(st, base(), "2.53");
  st.on_reload_succeeded(first.fingerprint);
  auto edited = base();
  edited.files["/c/rules/a.yml"].sha256 = "utf8-selector";
  CHECK(feed(st, edited, "2.53", {"utf8-selector"}).action == sync_action::blocked);
  // Prometheus was replaced by a newer one that accepts the file.
  const auto d = feed(st, edited, "3.5");
  CHECK(d.profiles_changed);
  CHECK(d.action == sync_action::reload);
  CHECK(d.fingerprint != first.fingerprint);
  CHECK(st.errors_for("/c/rules/a.yml").empty());
}

TEST_CASE("the profile of each target comes from its facts and the config's name scheme") {
  snapshot::snapshot s;
  s.files["/c/prometheus.yml"] =
      entry(core::file_kind::config, "c", "global:\n  metric_name_validation_scheme: legacy\n");
  const auto chosen = app::choose_profiles(s, {}, {facts(3, 5), std::nullopt});
  REQUIRE(chosen.size() == 2);
  CHECK(chosen[0].profile.version == validate::prometheus_version{3, 5});
  CHECK(chosen[0].source == validate::profile_source::target);
  CHECK(chosen[0].profile.names == validate::name_scheme::legacy);
  CHECK(chosen[1].source == validate::profile_source::fallback);
  CHECK(chosen[1].profile.names == validate::name_scheme::legacy);
  SUBCASE("without targets there is still one profile") {
    CHECK(app::choose_profiles(s, {}, {}).size() == 1);
  }
  SUBCASE("without the scheme, the version's default") {
    snapshot::snapshot plain;
    plain.files["/c/prometheus.yml"] = entry(core::file_kind::config, "c", "global: {}\n");
    CHECK(app::choose_profiles(plain, {}, {facts(3, 5)})[0].profile.names ==
          validate::name_scheme::utf8);
  }
}

TEST_CASE("a file is validated once per distinct profile, errors merged and attributed") {
  snapshot::snapshot s;
  s.files["/c/rules/a.yml"] = entry(
      core::file_kind::rules, "h", "groups:\n- name: g\n  rules:\n  - record: a\n    expr: sum(\n");
  const auto p1 = validate::make_profile({2, 42}, validate::judge::server, {});
  const auto p2 = validate::make_profile({3, 5}, validate::judge::server, {});
  const auto out = app::validate_new(s, {}, {p1, p2});
  REQUIRE(out.size() == 1);
  const auto& errors = out.begin()->second.errors;
  REQUIRE(errors.size() == 1);
  CHECK(errors[0].file == "/c/rules/a.yml");
  CHECK(errors[0].line == 5);
  CHECK(errors[0].message.ends_with(" (Prometheus 2.42, Prometheus 3.5)"));
  SUBCASE("known files are not validated again") {
    CHECK(app::validate_new(s, {out.begin()->first}, {p1, p2}).empty());
  }
}
