#pragma once
#include <atomic>
#include <exception>
#include <memory>
#include <optional>
#include <type_traits>
#include <utility>

#include "core/asio.hpp"

namespace promwatch::core {

namespace detail {

/// What a pool job hands back: its value, or an empty struct for `void` jobs.
struct no_value {};

template <typename R>
using offload_value = std::conditional_t<std::is_void_v<R>, no_value, R>;

/// The shared state of one offloaded job: the awaiter's handler, completed exactly once on
/// the awaiter's executor, either with the job's outcome or, when the awaiter is cancelled
/// first, with operation_aborted (the job then still runs to its end, and its outcome is
/// dropped).
template <typename V, typename Handler>
struct offload_op : std::enable_shared_from_this<offload_op<V, Handler>> {
  using executor_type = asio::associated_executor_t<Handler>;

  offload_op(Handler&& h, executor_type e)
      : handler(std::move(h)), ex(std::move(e)), guard(asio::make_work_guard(ex)) {}

  Handler handler;
  executor_type ex;
  std::optional<asio::executor_work_guard<executor_type>> guard;
  std::atomic<bool> claimed{false};

  /// On the awaiter's executor: the first caller completes the handler, later ones return.
  void complete(std::exception_ptr e, std::optional<V> v) {
    if (claimed.exchange(true)) return;
    asio::get_associated_cancellation_slot(handler).clear();
    guard.reset();
    std::move(handler)(std::move(e), std::move(v));
  }
};

template <typename V>
struct offload_initiation {
  asio::thread_pool* pool;

  template <typename Handler, typename W>
  void operator()(Handler&& handler, W work) const {
    using H = std::decay_t<Handler>;
    using op_type = offload_op<V, H>;
    auto ex = asio::get_associated_executor(handler);
    auto op = std::make_shared<op_type>(std::forward<Handler>(handler), ex);
    auto slot = asio::get_associated_cancellation_slot(op->handler);
    if (slot.is_connected()) {
      // A weak pointer: the slot is owned by the awaiter, which the op owns (no cycle).
      slot.assign([weak = std::weak_ptr<op_type>(op)](asio::cancellation_type type) {
        if ((type & (asio::cancellation_type::terminal | asio::cancellation_type::partial |
                     asio::cancellation_type::total)) == asio::cancellation_type::none) {
          return;
        }
        if (auto o = weak.lock()) {
          // Posted, not inline: the signal may be emitted from inside another handler.
          asio::post(o->ex, [o] {
            o->complete(std::make_exception_ptr(boost::system::system_error(
                            asio::error::operation_aborted, "offloaded work cancelled")),
                        std::nullopt);
          });
        }
      });
    }
    asio::post(*pool, [op = std::move(op), w = std::move(work)]() mutable {
      std::exception_ptr error;
      std::optional<V> value;
      if (!op->claimed.load()) {  // an awaiter cancelled before the job started skips it
        try {
          if constexpr (std::is_same_v<V, no_value>) {
            w();
            value.emplace();
          } else {
            value.emplace(w());
          }
        } catch (...) {
          error = std::current_exception();
        }
      }
      // Never resumes the awaiter here: its executor runs the completion.
      auto back = op->ex;
      asio::post(back, [op = std::move(op), error, value = std::move(value)]() mutable {
        op->complete(error, std::move(value));
      });
    });
  }
};

template <typename R, typename V>
awaitable<R> unwrap_offloaded(awaitable<std::optional<V>> a) {
  auto v = co_await std::move(a);
  if constexpr (!std::is_void_v<R>) {
    co_return std::move(*v);
  }
}

}  // namespace detail

/// Runs blocking `work` (walking a tree, validating a large file) on `pool` and resumes the
/// awaiting coroutine on its own executor, so the loop keeps answering meanwhile. An
/// exception from `work` is rethrown to the awaiter, on the awaiter's executor.
///
/// Survives cancellation of its awaiter (SIGTERM while a big file is being validated): the
/// awaiter then completes at once, on its own executor, with a system_error of
/// operation_aborted, while the job runs to its end on the pool and its outcome is
/// discarded (a job not yet started is skipped). Nothing ever runs the awaiter on a pool
/// thread. The pool must be joined before the awaiter's execution context is destroyed
/// (declare the pool after the io_context), since a finishing job posts back to it.
///
/// The work needs no particular stack: pool threads get the platform's default (2 MiB where
/// `ulimit -s unlimited`), and the validators walk their trees iteratively.
///
/// Takes `work` by forwarding reference and moves it straight into the operation: g++ 12
/// destroys non-trivial temporaries inside a coroutine's co_await expression twice, so
/// callers in coroutines pass a named lambda (`co_await offload(pool, std::move(job))`
/// creates no temporary of it) rather than a lambda expression.
template <typename F>
awaitable<std::invoke_result_t<std::decay_t<F>&>> offload(asio::thread_pool& pool, F&& work) {
  using R = std::invoke_result_t<std::decay_t<F>&>;
  using V = detail::offload_value<R>;
  return detail::unwrap_offloaded<R, V>(
      asio::async_initiate<const asio::use_awaitable_t<>,
                           void(std::exception_ptr, std::optional<V>)>(
          detail::offload_initiation<V>{&pool}, use_awaitable,
          std::decay_t<F>(std::forward<F>(work))));
}

}  // namespace promwatch::core
