#include "app/run.hpp"

#include <csignal>
#include <iostream>
#include <map>
#include <memory>
#include <optional>
#include <set>

#include <boost/system/system_error.hpp>
#include <prometheus/registry.h>

#include "app/pipeline_state.hpp"
#include "app/status.hpp"
#include "app/sync_state.hpp"
#include "apply/publish.hpp"
#include "core/asio.hpp"
#include "core/diagnostic.hpp"
#include "core/latest_slot.hpp"
#include "core/logger.hpp"
#include "core/offload.hpp"
#include "metrics/metrics.hpp"
#include "metrics/render.hpp"
#include "profile/target_probe.hpp"
#include "reload/reload_loop.hpp"
#include "server/http_server.hpp"
#include "server/listen_address.hpp"
#include "server/router.hpp"
#include "snapshot/snapshot.hpp"
#include "watch/change_stream.hpp"
#include "watch/watcher.hpp"

namespace promwatch::app {
namespace {

namespace fs = std::filesystem;

double unix_now() {
  return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
}

awaitable<void> wait_for_signal(core::logger& log) {
  asio::signal_set signals(co_await asio::this_coro::executor, SIGINT, SIGTERM);
  const int signo = co_await signals.async_wait(use_awaitable);
  log.info("shutting down", {{"signal", signo == SIGTERM ? "SIGTERM" : "SIGINT"}});
}

/// SIGHUP asks for a full resync, as users expect from Prometheus tools.
awaitable<void> resync_on_sighup(core::logger& log, core::latest_slot<std::string>& look_again) {
  asio::signal_set hup(co_await asio::this_coro::executor, SIGHUP);
  for (;;) {
    co_await hup.async_wait(use_awaitable);
    log.info("SIGHUP: resyncing every file");
    look_again.put("SIGHUP");
  }
}

std::vector<fs::path> watched_dirs(const cli::run_options& opt) {
  std::vector<fs::path> dirs;
  std::set<std::string> seen;
  auto add = [&](const fs::path& p) {
    std::error_code ec;
    const fs::path abs = fs::absolute(p, ec).lexically_normal();
    if (seen.insert(abs.string()).second) dirs.push_back(abs);
  };
  add(fs::absolute(opt.config_file).parent_path());
  for (const auto& d : opt.watch_dirs)
    add(d);
  return dirs;
}

/// The watch stage keeps cumulative counters; Prometheus counters only go up by deltas.
class watch_metrics_exporter {
 public:
  explicit watch_metrics_exporter(metrics::metrics& m) : m_(m) {}
  void update(const watch::watch_stats& now) {
    for (std::size_t k = 0; k < watch::event_kind_count; ++k) {
      const auto delta = now.events[k] - last_.events[k];
      if (delta > 0) {
        m_.watch_events(watch::to_string(static_cast<watch::event_kind>(k)))
            .Increment(static_cast<double>(delta));
      }
    }
    if (now.errors > last_.errors) {
      m_.watch_errors_total.Increment(static_cast<double>(now.errors - last_.errors));
    }
    m_.watches.Set(static_cast<double>(now.watches));
    last_ = now;
  }

 private:
  metrics::metrics& m_;
  watch::watch_stats last_;
};

// How long the first sync waits for the reload targets to tell their version. Short: in
// publish mode Prometheus may only start once promwatch has published, and until a target
// answers the newest known profile is used (and a later answer re-validates).
constexpr std::chrono::milliseconds profile_startup_wait{2000};

/// Everything the sync loop, the reload observer and the endpoints share. Lives in `run`,
/// used only from the loop's thread.
struct shared_state {
  shared_state(const cli::run_options& o, core::logger& l, metrics::metrics& m,
               const asio::any_io_executor& ex)
      : options(o),
        log(l),
        metrics(m),
        pipe(o.reload_urls.size(), !o.output_dir.empty()),
        look_again(ex),
        profiles_changed(ex),
        profiles_settled(ex) {}

  const cli::run_options& options;
  core::logger& log;
  metrics::metrics& metrics;
  // Every decision about syncs, acknowledgements, readiness and publish retries.
  pipeline_state pipe;
  sync_state& sync = pipe.sync();
  status_info status;
  core::latest_slot<std::string> look_again;  // SIGHUP: a full resync, with the reason
  // When a failed publish is retried (max: none pending).
  steady_clock::time_point publish_retry_at = steady_clock::time_point::max();

  // Validation profiles: what the flags pin, what each target said (by reload target index),
  // and what the last sync used.
  profile::pins pins;
  std::vector<std::string> target_urls;
  std::vector<std::unique_ptr<profile::target_probe>> probes;  // empty when the version is pinned
  std::vector<std::optional<profile::target_facts>> facts;
  std::vector<profile::chosen> in_use;
  std::vector<bool> told_newer;  // "newer than known" is logged once per target
  std::vector<bool> told_no_answer;
  core::latest_slot<bool> profiles_changed;  // a target told other facts: sync again
  asio::steady_timer profiles_settled;       // cancelled once every target answered
};

bool all_profiles_settled(const shared_state& s) {
  for (const auto& p : s.probes) {
    if (!p->state().settled()) return false;
  }
  return true;
}

void refresh_profile_status(shared_state& s) {
  s.status.profiles.clear();
  for (std::size_t i = 0; i < s.in_use.size() && i < s.target_urls.size(); ++i) {
    const auto& c = s.in_use[i];
    status_info::profile_record r;
    r.target = s.target_urls[i];
    r.version = validate::to_string(c.profile.version);
    if (i < s.facts.size() && s.facts[i]) r.target_version = s.facts[i]->version_text;
    r.features = profile::features_text(c.profile);
    r.names = c.profile.names == validate::name_scheme::utf8 ? "utf8" : "legacy";
    r.source = std::string(validate::to_string(c.source));
    r.description = validate::describe(c.profile);
    r.newer_than_known = c.profile.newer_than_known;
    r.features_api = !c.profile.features_api.empty();
    if (i < s.probes.size()) r.last_error = s.probes[i]->state().last_error();
    s.status.profiles.push_back(std::move(r));
  }
}

/// Moves a sync's choice of profiles to the log, the info metric and /status.
void use_profiles(shared_state& s, std::vector<profile::chosen> chosen) {
  for (std::size_t i = 0; i < chosen.size() && i < s.target_urls.size(); ++i) {
    const auto& c = chosen[i];
    if (i < s.in_use.size() && s.in_use[i] == c) continue;
    const std::string& url = s.target_urls[i];
    const std::string source{validate::to_string(c.source)};
    s.log.info("validation profile",
               {{"target", url}, {"profile", validate::describe(c.profile)}, {"source", source}});
    if (c.source == validate::profile_source::fallback) {
      std::string why;
      if (i < s.probes.size()) why = s.probes[i]->state().last_error();
      s.log.warn(
          "the target has not told its version yet; validating with the newest known profile",
          {{"target", url}, {"error", why}});
    }
    if (c.profile.newer_than_known && i < s.told_newer.size() && !s.told_newer[i]) {
      s.told_newer[i] = true;
      s.log.warn(
          "the target runs a Prometheus newer than this promwatch knows; what it cannot "
          "judge (unknown fields, functions) is reported as warnings",
          {{"target", url}, {"newest_known", validate::to_string(validate::newest_known_version)}});
    }
    s.metrics.set_validation_profile(
        url, validate::to_string(c.profile.version), profile::features_text(c.profile),
        c.profile.names == validate::name_scheme::utf8 ? "utf8" : "legacy", source);
  }
  s.in_use = std::move(chosen);
  refresh_profile_status(s);
}

void on_probe(shared_state& s, std::size_t i, const profile::tracker& t, profile::observation o) {
  s.facts[i] = t.facts();
  const std::string& url = s.target_urls[i];
  using profile::observation;
  switch (o) {
    case observation::first_answer:
    case observation::changed: {
      std::string features;
      for (const auto& f : t.facts()->features)
        features += (features.empty() ? "" : ",") + f;
      s.log.info(o == observation::changed ? "the target now runs another version or flags"
                                           : "the target told its version",
                 {{"target", url},
                  {"version", t.facts()->version_text},
                  {"features", features},
                  {"features_api", !t.facts()->features_api.empty()}});
      s.profiles_changed.put(true);
      break;
    }
    case observation::unknown:
      if (!s.told_no_answer[i]) {
        s.told_no_answer[i] = true;
        s.log.info("the target does not tell its version yet; asking again",
                   {{"target", url}, {"error", t.last_error()}});
      } else {
        s.log.debug("the target does not tell its version yet",
                    {{"target", url}, {"error", t.last_error()}});
      }
      break;
    case observation::lost:
      s.log.warn("the target stopped answering; keeping its last known profile",
                 {{"target", url}, {"error", t.last_error()}});
      break;
    case observation::unchanged:
    case observation::still_lost:
      break;
  }
  refresh_profile_status(s);
  if (all_profiles_settled(s)) s.profiles_settled.cancel();
}

awaitable<void> run_probes(shared_state& s) {
  const auto ex = co_await asio::this_coro::executor;
  if (s.probes.empty()) {
    // Nothing to ask (the version is pinned); stay for the group like every component.
    asio::steady_timer forever(ex, steady_clock::time_point::max());
    co_await forever.async_wait(use_awaitable);
    co_return;
  }
  using op = decltype(asio::co_spawn(ex, s.probes.front()->run(), asio::deferred));
  std::vector<op> ops;
  for (auto& p : s.probes)
    ops.push_back(asio::co_spawn(ex, p->run(), asio::deferred));
  auto [order, errors] = co_await asio::experimental::make_parallel_group(std::move(ops))
                             .async_wait(asio::experimental::wait_for_one(), use_awaitable);
  for (const auto& e : errors) {
    if (e) std::rethrow_exception(e);
  }
}

awaitable<void> throw_if_cancelled() {
  const asio::cancellation_state state = co_await asio::this_coro::cancellation_state;
  if (state.cancelled() != asio::cancellation_type::none)
    throw boost::system::system_error(asio::error::operation_aborted);
}

awaitable<std::string> wait_until(steady_clock::time_point at, std::string reason) {
  asio::steady_timer timer(co_await asio::this_coro::executor, at);
  co_await timer.async_wait(use_awaitable);
  co_return reason;
}

/// Why the files are looked at again: a file change, or (without one) a reason.
struct trigger {
  std::optional<watch::change> change;
  std::string reason;
};

/// The next reason to look at the files: a file change, a target that told other facts, a
/// SIGHUP, or a failed publish due for a retry. None is lost when several happen at once:
/// the change stream keeps a cancelled change pending, and the slots keep their values.
awaitable<trigger> next_trigger(shared_state& s, watch::change_stream& changes) {
  const auto ex = co_await asio::this_coro::executor;
  auto [order, change_error, change, profile_error, ignored, again_error, again, retry_error,
        retry] =
      co_await asio::experimental::make_parallel_group(
          asio::co_spawn(ex, changes.next(), asio::deferred),
          asio::co_spawn(ex, s.profiles_changed.take(), asio::deferred),
          asio::co_spawn(ex, s.look_again.take(), asio::deferred),
          asio::co_spawn(ex, wait_until(s.publish_retry_at, "publish retry"), asio::deferred))
          .async_wait(asio::experimental::wait_for_one(), use_awaitable);
  co_await throw_if_cancelled();
  switch (order[0]) {
    case 0:
      if (change_error) std::rethrow_exception(change_error);
      co_return trigger{std::move(change), {}};
    case 1:
      if (profile_error) std::rethrow_exception(profile_error);
      co_return trigger{std::nullopt, "validation profile"};
    case 2:
      if (again_error) std::rethrow_exception(again_error);
      co_return trigger{std::nullopt, std::move(again)};
    default:
      if (retry_error) std::rethrow_exception(retry_error);
      co_return trigger{std::nullopt, std::move(retry)};
  }
}

void log_warnings(shared_state& s, const sync_decision& d) {
  // Warnings never block; they are logged once, when the file (or the profile) is new.
  std::set<std::string> fresh(d.changes.added.begin(), d.changes.added.end());
  fresh.insert(d.changes.modified.begin(), d.changes.modified.end());
  for (const auto& [path, entry] : s.sync.current().files) {
    if (!d.profiles_changed && !fresh.contains(path)) continue;
    for (const auto& w : s.sync.warnings_for(path)) {
      s.log.warn("validation warning", {{"kind", std::string(core::to_string(entry.kind))},
                                        {"warning", core::format(w)}});
    }
  }
}

void log_invalid(shared_state& s, const sync_decision& d) {
  for (const auto& bad : d.newly_invalid) {
    s.metrics.validation_failures(bad.kind).Increment();
    for (const auto& e : bad.errors) {
      s.log.error("invalid file",
                  {{"kind", std::string(core::to_string(bad.kind))}, {"error", core::format(e)}});
    }
  }
}

void log_decision(shared_state& s, const sync_decision& d, const std::string& why, bool first) {
  const auto changed = d.changes.size();
  switch (d.action) {
    case sync_action::unchanged:
      s.metrics.changes_skipped_total.Increment();
      s.log.debug("no content changed", {{"reason", why}});
      break;
    case sync_action::no_reload:
      if (d.changes.empty() && d.profiles_changed) {
        s.log.info("validation profile changed; every file is still valid, nothing to reload");
      } else if (d.why_no_reload == no_reload_reason::reread_by_prometheus) {
        s.log.info("change needs no reload (file_sd files are re-read by Prometheus itself)",
                   {{"files_changed", changed}});
      } else {
        s.log.info("change needs no reload: Prometheus was already asked to load this content",
                   {{"files_changed", changed}, {"sha256", d.fingerprint}});
      }
      break;
    case sync_action::blocked: {
      s.metrics.config_apply_operations_total.Increment();
      s.metrics.config_apply_operations_failed_total.Increment();
      std::string files;
      for (const auto& f : d.blocking)
        files += (files.empty() ? "" : ",") + f;
      s.log.error("not reloading: invalid files; Prometheus keeps its last good configuration",
                  {{"invalid_files", files}});
      break;
    }
    case sync_action::reload:
      s.log.info(first ? "initial sync: files are valid, reloading"
                 : (d.changes.empty() && d.profiles_changed)
                     ? "validation profile changed: files are valid for it now, reloading"
                     : "valid change, reloading",
                 {{"files_changed", changed}, {"sha256", d.fingerprint}});
      break;
  }
}

awaitable<void> sync_loop(shared_state& s, watch::change_stream& changes,
                          core::latest_slot<reload::reload_request>& requests,
                          asio::thread_pool& pool) {
  snapshot::snapshot_spec spec;
  spec.config_file = s.options.config_file;
  spec.watch_dirs = watched_dirs(s.options);
  const bool publishing = !s.options.output_dir.empty();
  const auto config_root = fs::absolute(s.options.config_file).lexically_normal().parent_path();
  if (!all_profiles_settled(s)) {
    s.log.info("waiting briefly for the reload targets to tell their version",
               {{"up_to_ms", profile_startup_wait.count()}});
    s.profiles_settled.expires_after(profile_startup_wait);
    co_await s.profiles_settled.async_wait(as_tuple_awaitable);
    co_await throw_if_cancelled();
  }
  bool first_sync_done = false;
  for (;;) {
    auto next = co_await next_trigger(s, changes);
    watch::change why;
    std::string reason = next.reason;
    if (next.change) {
      why = std::move(*next.change);
      reason = std::string(watch::to_string(why.reason));
    } else {
      why.reason = watch::change_reason::resync;
    }
    if (reason == "publish retry") s.publish_retry_at = steady_clock::time_point::max();
    // The job below reads the newest facts; a wake-up already queued for them is moot.
    s.profiles_changed.try_take();
    s.log.debug("looking at files", {{"reason", reason}, {"paths", why.path_count}});
    struct job_result {
      snapshot::snapshot snap;
      validation_results fresh;
      std::vector<profile::chosen> chosen;
      std::string key;
    };
    auto job = [&spec, known = s.sync.known_keys(s.sync.profiles_key()),
                cached = s.sync.profiles_key(), pins = s.pins, facts = s.facts] {
      job_result r;
      r.snap = snapshot::take_snapshot(spec);
      r.chosen = choose_profiles(r.snap, pins, facts);
      r.key = profile::key_of(r.chosen);
      r.fresh = validate_new(r.snap, r.key == cached ? known : std::set<validation_key>{},
                             profile::distinct(r.chosen));
      return r;
    };
    auto taken = co_await core::offload(pool, std::move(job));
    for (const auto& w : taken.snap.warnings)
      s.log.warn(w);
    const bool first = !first_sync_done;
    use_profiles(s, std::move(taken.chosen));
    auto d = s.sync.on_snapshot(std::move(taken.snap), std::move(taken.fresh), taken.key);
    log_warnings(s, d);
    log_invalid(s, d);
    if (first && d.action == sync_action::reload && !s.options.reload_on_start) {
      s.sync.assume_applied(d.fingerprint);
      s.metrics.set_applied_hash(d.fingerprint);
      s.log.info("started; assuming Prometheus already runs these files (--reload-on-start=false)",
                 {{"sha256", d.fingerprint}});
      d.action = sync_action::no_reload;
    } else {
      log_decision(s, d, reason, first);
    }
    if (publishing && (d.action == sync_action::reload || d.action == sync_action::no_reload)) {
      auto publish = [&s, &root = config_root] {
        return apply::publish_atomically(s.sync.current(), root, s.options.output_dir);
      };
      const auto published = co_await core::offload(pool, std::move(publish));
      if (published.has_error()) {
        // A failed publish is a failed apply operation, counted in both.
        s.metrics.config_apply_operations_total.Increment();
        s.metrics.config_apply_operations_failed_total.Increment();
        const auto retry_in = s.pipe.on_publish_failed();
        s.publish_retry_at = steady_clock::now() + retry_in;
        s.status.last_publish_error = published.error().message;
        s.log.error("cannot publish; Prometheus keeps the last published configuration; retrying",
                    {{"output_dir", s.options.output_dir.string()},
                     {"error", published.error().message},
                     {"failures", s.pipe.publish_failures()},
                     {"retry_in_ms", retry_in.count()}});
        d.action = sync_action::blocked;
      } else {
        if (s.pipe.publish_pending()) s.log.info("publishing works again");
        s.pipe.on_publish_succeeded();
        s.publish_retry_at = steady_clock::time_point::max();
        s.status.last_publish_error.clear();
        s.status.published_data_dir = published->data_dir;
        if (!published->unchanged) {
          s.log.info("published", {{"output_dir", s.options.output_dir.string()},
                                   {"data_dir", published->data_dir},
                                   {"files", published->files_written}});
        }
      }
    }
    s.status.record_sync(s.sync, d, unix_now());
    if (d.action == sync_action::reload) {
      s.metrics.config_apply_operations_total.Increment();
      s.metrics.pending_changes.Set(1);
      requests.put({s.pipe.on_reload_requested(d.fingerprint), d.fingerprint});
    }
    if (first) s.pipe.on_first_sync(d.action == sync_action::reload);
    first_sync_done = true;
  }
}

void on_reload_report(shared_state& s, const reload::reload_report& r) {
  // Every answer (or silence) of a target is a moment to ask what it runs now: a restart
  // with another version shows up at once.
  if (r.target_index < s.probes.size()) s.probes[r.target_index]->poke();
  const auto d = s.pipe.on_reload_report({r.target_index, r.request.generation, r.request.sha256,
                                          r.result.ok, r.final, r.result.superseded});
  if (!d.count) return;
  const bool ok = r.result.ok;
  s.metrics.reloads_total.Increment();
  if (!ok) s.metrics.reloads_failed_total.Increment();
  s.metrics.last_reload_successful.Set(ok ? 1 : 0);
  s.status.record_reload(r, unix_now());
  if (!d.series_ended) return;
  s.metrics.reload_duration_seconds.Observe(
      std::chrono::duration<double>(r.result.duration).count());
  if (d.pending_cleared) s.metrics.pending_changes.Set(0);
  if (ok) {
    s.metrics.last_reload_success_timestamp_seconds.Set(unix_now());
    if (d.all_applied) {
      s.metrics.set_applied_hash(r.request.sha256);
      s.log.info("Prometheus reloaded",
                 {{"url", r.url}, {"sha256", r.request.sha256}, {"attempts", r.result.attempts}});
    }
  } else {
    s.metrics.config_apply_operations_failed_total.Increment();
    s.log.error("reload failed; waiting for the next change",
                {{"url", r.url}, {"attempts", r.result.attempts}, {"error", r.result.message}});
  }
}

}  // namespace

int run(const cli::run_options& options) {
  // A closed stderr pipe or peer must not kill promwatch; writes then fail with EPIPE.
  std::signal(SIGPIPE, SIG_IGN);
  core::logger log(std::cerr, options.log_format, options.log_level);
  asio::io_context io{1};
  const auto ex = io.get_executor();
  prometheus::Registry registry;
  metrics::metrics m(registry);
  // Walking, hashing and validating are blocking; they run here so the loop keeps answering.
  asio::thread_pool pool(2);

  const auto listen = server::parse_listen_address(options.listen_address);
  if (listen.has_error()) throw std::runtime_error(listen.error().message);
  auto acceptor = server::open_acceptor(ex, *listen);

  watch::watch_options wo;
  wo.dirs = watched_dirs(options);
  wo.poll_interval = options.poll_interval;
  switch (options.backend) {
    case cli::watch_backend::auto_select:
      wo.backend = watch::watch_options::backend::auto_select;
      break;
    case cli::watch_backend::inotify:
      wo.backend = watch::watch_options::backend::inotify;
      break;
    case cli::watch_backend::poll:
      wo.backend = watch::watch_options::backend::poll;
      break;
  }
  auto watcher = watch::make_watcher(ex, wo, log);
  if (watcher.has_error())
    throw std::runtime_error("cannot watch files: " + watcher.error().message);
  const std::string backend{(*watcher)->backend_name()};

  watch::change_stream_options co;
  co.debounce = options.debounce;
  co.max_wait = options.debounce_max;
  co.resync_interval = options.resync_interval;
  watch::change_stream changes(ex, std::move(*watcher), co, log);

  std::vector<reload::url> targets;
  for (const auto& u : options.reload_urls) {
    auto parsed = reload::parse_url(u);
    if (parsed.has_error()) throw std::runtime_error("--reload-url: " + parsed.error().message);
    targets.push_back(*parsed);
  }
  reload::reload_options ro;
  ro.attempt_timeout = options.reload_timeout;

  shared_state s{options, log, m, ex};
  s.pins.version = options.prometheus_version;
  s.pins.features = options.enable_features;
  s.facts.resize(targets.size());
  s.told_newer.resize(targets.size(), false);
  s.told_no_answer.resize(targets.size(), false);
  const auto probe_timeout = std::min(options.reload_timeout, std::chrono::milliseconds{10'000});
  for (std::size_t i = 0; i < targets.size(); ++i) {
    s.target_urls.push_back(targets[i].to_string());
    if (options.prometheus_version) continue;
    s.probes.push_back(std::make_unique<profile::target_probe>(
        targets[i], options.profile_refresh, probe_timeout,
        [&s, i](const profile::tracker& t, profile::observation o) { on_probe(s, i, t, o); }));
  }
  s.status.backend = backend;
  s.status.config_file = options.config_file.string();
  s.status.output_dir = options.output_dir.string();
  core::latest_slot<reload::reload_request> requests(ex);
  reload::reload_loop reloader(std::move(targets), ro, requests, log,
                               [&s](const reload::reload_report& r) { on_reload_report(s, r); });

  server::endpoints e;
  watch_metrics_exporter watch_export(m);
  e.metrics = [&] {
    watch_export.update(changes.stats());
    return metrics::render_metrics(registry);
  };
  auto readiness = [&]() -> server::probe {
    auto r = s.pipe.ready();
    return {r.ok, std::move(r.reason)};
  };
  e.readiness = readiness;
  e.status = [&] { return s.status.render(s.sync, changes.stats().watches, readiness().ok); };

  log.info("starting",
           {{"version", PROMWATCH_VERSION},
            {"config_file", options.config_file.string()},
            {"watch_backend", backend},
            {"listen_address", options.listen_address},
            {"prometheus_version", options.prometheus_version
                                       ? validate::to_string(*options.prometheus_version)
                                       : std::string("auto")}});

  int exit_code = 0;
  asio::co_spawn(
      ex,
      [&]() -> awaitable<void> {
        auto [order, e1, e2, e3, e4, e5, e6, e7] =
            co_await asio::experimental::make_parallel_group(
                asio::co_spawn(ex, wait_for_signal(log), asio::deferred),
                asio::co_spawn(ex, changes.run(), asio::deferred),
                asio::co_spawn(ex, sync_loop(s, changes, requests, pool), asio::deferred),
                asio::co_spawn(ex, reloader.run(), asio::deferred),
                asio::co_spawn(
                    ex, server::serve(std::move(acceptor), server::router(std::move(e)), log),
                    asio::deferred),
                asio::co_spawn(ex, run_probes(s), asio::deferred),
                asio::co_spawn(ex, resync_on_sighup(log, s.look_again), asio::deferred))
                .async_wait(asio::experimental::wait_for_one(), use_awaitable);
        // Whatever ended first decides: a signal is a clean exit, anything else a failure.
        const std::exception_ptr errors[] = {e1, e2, e3, e4, e5, e6, e7};
        if (order[0] != 0) {
          exit_code = 1;
          try {
            if (errors[order[0]]) std::rethrow_exception(errors[order[0]]);
            log.error("a component stopped unexpectedly",
                      {{"component", static_cast<int>(order[0])}});
          } catch (const std::exception& ex2) {
            log.error("a component failed", {{"error", ex2.what()}});
          }
        }
      },
      [&](std::exception_ptr p) {
        if (p) {
          exit_code = 1;
          io.stop();
        }
      });
  io.run();
  pool.stop();
  pool.join();
  log.info("stopped", {{"exit_code", exit_code}});
  return exit_code;
}

}  // namespace promwatch::app
