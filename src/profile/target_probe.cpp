#include "profile/target_probe.hpp"

#include <boost/system/system_error.hpp>

namespace promwatch::profile {
namespace {

namespace http = boost::beast::http;

// buildinfo and flags are a few KiB; /api/v1/features lists every function and keyword.
constexpr std::size_t small_answer = 64 * 1024;
constexpr std::size_t features_answer = reload::max_body_read;

// A transport failure, 5xx, 408 or 429: the target is down or starting, ask again soon.
bool transient_status(unsigned status) {
  return status >= 500 || status == 408 || status == 429;
}

struct fetched {
  std::string body;
  std::optional<query_failure> failure;
  unsigned status = 0;
};

awaitable<fetched> get(const reload::url& reload_url, std::string_view path,
                       std::chrono::milliseconds timeout, std::size_t max_body) {
  const auto where = reload::endpoint_url(reload_url, path);
  auto r = co_await reload::http_exchange(http::verb::get, where, timeout, max_body);
  if (r.error == asio::error::operation_aborted) throw boost::system::system_error(r.error);
  fetched out;
  out.status = r.status;
  const std::string url = where.to_string();
  if (r.error) {
    out.failure = query_failure{url + ": " + r.error.message(), false};
  } else if (r.status != 200) {
    out.failure =
        query_failure{url + ": HTTP " + std::to_string(r.status), !transient_status(r.status)};
  } else if (r.truncated) {
    out.failure =
        query_failure{url + ": answer larger than " + std::to_string(max_body) + " bytes", true};
  } else {
    out.body = std::move(r.body);
  }
  co_return out;
}

}  // namespace

awaitable<query_answer> query_target(reload::url reload_url, std::chrono::milliseconds timeout) {
  query_answer out;
  auto build = co_await get(reload_url, "/api/v1/status/buildinfo", timeout, small_answer);
  if (build.failure) {
    out.failure = std::move(*build.failure);
    co_return out;
  }
  auto version_text = parse_buildinfo(build.body);
  if (version_text.has_error()) {
    out.failure = {version_text.error().message, true};
    co_return out;
  }
  auto flags = co_await get(reload_url, "/api/v1/status/flags", timeout, small_answer);
  if (flags.failure) {
    out.failure = std::move(*flags.failure);
    co_return out;
  }
  auto features = parse_flags(flags.body);
  if (features.has_error()) {
    out.failure = {features.error().message, true};
    co_return out;
  }
  target_facts facts;
  facts.version_text = *version_text;
  facts.version = *validate::parse_version(facts.version_text);
  facts.features = std::move(*features);
  if (has_features_api(facts.version)) {
    auto api = co_await get(reload_url, "/api/v1/features", timeout, features_answer);
    if (api.failure && api.status != 404) {
      out.failure = std::move(*api.failure);
      co_return out;
    }
    // 404: a build without the endpoint; the version tables stand in for it.
    if (!api.failure) {
      auto parsed = parse_features(api.body);
      if (parsed.has_error()) {
        out.failure = {parsed.error().message, true};
        co_return out;
      }
      facts.features_api = std::move(*parsed);
    }
  }
  out.facts = std::move(facts);
  co_return out;
}

target_probe::target_probe(reload::url reload_url, std::chrono::milliseconds refresh,
                           std::chrono::milliseconds timeout, observer on_outcome)
    : url_(std::move(reload_url)),
      timeout_(timeout),
      tracker_(refresh),
      observer_(std::move(on_outcome)),
      rng_(std::random_device{}()) {}

void target_probe::poke() {
  poked_ = true;
  if (wake_) wake_->cancel();
}

awaitable<void> target_probe::run() {
  wake_.emplace(co_await asio::this_coro::executor);
  for (;;) {
    poked_ = false;
    auto answer = co_await query_target(url_, timeout_);
    const auto o = answer.facts ? tracker_.on_answer(std::move(*answer.facts))
                                : tracker_.on_failure(std::move(answer.failure));
    if (observer_) observer_(tracker_, o);
    const auto delay = tracker_.next_delay(std::uniform_real_distribution<double>(0.0, 1.0)(rng_));
    if (poked_) continue;  // poked while the questions were in flight
    wake_->expires_after(delay);
    // A poke and a real cancellation both end the wait early; a real one makes the next
    // co_await (the query) throw.
    co_await wake_->async_wait(as_tuple_awaitable);
    const asio::cancellation_state cs = co_await asio::this_coro::cancellation_state;
    if (cs.cancelled() != asio::cancellation_type::none)
      throw boost::system::system_error(asio::error::operation_aborted);
  }
}

}  // namespace promwatch::profile
