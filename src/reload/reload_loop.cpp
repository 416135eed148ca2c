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
    targets_.emplace_back(http_reloader(std::move(target), options, log));
}

awaitable<void> reload_loop::run() {
  const auto ex = co_await asio::this_coro::executor;
  for (auto& t : targets_)
    t.newer.emplace(ex, steady_clock::time_point::max());
  // The dispatcher and one worker per target; none ends on its own, so whichever ends
  // first failed (or was cancelled) and takes the others with it.
  using op = decltype(asio::co_spawn(ex, dispatch(), asio::deferred));
  std::vector<op> ops;
  ops.reserve(targets_.size() + 1);
  ops.push_back(asio::co_spawn(ex, dispatch(), asio::deferred));
  for (std::size_t i = 0; i < targets_.size(); ++i)
    ops.push_back(asio::co_spawn(ex, serve_target(i), asio::deferred));
  auto [order, errors] = co_await experimental::make_parallel_group(std::move(ops))
                             .async_wait(experimental::wait_for_one(), use_awaitable);
  co_await throw_if_cancelled();
  for (const auto i : order) {
    if (errors[i]) std::rethrow_exception(errors[i]);
  }
  throw boost::system::system_error(asio::error::operation_aborted);
}

awaitable<void> reload_loop::dispatch() {
  for (;;) {
    const reload_request request = co_await requests_.take();
    log_.info("reloading", {{"generation", request.generation},
                            {"sha256", request.sha256},
                            {"targets", targets_.size()}});
    for (auto& t : targets_) {
      t.pending = request;
      t.newer->cancel();
    }
  }
}

awaitable<void> reload_loop::serve_target(std::size_t index) {
  target_state& t = targets_[index];
  const std::string where = t.reloader.reload_url().to_string();
  for (;;) {
    while (!t.pending) {
      co_await t.newer->async_wait(as_tuple_awaitable);
      co_await throw_if_cancelled();
    }
    // Requests arriving meanwhile replace `pending`: the newest is what gets reloaded.
    if (!t.reloader.readiness_checked()) co_await t.reloader.wait_until_ready();
    const reload_request request = std::move(*t.pending);
    t.pending.reset();
    const auto report = [&](const reload_result& result, bool final,
                            std::chrono::milliseconds retry_in) {
      if (observer_) observer_(reload_report{index, where, request, result, final, retry_in});
    };
    const auto result = co_await t.reloader.reload(
        [this, &t](std::chrono::milliseconds delay) { return backoff(t, delay); },
        [&](const reload_result& r, std::chrono::milliseconds delay) { report(r, false, delay); });
    report(result, true, std::chrono::milliseconds{0});
  }
}

awaitable<bool> reload_loop::backoff(target_state& t, std::chrono::milliseconds delay) {
  if (t.pending) co_return false;
  asio::steady_timer timer(co_await asio::this_coro::executor, delay);
  co_await experimental::make_parallel_group(timer.async_wait(asio::deferred),
                                             t.newer->async_wait(asio::deferred))
      .async_wait(experimental::wait_for_one(), use_awaitable);
  co_await throw_if_cancelled();
  co_return !t.pending.has_value();
}

}  // namespace promwatch::reload
