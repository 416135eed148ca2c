#include "app/sync_state.hpp"

#include <doctest/doctest.h>

using namespace promwatch;
using app::sync_action;

namespace {

snapshot::file_entry entry(core::file_kind kind, std::string hash) {
  snapshot::file_entry e;
  e.kind = kind;
  e.sha256 = std::move(hash);
  return e;
}

snapshot::snapshot base() {
  snapshot::snapshot s;
  s.files["/c/prometheus.yml"] = entry(core::file_kind::config, "cfg1");
  s.files["/c/rules/a.yml"] = entry(core::file_kind::rules, "ra1");
  s.files["/c/targets/t.json"] = entry(core::file_kind::file_sd, "t1");
  return s;
}

// Stands in for the validator: every key given is valid unless listed as bad.
app::validation_results results(const snapshot::snapshot& s,
                                const std::set<app::validation_key>& known,
                                const std::set<std::string>& bad_hashes = {}) {
  app::validation_results out;
  for (const auto& [path, e] : s.files) {
    const auto key = app::key_of(path, e);
    if (known.contains(key)) continue;
    out[key] = bad_hashes.contains(e.sha256) ? core::diagnostics{{path, 3, 7, "broken"}}
                                             : core::diagnostics{};
  }
  return out;
}

app::sync_decision feed(app::sync_state& st, snapshot::snapshot s, std::set<std::string> bad = {}) {
  auto fresh = results(s, st.known_keys(), bad);
  return st.on_snapshot(std::move(s), std::move(fresh));
}

}  // namespace

TEST_CASE("the first valid snapshot asks for a reload once") {
  app::sync_state st;
  const auto d = feed(st, base());
  CHECK(d.action == sync_action::reload);
  CHECK(d.changes.added.size() == 3);
  CHECK(feed(st, base()).action == sync_action::unchanged);
}

TEST_CASE("assuming the files are loaded makes startup quiet") {
  app::sync_state st;
  st.assume_applied(snapshot::reload_fingerprint(base()));
  CHECK(feed(st, base()).action == sync_action::no_reload);
  CHECK(feed(st, base()).action == sync_action::unchanged);
}

TEST_CASE("a rule change reloads; a file_sd-only change does not") {
  app::sync_state st;
  const auto first = feed(st, base());
  st.on_reload_succeeded(first.fingerprint);

  auto s = base();
  s.files["/c/targets/t.json"].sha256 = "t2";
  auto d = feed(st, s);
  CHECK(d.action == sync_action::no_reload);
  CHECK(d.changes.modified == std::vector<std::string>{"/c/targets/t.json"});

  s.files["/c/rules/a.yml"].sha256 = "ra2";
  d = feed(st, s);
  CHECK(d.action == sync_action::reload);
  CHECK(d.changes.modified == std::vector<std::string>{"/c/rules/a.yml"});
}

TEST_CASE("an invalid rule file blocks the reload and is reported once") {
  app::sync_state st;
  st.on_reload_succeeded(feed(st, base()).fingerprint);

  auto bad = base();
  bad.files["/c/rules/a.yml"].sha256 = "broken";
  auto d = feed(st, bad, {"broken"});
  CHECK(d.action == sync_action::blocked);
  REQUIRE(d.newly_invalid.size() == 1);
  CHECK(d.newly_invalid[0].path == "/c/rules/a.yml");
  CHECK(d.newly_invalid[0].errors[0].line == 3);
  CHECK(d.blocking == std::vector<std::string>{"/c/rules/a.yml"});
  CHECK(st.errors_for("/c/rules/a.yml").size() == 1);

  SUBCASE("a resync of the same bad content is silent") {
    CHECK(feed(st, bad, {"broken"}).action == sync_action::unchanged);
  }
  SUBCASE("another valid change is still blocked by the bad file, without re-reporting it") {
    auto s = bad;
    s.files["/c/prometheus.yml"].sha256 = "cfg2";
    d = feed(st, s, {"broken"});
    CHECK(d.action == sync_action::blocked);
    CHECK(d.newly_invalid.empty());
  }
  SUBCASE("reverting to the loaded content needs no reload") {
    d = feed(st, base());
    CHECK(d.action == sync_action::no_reload);
    CHECK(st.errors_for("/c/rules/a.yml").empty());
  }
  SUBCASE("fixing it differently reloads") {
    auto s = base();
    s.files["/c/rules/a.yml"].sha256 = "fixed";
    CHECK(feed(st, s).action == sync_action::reload);
  }
}

TEST_CASE("an invalid file_sd file is reported but does not block rule reloads") {
  app::sync_state st;
  st.on_reload_succeeded(feed(st, base()).fingerprint);
  auto s = base();
  s.files["/c/targets/t.json"].sha256 = "badt";
  s.files["/c/rules/a.yml"].sha256 = "ra2";
  const auto d = feed(st, s, {"badt"});
  CHECK(d.action == sync_action::reload);
  REQUIRE(d.newly_invalid.size() == 1);
  CHECK(d.newly_invalid[0].kind == core::file_kind::file_sd);
  CHECK(d.blocking.empty());
}

TEST_CASE("in publish mode an invalid file_sd file blocks the whole change") {
  app::sync_state st(true);
  st.on_reload_succeeded(feed(st, base()).fingerprint);
  auto s = base();
  s.files["/c/targets/t.json"].sha256 = "badt";
  const auto d = feed(st, s, {"badt"});
  CHECK(d.action == sync_action::blocked);
  CHECK(d.blocking == std::vector<std::string>{"/c/targets/t.json"});
}

TEST_CASE("the same content is not requested twice, unless the reload failed") {
  app::sync_state st;
  CHECK(feed(st, base()).action == sync_action::reload);  // in flight, not yet confirmed
  auto s = base();
  s.files["/c/targets/t.json"].sha256 = "t2";
  CHECK(feed(st, s).action == sync_action::no_reload);
  st.on_reload_failed();
  s.files["/c/targets/t.json"].sha256 = "t3";
  CHECK(feed(st, s).action == sync_action::reload);
}

TEST_CASE("identical content in two files is reported under each file's own name") {
  app::sync_state st;
  auto s = base();
  s.files["/c/rules/a.yml"].sha256 = "same-bad";
  s.files["/c/rules/b.yml"] = entry(core::file_kind::rules, "same-bad");
  app::validation_results fresh;
  for (const auto& [path, e] : s.files) {
    fresh[app::key_of(path, e)] =
        e.sha256 == "same-bad" ? core::diagnostics{{path, 1, 1, "bad"}} : core::diagnostics{};
  }
  const auto d = st.on_snapshot(s, fresh);
  REQUIRE(d.newly_invalid.size() == 2);
  CHECK(st.errors_for("/c/rules/a.yml")[0].file == "/c/rules/a.yml");
  CHECK(st.errors_for("/c/rules/b.yml")[0].file == "/c/rules/b.yml");
}

TEST_CASE("unreadable files are checked again on every sync") {
  app::sync_state st;
  auto s = base();
  s.files["/c/rules/a.yml"].sha256.clear();
  s.files["/c/rules/a.yml"].read_error = "permission denied";
  feed(st, s);
  CHECK(st.known_keys().size() == 2);
}

TEST_CASE("validation results are cached by content and pruned with the tree") {
  app::sync_state st;
  feed(st, base());
  CHECK(st.known_keys().size() == 3);
  auto s = base();
  s.files.erase("/c/targets/t.json");
  feed(st, s);
  CHECK(st.known_keys().size() == 2);
}

TEST_CASE("a no-reload decision says why") {
  // Regression (#21): "file_sd files are re-read by Prometheus itself" was logged for any
  // valid change that needed no reload.
  app::sync_state st;
  CHECK(feed(st, base()).action == sync_action::reload);  // ra1, in flight
  auto s = base();
  s.files["/c/targets/t.json"].sha256 = "t2";
  auto d = feed(st, s);
  CHECK(d.action == sync_action::no_reload);
  CHECK(d.why_no_reload == app::no_reload_reason::reread_by_prometheus);

  s.files["/c/rules/a.yml"].sha256 = "bad";
  CHECK(feed(st, s, {"bad"}).action == sync_action::blocked);
  s.files["/c/rules/a.yml"].sha256 = "ra1";  // back to what was asked for
  d = feed(st, s);
  CHECK(d.action == sync_action::no_reload);
  CHECK(d.why_no_reload == app::no_reload_reason::already_requested);
}

TEST_CASE("a forced sync re-decides unchanged files (a failed publish to retry)") {
  app::sync_state st;
  const auto first = feed(st, base());
  CHECK(first.action == sync_action::reload);
  // The publish failed: nothing reached Prometheus.
  st.on_reload_failed();
  st.force_next();
  const auto d = feed(st, base());
  CHECK(d.action == sync_action::reload);
  CHECK(d.fingerprint == first.fingerprint);
  CHECK(feed(st, base()).action == sync_action::unchanged);
}

TEST_CASE("a forced sync of content already applied publishes without a reload") {
  app::sync_state st;
  st.on_reload_succeeded(feed(st, base()).fingerprint);
  st.on_reload_failed();
  st.force_next();
  CHECK(feed(st, base()).action == sync_action::no_reload);
}
