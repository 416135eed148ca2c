#include "reload/reload_loop.hpp"

#include <exception>
#include <utility>

#include <boost/system/system_error.hpp>

namespace promwatch::reload {
namespace {

namespace experimental = asio::experimental;

awaitable<void> throw_if_cancelled() {
  const asio::cancellation_state state = co_await asio::this_coro::cancellation_state;
  if (state.cancelled() != asio::cancellation_type::none) {
    throw boost::system::system_error(asio::error::operation_aborted);
  }
}

}  // namespace

reload_loop::reload_loop(std::vector<url> targets, reload_options options,
                         core::latest_slot<reload_request>& requests, core::logger& log,
                         reload_observer observer)
    : requests_(requests), log_(log), observer_(std::move(observer)) {
  targets_.reserve(targets.size());
  for (auto& target : targets)
    targets_.emplace_back(std::move(target), options, log);
}

awaitable<void> reload_loop::run() {
  const auto ex = co_await asio::this_coro::executor;
  newer_arrived_.emplace(ex);
  for (;;) {
    // Not a conditional expression: g++ 12 mishandles temporaries around a co_await in one.
    reload_request request;
    if (pending_) {
      request = std::move(*pending_);
      pending_.reset();
    } else {
      request = co_await requests_.take();
    }
    newer_arrived_->expires_at(steady_clock::time_point::max());
    log_.info("reloading", {{"generation", request.generation},
                            {"sha256", request.sha256},
                            {"targets", targets_.size()}});
    // The collector only ends when cancelled: it runs beside the series to catch newer
    // requests, and the series ending cancels it.
    auto [order, series_error, collector_error] =
        co_await experimental::make_parallel_group(
            asio::co_spawn(ex, reload_all(request), asio::deferred),
            asio::co_spawn(ex, collect_newer(), asio::deferred))
            .async_wait(experimental::wait_for_one(), use_awaitable);
    if (series_error) std::rethrow_exception(series_error);
    co_await throw_if_cancelled();
  }
}

awaitable<void> reload_loop::collect_newer() {
  for (;;) {
    pending_ = co_await requests_.take();
    newer_arrived_->cancel();
  }
}

awaitable<void> reload_loop::reload_all(reload_request request) {
  const auto ex = co_await asio::this_coro::executor;
  // Targets run side by side so one that is down or misconfigured (retried for as long
  // as it takes) never holds back the others.
  using op = decltype(asio::co_spawn(ex, reload_target(0, request), asio::deferred));
  std::vector<op> ops;
  ops.reserve(targets_.size());
  for (std::size_t i = 0; i < targets_.size(); ++i) {
    ops.push_back(asio::co_spawn(ex, reload_target(i, request), asio::deferred));
  }
  auto [order, errors] = co_await experimental::make_parallel_group(std::move(ops))
                             .async_wait(experimental::wait_for_all(), use_awaitable);
  for (const auto& e : errors) {
    if (e) std::rethrow_exception(e);
  }
}

awaitable<void> reload_loop::reload_target(std::size_t index, reload_request request) {
  http_reloader& target = targets_[index];
  const std::string where = target.reload_url().to_string();
  if (!target.readiness_checked()) co_await target.wait_until_ready();
  const auto report = [&](const reload_result& result, bool final,
                          std::chrono::milliseconds retry_in) {
    if (observer_) observer_(reload_report{index, where, request, result, final, retry_in});
  };
  const auto result = co_await target.reload(
      [this](std::chrono::milliseconds delay) { return backoff(delay); },
      [&](const reload_result& r, std::chrono::milliseconds delay) { report(r, false, delay); });
  report(result, true, std::chrono::milliseconds{0});
}

awaitable<bool> reload_loop::backoff(std::chrono::milliseconds delay) {
  if (pending_) co_return false;
  asio::steady_timer timer(co_await asio::this_coro::executor, delay);
  co_await experimental::make_parallel_group(timer.async_wait(asio::deferred),
                                             newer_arrived_->async_wait(asio::deferred))
      .async_wait(experimental::wait_for_one(), use_awaitable);
  co_await throw_if_cancelled();
  co_return !pending_.has_value();
}

}  // namespace promwatch::reload
