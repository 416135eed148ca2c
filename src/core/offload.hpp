#pragma once
#include <type_traits>
#include <utility>

#include "core/asio.hpp"

namespace promwatch::core {

/// Runs blocking `work` (walking a tree, validating a large file) on `pool` and resumes the
/// awaiting coroutine on its own executor, so the loop keeps answering meanwhile. An
/// exception from `work` is rethrown to the awaiter.
///
/// Takes `work` by forwarding reference and moves it straight into co_spawn's frame: g++ 12
/// destroys non-trivial temporaries inside a coroutine's co_await expression twice, so
/// callers in coroutines pass a named lambda (`co_await offload(pool, std::move(job))`
/// creates no temporary of it) rather than a lambda expression.
template <typename F>
awaitable<std::invoke_result_t<std::decay_t<F>&>> offload(asio::thread_pool& pool, F&& work) {
  using R = std::invoke_result_t<std::decay_t<F>&>;
  return asio::co_spawn(
      pool, [w = std::forward<F>(work)]() mutable -> awaitable<R> { co_return w(); },
      use_awaitable);
}

}  // namespace promwatch::core
