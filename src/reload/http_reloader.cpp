#include "reload/http_reloader.hpp"

#include <boost/system/system_error.hpp>

namespace promwatch::reload {
namespace {

namespace http = boost::beast::http;
using std::chrono::duration_cast;
using std::chrono::milliseconds;

// How often a long readiness wait says it is still waiting.
constexpr int readiness_log_every = 10;

void throw_if_aborted(const error_code& ec) {
  if (ec == asio::error::operation_aborted) throw boost::system::system_error(ec);
}

std::int64_t ms(steady_clock::duration d) {
  return duration_cast<milliseconds>(d).count();
}

}  // namespace

awaitable<bool> sleep_for_backoff(milliseconds delay) {
  asio::steady_timer timer(co_await asio::this_coro::executor, delay);
  co_await timer.async_wait(use_awaitable);
  co_return true;
}

http_reloader::http_reloader(url reload_url, reload_options options, core::logger& log)
    : url_(std::move(reload_url)),
      options_(std::move(options)),
      log_(log),
      rng_(std::random_device{}()) {}

double http_reloader::jitter() {
  if (options_.jitter) return options_.jitter();
  return std::uniform_real_distribution<double>(0.0, 1.0)(rng_);
}

awaitable<void> http_reloader::wait_until_ready() {
  const url ready = readiness_url(url_);
  const std::string where = ready.to_string();
  const auto start = steady_clock::now();
  retry_settings settings;
  settings.transient = options_.readiness;
  retry_policy policy(settings);
  for (int polls = 1;; ++polls) {
    auto r = co_await http_exchange(http::verb::get, ready, options_.attempt_timeout);
    throw_if_aborted(r.error);
    if (!r.error && (r.status < 502 || r.status > 504)) {
      readiness_checked_ = true;
      if (r.status == 200) {
        log_.info("target is ready",
                  {{"url", where}, {"waited_ms", ms(steady_clock::now() - start)}});
      } else if (r.status == 404) {
        log_.info("target has no readiness endpoint; reloading without waiting", {{"url", where}});
      } else {
        log_.warn("readiness check answered unexpectedly; reloading anyway",
                  {{"url", where}, {"status", r.status}});
      }
      co_return;
    }
    const auto c = classify({r.error, r.status, r.body});
    const auto next = policy.next(outcome_class::transient, jitter());
    if (polls == 1 || polls % readiness_log_every == 0) {
      log_.info("waiting for target to become ready",
                {{"url", where},
                 {"reason", c.message},
                 {"polls", polls},
                 {"waited_ms", ms(steady_clock::now() - start)}});
    }
    co_await sleep_for_backoff(next.delay);
  }
}

awaitable<reload_result> http_reloader::reload(backoff_wait wait, retry_observer on_retry) {
  const std::string where = url_.to_string();
  const auto start = steady_clock::now();
  retry_policy policy(options_.retry);
  reload_result result;
  for (;;) {
    auto r = co_await http_exchange(http::verb::post, url_, options_.attempt_timeout);
    throw_if_aborted(r.error);
    const auto c = classify({r.error, r.status, r.body});
    ++result.attempts;
    result.ok = c.kind == outcome_class::success;
    result.last_class = c.kind;
    result.last_status = r.status;
    result.last_error = r.error;
    result.message = c.message;
    result.duration = steady_clock::now() - start;
    if (result.ok) {
      log_.info(
          "reload succeeded",
          {{"url", where}, {"attempts", result.attempts}, {"duration_ms", ms(result.duration)}});
      co_return result;
    }
    const auto next = policy.next(c.kind, jitter());
    if (!next.retry) {
      log_.error("reload failed; giving up until the next change", {{"url", where},
                                                                    {"class", to_string(c.kind)},
                                                                    {"attempts", result.attempts},
                                                                    {"error", c.message}});
      co_return result;
    }
    log_.warn("reload failed; retrying", {{"url", where},
                                          {"class", to_string(c.kind)},
                                          {"attempt", result.attempts},
                                          {"retry_in_ms", next.delay.count()},
                                          {"error", c.message}});
    if (on_retry) on_retry(result, next.delay);
    const bool waited = wait ? co_await wait(next.delay) : co_await sleep_for_backoff(next.delay);
    if (!waited) {
      result.superseded = true;
      result.duration = steady_clock::now() - start;
      log_.info("newer change pending; abandoning the retry series",
                {{"url", where}, {"attempts", result.attempts}});
      co_return result;
    }
  }
}

}  // namespace promwatch::reload
