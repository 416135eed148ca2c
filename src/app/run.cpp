#include "app/run.hpp"

#include <csignal>
#include <iostream>
#include <map>
#include <set>

#include <prometheus/registry.h>

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

/// Everything the sync loop, the reload observer and the endpoints share. Lives in `run`,
/// used only from the loop's thread.
struct shared_state {
  shared_state(const cli::run_options& o, core::logger& l, metrics::metrics& m)
      : options(o), log(l), metrics(m), sync(!o.output_dir.empty()) {}

  const cli::run_options& options;
  core::logger& log;
  metrics::metrics& metrics;
  sync_state sync;
  status_info status;
  std::uint64_t generation = 0;
  // A generation counts as applied once every reload target reported a final success for it.
  std::size_t targets = 0;
  std::map<std::uint64_t, std::size_t> successes;
  bool first_sync_done = false;
  bool startup_reload_pending = false;
};

void log_decision(shared_state& s, const sync_decision& d, const watch::change& why, bool first) {
  for (const auto& bad : d.newly_invalid) {
    s.metrics.validation_failures(bad.kind).Increment();
    for (const auto& e : bad.errors) {
      s.log.error("invalid file",
                  {{"kind", std::string(core::to_string(bad.kind))}, {"error", core::format(e)}});
    }
  }
  const auto changed = d.changes.size();
  switch (d.action) {
    case sync_action::unchanged:
      s.metrics.changes_skipped_total.Increment();
      s.log.debug("no content changed", {{"reason", std::string(watch::to_string(why.reason))}});
      break;
    case sync_action::no_reload:
      s.log.info("change needs no reload (file_sd files are re-read by Prometheus itself)",
                 {{"files_changed", changed}});
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
      s.log.info(first ? "initial sync: files are valid, reloading" : "valid change, reloading",
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
  for (;;) {
    const watch::change why = co_await changes.next();
    s.log.debug("looking at files",
                {{"reason", std::string(watch::to_string(why.reason))}, {"paths", why.path_count}});
    auto known = s.sync.known_keys();
    auto job = [&spec, known = std::move(known)] {
      auto snap = snapshot::take_snapshot(spec);
      auto fresh = validate_new(snap, known);
      return std::pair{std::move(snap), std::move(fresh)};
    };
    auto taken = co_await core::offload(pool, std::move(job));
    for (const auto& w : taken.first.warnings)
      s.log.warn(w);
    const bool first = !s.first_sync_done;
    auto d = s.sync.on_snapshot(std::move(taken.first), std::move(taken.second));
    if (first && d.action == sync_action::reload && !s.options.reload_on_start) {
      s.sync.assume_applied(d.fingerprint);
      s.metrics.set_applied_hash(d.fingerprint);
      s.log.info("started; assuming Prometheus already runs these files (--reload-on-start=false)",
                 {{"sha256", d.fingerprint}});
      d.action = sync_action::no_reload;
    } else {
      log_decision(s, d, why, first);
    }
    s.status.record_sync(s.sync, d, unix_now());
    if (publishing && (d.action == sync_action::reload || d.action == sync_action::no_reload)) {
      auto publish = [&s, &root = config_root] {
        return apply::publish_atomically(s.sync.current(), root, s.options.output_dir);
      };
      const auto published = co_await core::offload(pool, std::move(publish));
      if (published.has_error()) {
        s.metrics.config_apply_operations_failed_total.Increment();
        s.sync.on_reload_failed();
        s.status.last_publish_error = published.error().message;
        s.log.error(
            "cannot publish; Prometheus keeps the last published configuration",
            {{"output_dir", s.options.output_dir.string()}, {"error", published.error().message}});
        d.action = sync_action::blocked;
      } else {
        s.status.last_publish_error.clear();
        s.status.published_data_dir = published->data_dir;
        if (!published->unchanged) {
          s.log.info("published", {{"output_dir", s.options.output_dir.string()},
                                   {"data_dir", published->data_dir},
                                   {"files", published->files_written}});
        }
      }
    }
    if (d.action == sync_action::reload) {
      s.metrics.config_apply_operations_total.Increment();
      s.metrics.pending_changes.Set(1);
      if (first) s.startup_reload_pending = true;
      requests.put({++s.generation, d.fingerprint});
    }
    s.first_sync_done = true;
  }
}

void on_reload_report(shared_state& s, const reload::reload_report& r) {
  if (r.result.superseded) return;  // a newer request took over; its reports follow
  const bool ok = r.result.ok;
  s.metrics.reloads_total.Increment();
  if (!ok) s.metrics.reloads_failed_total.Increment();
  s.metrics.last_reload_successful.Set(ok ? 1 : 0);
  s.status.record_reload(r, unix_now());
  s.startup_reload_pending = false;  // the first answer makes us ready, whatever it was
  if (!r.final) return;
  s.metrics.reload_duration_seconds.Observe(
      std::chrono::duration<double>(r.result.duration).count());
  if (ok) {
    s.metrics.last_reload_success_timestamp_seconds.Set(unix_now());
    if (++s.successes[r.request.generation] == s.targets) {
      s.successes.erase(r.request.generation);
      s.sync.on_reload_succeeded(r.request.sha256);
      s.metrics.set_applied_hash(r.request.sha256);
      if (r.request.generation == s.generation) s.metrics.pending_changes.Set(0);
      s.log.info("Prometheus reloaded",
                 {{"url", r.url}, {"sha256", r.request.sha256}, {"attempts", r.result.attempts}});
    }
  } else {
    s.successes.erase(r.request.generation);
    s.sync.on_reload_failed();
    s.metrics.config_apply_operations_failed_total.Increment();
    if (r.request.generation == s.generation) s.metrics.pending_changes.Set(0);
    s.log.error("reload failed; waiting for the next change",
                {{"url", r.url}, {"attempts", r.result.attempts}, {"error", r.result.message}});
  }
}

}  // namespace

int run(const cli::run_options& options) {
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

  shared_state s{options, log, m};
  s.targets = targets.size();
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
    if (!s.first_sync_done) return {false, "waiting for the first sync"};
    if (s.startup_reload_pending) return {false, "waiting for the startup reload"};
    return {true};
  };
  e.readiness = readiness;
  e.status = [&] { return s.status.render(s.sync, changes.stats().watches, readiness().ok); };

  log.info("starting", {{"version", PROMWATCH_VERSION},
                        {"config_file", options.config_file.string()},
                        {"watch_backend", backend},
                        {"listen_address", options.listen_address}});

  int exit_code = 0;
  asio::co_spawn(
      ex,
      [&]() -> awaitable<void> {
        auto [order, e1, e2, e3, e4, e5] =
            co_await asio::experimental::make_parallel_group(
                asio::co_spawn(ex, wait_for_signal(log), asio::deferred),
                asio::co_spawn(ex, changes.run(), asio::deferred),
                asio::co_spawn(ex, sync_loop(s, changes, requests, pool), asio::deferred),
                asio::co_spawn(ex, reloader.run(), asio::deferred),
                asio::co_spawn(
                    ex, server::serve(std::move(acceptor), server::router(std::move(e)), log),
                    asio::deferred))
                .async_wait(asio::experimental::wait_for_one(), use_awaitable);
        // Whatever ended first decides: a signal is a clean exit, anything else a failure.
        const std::exception_ptr errors[] = {e1, e2, e3, e4, e5};
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
