#include "app/status.hpp"

#include "core/diagnostic.hpp"
#include "server/json_writer.hpp"

namespace promwatch::app {

std::string_view to_string(sync_action a) {
  switch (a) {
    case sync_action::unchanged:
      return "unchanged";
    case sync_action::no_reload:
      return "no_reload";
    case sync_action::blocked:
      return "blocked";
    case sync_action::reload:
      return "reload";
  }
  return "unchanged";
}

void status_info::record_sync(const sync_state&, const sync_decision& d, double now) {
  ++syncs;
  last_sync = {now, std::string(to_string(d.action)), d.changes.size(), d.blocking.size()};
}

void status_info::record_reload(const reload::reload_report& r, double now) {
  auto& t = targets[r.url];
  t.time = now;
  t.generation = r.request.generation;
  t.ok = r.result.ok;
  t.final = r.final;
  t.attempts = r.result.attempts;
  t.http_status = r.result.last_status;
  t.message = r.result.message;
  t.sha256 = r.request.sha256;
}

std::string status_info::render(const sync_state& sync, std::size_t watches, bool ready) const {
  server::json_writer w;
  w.begin_object();
  w.member("version", PROMWATCH_VERSION);
  w.member("ready", ready);
  w.member("config_file", config_file);
  w.key("watch").begin_object().member("backend", backend).member("watches", watches).end_object();
  w.member("applied_sha256", sync.applied_fingerprint());
  if (!output_dir.empty()) {
    w.key("publish").begin_object();
    w.member("output_dir", output_dir);
    w.member("data_dir", published_data_dir);
    w.member("last_error", last_publish_error);
    w.end_object();
  }
  w.key("last_sync").begin_object();
  w.member("count", syncs);
  w.member("time", last_sync.time);
  w.member("action", last_sync.action);
  w.member("files_changed", last_sync.files_changed);
  w.member("invalid_files", last_sync.invalid_files);
  w.end_object();

  w.key("files").begin_array();
  for (const auto& [path, entry] : sync.current().files) {
    const auto& errors = sync.errors_for(path);
    w.begin_object();
    w.member("path", path);
    w.member("kind", core::to_string(entry.kind));
    w.member("sha256", entry.sha256);
    w.member("size", entry.content.size());
    w.member("valid", errors.empty());
    w.key("errors").begin_array();
    for (const auto& e : errors)
      w.value(core::format(e));
    w.end_array();
    w.key("warnings").begin_array();
    for (const auto& e : sync.warnings_for(path))
      w.value(core::format(e));
    w.end_array();
    w.end_object();
  }
  w.end_array();

  w.key("validation_profiles").begin_array();
  for (const auto& p : profiles) {
    w.begin_object();
    w.member("target", p.target);
    w.member("version", p.version);
    w.member("target_version", p.target_version);
    w.member("features", p.features);
    w.member("names", p.names);
    w.member("source", p.source);
    w.member("description", p.description);
    w.member("newer_than_known", p.newer_than_known);
    w.member("features_api", p.features_api);
    w.member("last_error", p.last_error);
    w.end_object();
  }
  w.end_array();

  w.key("reload_targets").begin_array();
  for (const auto& [url, t] : targets) {
    w.begin_object();
    w.member("url", url);
    w.member("time", t.time);
    w.member("generation", t.generation);
    w.member("ok", t.ok);
    w.member("final", t.final);
    w.member("attempts", t.attempts);
    w.member("http_status", t.http_status);
    w.member("message", t.message);
    w.member("sha256", t.sha256);
    w.end_object();
  }
  w.end_array();
  w.end_object();
  return std::move(w).take();
}

}  // namespace promwatch::app
