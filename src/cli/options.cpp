#include "cli/options.hpp"

#include <algorithm>
#include <optional>

#include "core/duration.hpp"

namespace promwatch::cli {
namespace {

struct flag_value {
  std::string_view name;  // without the leading dashes
  std::optional<std::string_view> value;
};

// Accepts `--name=value`, `--name value` and, for booleans, a bare `--name`.
class arg_reader {
 public:
  explicit arg_reader(std::span<const std::string_view> args) : args_(args) {}
  bool done() const { return i_ >= args_.size(); }
  std::string_view peek() const { return args_[i_]; }
  std::string_view take() { return args_[i_++]; }
  std::optional<std::string_view> take_value_if_present() {
    if (done() || args_[i_].starts_with("-")) return std::nullopt;
    return take();
  }

 private:
  std::span<const std::string_view> args_;
  std::size_t i_ = 0;
};

constexpr bool is_bool_flag(std::string_view name) {
  return name == "reload-on-start" || name == "help" || name == "version";
}

}  // namespace

core::result<std::optional<validate::prometheus_version>> parse_version_flag(std::string_view text,
                                                                             bool allow_auto) {
  if (text == "auto") {
    if (allow_auto) return std::optional<validate::prometheus_version>{};
    return core::error{"auto needs a target to ask; give a version such as 3.5 (check has none)"};
  }
  const auto v = validate::parse_version(text);
  const std::string known = validate::to_string(validate::oldest_known_version) + " to " +
                            validate::to_string(validate::newest_known_version);
  if (!v) {
    return core::error{"want " + std::string(allow_auto ? "auto or " : "") +
                       "a Prometheus version such as 3.5, got \"" + std::string(text) + "\""};
  }
  if (*v < validate::oldest_known_version) {
    return core::error{"Prometheus " + validate::to_string(*v) +
                       " is older than any this promwatch knows (" + known + ")"};
  }
  return std::optional<validate::prometheus_version>{*v};
}

std::string usage() {
  return R"(promwatch - keeps Prometheus' configuration live and safe.

Watches the config, rule and file_sd files, validates every change the way promtool does,
and reloads Prometheus only when the change is valid.

Usage:
  promwatch [run] [flags]                        watch, validate and reload
  promwatch check rules|file-sd|config [--prometheus-version=X.Y] [--enable-feature=F] FILE...
                                                 validate files like promtool of that version
                                                 (default the newest known; exit 0 valid, 1 invalid)
  promwatch healthcheck [--url=URL] [--timeout=2s]  probe a running promwatch (for HEALTHCHECK)
  promwatch --version | --help

Flags of `run`:
  --config-file=PATH        Prometheus' main config; rule_files and file_sd_configs globs are
                            resolved relative to it. Its directory is watched.
                            (default /etc/prometheus/prometheus.yml)
  --watch-dir=DIR           another directory to watch, recursively; repeatable
  --reload-url=URL          POSTed to after a valid change; repeatable
                            (default http://127.0.0.1:9090/-/reload)
  --output-dir=DIR          publish mode: write validated files here with an atomic
                            ..data swap (as Kubernetes does) and point Prometheus'
                            --config.file here; a broken file never reaches it
  --reload-on-start=BOOL    reload once at startup when the files are valid (default true)
  --reload-timeout=DUR      per-attempt timeout of a reload request (default 30s)
  --listen-address=ADDR     serves /metrics, /healthz, /readyz, /status (default :9533)
  --debounce=DUR            quiet period that ends a burst of changes (default 250ms)
  --debounce-max=DUR        longest a burst may delay a reload (default 2s)
  --resync-interval=DUR     re-hash everything this often in case an event was lost;
                            0 disables (default 3m)
  --watch-backend=NAME      auto, inotify or poll; poll for NFS or Docker Desktop mounts
                            (default auto)
  --poll-interval=DUR       how often the poll backend looks (default 1s)
  --log-format=FORMAT       logfmt or json (default logfmt)
  --log-level=LEVEL         debug, info, warn or error (default info)
  --prometheus-version=V    auto or X.Y: which Prometheus the files are validated for; auto
                            asks every reload target (/api/v1/status/buildinfo, flags,
                            features) and follows upgrades (default auto)
  --enable-feature=F        Prometheus feature flags to validate with (comma-separated,
                            repeatable); replaces what the target reports
  --profile-refresh=DUR     how often a target is asked again for its version (default 30s)

Durations are Prometheus durations: 250ms, 2s, 1m30s, 3m.
)";
}

core::result<parsed_command_line> parse_command_line(std::span<const std::string_view> args) {
  parsed_command_line out;
  std::vector<std::string> problems;
  auto problem = [&](std::string msg) { problems.push_back(std::move(msg)); };

  arg_reader reader(args);
  if (!reader.done() && !reader.peek().starts_with("-")) {
    const auto sub = reader.take();
    if (sub == "run") {
      out.cmd = command::run;
    } else if (sub == "check") {
      // The kind is the first argument that is no flag, so flags may come before it.
      out.cmd = command::check;
    } else if (sub == "healthcheck") {
      out.cmd = command::healthcheck;
    } else if (sub == "version") {
      out.cmd = command::version;
    } else if (sub == "help") {
      out.cmd = command::help;
    } else {
      problem("unknown command \"" + std::string(sub) + "\" (want run, check or healthcheck)");
    }
  }

  bool reload_urls_given = false;
  std::optional<validate::prometheus_version> version;
  std::optional<std::set<std::string, std::less<>>> features;
  auto& run = out.run;
  while (!reader.done()) {
    const std::string_view arg = reader.take();
    if (out.cmd == command::check && !arg.starts_with("-")) {
      if (!out.check_kind.empty()) {
        out.check_files.emplace_back(arg);
        continue;
      }
      out.check_kind = std::string(arg);
      if (out.check_kind != "rules" && out.check_kind != "file-sd" && out.check_kind != "config") {
        problem("check: unknown kind \"" + out.check_kind + "\" (want rules, file-sd or config)");
      }
      continue;
    }
    if (!arg.starts_with("--")) {
      problem("unexpected argument \"" + std::string(arg) + "\"");
      continue;
    }
    flag_value f{arg.substr(2), std::nullopt};
    if (const auto eq = f.name.find('='); eq != std::string_view::npos) {
      f.value = f.name.substr(eq + 1);
      f.name = f.name.substr(0, eq);
    } else if (!is_bool_flag(f.name)) {
      f.value = reader.take_value_if_present();
    }
    const std::string flag = "--" + std::string(f.name);
    auto need_value = [&]() -> std::optional<std::string_view> {
      if (!f.value) problem(flag + ": missing value");
      return f.value;
    };
    // Every duration has a sane maximum, so none can overflow a deadline (a time_point).
    auto duration = [&](std::chrono::milliseconds& target, bool allow_zero,
                        std::chrono::milliseconds max = std::chrono::hours(24)) {
      if (const auto v = need_value()) {
        const auto d = core::parse_duration(*v);
        if (d.has_error()) {
          problem(flag + ": " + d.error().message);
        } else if (d->count() < 0 || (!allow_zero && d->count() == 0)) {
          problem(flag + ": must be greater than 0");
        } else if (*d > max) {
          problem(flag + ": " + std::string(*v) + " is more than the maximum of " +
                  core::format_duration(max));
        } else {
          target = *d;
        }
      }
    };
    auto boolean = [&](bool& target) {
      const std::string_view v = f.value.value_or("true");
      if (v == "true" || v == "1") {
        target = true;
      } else if (v == "false" || v == "0") {
        target = false;
      } else {
        problem(flag + ": want true or false, got \"" + std::string(v) + "\"");
      }
    };

    if (f.name == "help") {
      out.cmd = command::help;
    } else if ((out.cmd == command::run || out.cmd == command::check) &&
               f.name == "prometheus-version") {
      if (const auto v = need_value()) {
        auto parsed = parse_version_flag(*v, out.cmd == command::run);
        if (parsed.has_error())
          problem(flag + ": " + parsed.error().message);
        else
          version = *parsed;
      }
    } else if ((out.cmd == command::run || out.cmd == command::check) &&
               f.name == "enable-feature") {
      if (const auto v = need_value()) {
        if (!features) features.emplace();
        features->merge(validate::parse_feature_list(*v));
      }
    } else if (f.name == "version") {
      out.cmd = command::version;
    } else if (out.cmd == command::healthcheck) {
      if (f.name == "url") {
        if (const auto v = need_value()) out.healthcheck_url = std::string(*v);
      } else if (f.name == "timeout") {
        duration(out.healthcheck_timeout, false, std::chrono::hours(1));
      } else {
        problem("unknown flag " + flag + " for healthcheck");
      }
    } else if (out.cmd == command::check) {
      problem("unknown flag " + flag + " for check");
    } else if (f.name == "config-file") {
      if (const auto v = need_value()) run.config_file = std::string(*v);
    } else if (f.name == "watch-dir") {
      if (const auto v = need_value()) run.watch_dirs.emplace_back(std::string(*v));
    } else if (f.name == "reload-url") {
      if (const auto v = need_value()) {
        if (!reload_urls_given) run.reload_urls.clear();
        reload_urls_given = true;
        if (!v->starts_with("http://")) {
          problem(flag + ": want an http:// URL, got \"" + std::string(*v) + "\"");
        } else {
          run.reload_urls.emplace_back(*v);
        }
      }
    } else if (f.name == "output-dir") {
      if (const auto v = need_value()) run.output_dir = std::string(*v);
    } else if (f.name == "listen-address") {
      if (const auto v = need_value()) run.listen_address = std::string(*v);
    } else if (f.name == "debounce") {
      duration(run.debounce, true, std::chrono::hours(1));
    } else if (f.name == "debounce-max") {
      duration(run.debounce_max, false);
    } else if (f.name == "resync-interval") {
      duration(run.resync_interval, true);
    } else if (f.name == "reload-timeout") {
      duration(run.reload_timeout, false, std::chrono::hours(1));
    } else if (f.name == "poll-interval") {
      duration(run.poll_interval, false, std::chrono::hours(1));
    } else if (f.name == "profile-refresh") {
      duration(run.profile_refresh, false);
    } else if (f.name == "reload-on-start") {
      boolean(run.reload_on_start);
    } else if (f.name == "watch-backend") {
      if (const auto v = need_value()) {
        if (*v == "auto")
          run.backend = watch_backend::auto_select;
        else if (*v == "inotify")
          run.backend = watch_backend::inotify;
        else if (*v == "poll")
          run.backend = watch_backend::poll;
        else
          problem(flag + ": want auto, inotify or poll, got \"" + std::string(*v) + "\"");
      }
    } else if (f.name == "log-format") {
      if (const auto v = need_value()) {
        if (*v == "logfmt")
          run.log_format = core::log_format::logfmt;
        else if (*v == "json")
          run.log_format = core::log_format::json;
        else
          problem(flag + ": want logfmt or json, got \"" + std::string(*v) + "\"");
      }
    } else if (f.name == "log-level") {
      if (const auto v = need_value(); v && !core::parse_log_level(*v, run.log_level)) {
        problem(flag + ": want debug, info, warn or error, got \"" + std::string(*v) + "\"");
      }
    } else {
      problem("unknown flag " + flag);
    }
  }

  if (out.cmd == command::check) {
    out.check_profile = validate::make_profile(version.value_or(validate::newest_known_version),
                                               validate::judge::promtool,
                                               features.value_or(decltype(features)::value_type{}));
  }
  if (out.cmd == command::run) {
    run.prometheus_version = version;
    run.enable_features = std::move(features);
    if (run.config_file.empty()) problem("--config-file: must not be empty");
    if (!run.output_dir.empty()) {
      // Lexical on purpose: flags are checked without touching the filesystem.
      const auto dst = std::filesystem::absolute(run.output_dir).lexically_normal();
      const auto src = std::filesystem::absolute(run.config_file).lexically_normal().parent_path();
      const auto starts_with = [](const std::filesystem::path& p,
                                  const std::filesystem::path& base) {
        return std::mismatch(base.begin(), base.end(), p.begin(), p.end()).first == base.end();
      };
      if (starts_with(dst, src) || starts_with(src, dst)) {
        problem("--output-dir: must not contain or be inside the config file's directory");
      }
    }
    if (run.debounce_max < run.debounce) {
      problem("--debounce-max: must be at least --debounce");
    }
  }
  if (out.cmd == command::check && out.check_kind.empty()) {
    problem("check: missing what to check (rules, file-sd or config)");
  } else if (out.cmd == command::check && problems.empty() && out.check_files.empty()) {
    problem("check " + out.check_kind + ": no files given");
  }

  if (!problems.empty()) {
    std::string msg;
    for (const auto& p : problems) {
      if (!msg.empty()) msg += '\n';
      msg += p;
    }
    return core::error{msg};
  }
  return out;
}

}  // namespace promwatch::cli
