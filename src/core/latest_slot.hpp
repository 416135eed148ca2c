#pragma once
#include <optional>
#include <utility>

#include "core/asio.hpp"

namespace promwatch::core {

/// A one-value mailbox where the newest value wins: `put` overwrites whatever is waiting
/// and wakes the taker. It is how "single flight, latest wins" is built: the producer
/// never blocks, and the consumer only ever sees the newest request.
///
/// Executor: use from the loop's one thread. `take` is cancellable (parallel_group or a
/// cancellation slot); on cancellation it throws `operation_aborted` like any Asio wait.
template <typename T>
class latest_slot {
 public:
  explicit latest_slot(const asio::any_io_executor& ex) : wake_(ex) {}

  void put(T value) {
    value_ = std::move(value);
    wake_.cancel();
  }

  bool has_value() const { return value_.has_value(); }

  /// Waits until a value is present and removes it.
  awaitable<T> take() {
    while (!value_) {
      wake_.expires_at(steady_clock::time_point::max());
      // A wake-up by `put` and a real cancellation both end the wait with operation_aborted;
      // a real one makes the next co_await throw, so the loop just re-checks.
      co_await wake_.async_wait(as_tuple_awaitable);
    }
    T out = std::move(*value_);
    value_.reset();
    co_return out;
  }

  /// Takes a value if one is waiting, without suspending.
  std::optional<T> try_take() { return std::exchange(value_, std::nullopt); }

 private:
  asio::steady_timer wake_;
  std::optional<T> value_;
};

}  // namespace promwatch::core
