#include "app/status.hpp"

#include <doctest/doctest.h>

#include "validate/json/parse.hpp"

using namespace promwatch;

TEST_CASE("/status names each target's validation profile and each file's warnings") {
  app::sync_state sync;
  snapshot::snapshot snap;
  snapshot::file_entry e;
  e.kind = core::file_kind::rules;
  e.sha256 = "h";
  snap.files["/c/a.yml"] = e;
  app::validation_results fresh;
  fresh[app::key_of("/c/a.yml", e)] =
      app::file_findings{{}, {{"/c/a.yml", 2, 3, "unknown function \"x\" (Prometheus 3.14+)"}}};
  sync.on_snapshot(snap, fresh, "k");

  app::status_info st;
  app::status_info::profile_record p;
  p.target = "http://127.0.0.1:9090/-/reload";
  p.version = "3.5";
  p.target_version = "3.5.3+ds1";
  p.features = "promql-experimental-functions";
  p.names = "utf8";
  p.source = "target";
  st.profiles.push_back(p);
  const std::string text = st.render(sync, 1, true);

  const auto doc = validate::json::parse("status", text);
  REQUIRE(doc.ok());
  const auto* profiles = doc.root->find("validation_profiles");
  REQUIRE(profiles);
  REQUIRE(profiles->items.size() == 1);
  CHECK(profiles->items[0].find("version")->value == "3.5");
  CHECK(profiles->items[0].find("target_version")->value == "3.5.3+ds1");
  CHECK(profiles->items[0].find("source")->value == "target");
  CHECK(profiles->items[0].find("features")->value == "promql-experimental-functions");
  const auto& file = doc.root->find("files")->items.at(0);
  CHECK(file.find("valid")->value == "true");
  REQUIRE(file.find("warnings")->items.size() == 1);
  CHECK(file.find("warnings")->items[0].value ==
        "/c/a.yml:2:3: unknown function \"x\" (Prometheus 3.14+)");
}
