#include "core/offload.hpp"

#include <atomic>
#include <future>
#include <stdexcept>
#include <thread>

#include <doctest/doctest.h>

namespace asio = boost::asio;
using promwatch::awaitable;
using promwatch::core::offload;

namespace {

/// Waits on the loop (without blocking it) until `flag` is set.
awaitable<void> wait_for(std::atomic<bool>& flag) {
  asio::steady_timer timer(co_await asio::this_coro::executor);
  while (!flag.load()) {
    timer.expires_after(std::chrono::milliseconds(1));
    co_await timer.async_wait(asio::use_awaitable);
  }
}

}  // namespace

TEST_CASE("offloaded work delivers its value and its exception on the awaiter's executor") {
  asio::io_context ioc;
  asio::thread_pool pool(1);
  const auto loop_thread = std::this_thread::get_id();
  std::thread::id job_thread;
  int value = 0;
  bool rethrown = false;
  bool resumed_on_loop = true;
  asio::co_spawn(
      ioc,
      [&]() -> awaitable<void> {
        auto job = [&] {
          job_thread = std::this_thread::get_id();
          return 42;
        };
        value = co_await offload(pool, std::move(job));
        resumed_on_loop = resumed_on_loop && std::this_thread::get_id() == loop_thread;
        auto failing = []() -> int { throw std::runtime_error("boom"); };
        try {
          co_await offload(pool, std::move(failing));
        } catch (const std::runtime_error& e) {
          rethrown = std::string(e.what()) == "boom";
        }
        resumed_on_loop = resumed_on_loop && std::this_thread::get_id() == loop_thread;
        auto nothing = [] {};
        co_await offload(pool, std::move(nothing));
        resumed_on_loop = resumed_on_loop && std::this_thread::get_id() == loop_thread;
      },
      asio::detached);
  ioc.run();
  pool.join();
  CHECK(value == 42);
  CHECK(job_thread != loop_thread);
  CHECK(rethrown);
  CHECK(resumed_on_loop);
}

TEST_CASE("cancelling the awaiter mid-job aborts it on its executor; the job ends, discarded") {
  // Issue 8, #2: the cancelled coroutine used to resume on the pool thread and throw there
  // (std::terminate). Now it completes with operation_aborted on the loop at once.
  asio::io_context ioc;
  asio::thread_pool pool(1);
  const auto loop_thread = std::this_thread::get_id();
  asio::cancellation_signal cancel;
  std::atomic<bool> started{false};
  std::atomic<bool> finished{false};
  std::promise<void> release;
  auto released = release.get_future().share();
  int aborted = 0;
  int completed = 0;
  bool aborted_on_loop = false;
  std::exception_ptr escaped;

  asio::co_spawn(
      ioc,
      [&]() -> awaitable<void> {
        auto job = [&, released] {
          started = true;
          released.wait();
          finished = true;
          return 7;
        };
        try {
          co_await offload(pool, std::move(job));
          ++completed;
        } catch (const boost::system::system_error& e) {
          if (e.code() == asio::error::operation_aborted) ++aborted;
          aborted_on_loop = std::this_thread::get_id() == loop_thread;
        }
        release.set_value();  // only now may the job finish: the abort did not wait for it
      },
      asio::bind_cancellation_slot(cancel.slot(), [&](std::exception_ptr e) { escaped = e; }));
  asio::co_spawn(
      ioc,
      [&]() -> awaitable<void> {
        co_await wait_for(started);
        cancel.emit(asio::cancellation_type::terminal);
      },
      asio::detached);
  ioc.run();
  pool.join();
  ioc.restart();
  ioc.run();  // the finished job's discarded outcome
  CHECK(aborted == 1);
  CHECK(completed == 0);
  CHECK(aborted_on_loop);
  CHECK(finished);
  CHECK_FALSE(escaped);
}

TEST_CASE("an offload raced against a timer with || is cancelled cleanly") {
  using namespace boost::asio::experimental::awaitable_operators;
  asio::io_context ioc;
  asio::thread_pool pool(1);
  std::promise<void> release;
  auto released = release.get_future().share();
  std::atomic<bool> finished{false};
  bool timer_won = false;
  asio::co_spawn(
      ioc,
      [&]() -> awaitable<void> {
        auto job = [&, released] {
          released.wait();
          finished = true;
          return 1;
        };
        asio::steady_timer timer(co_await asio::this_coro::executor, std::chrono::milliseconds(5));
        auto r = co_await (offload(pool, std::move(job)) || timer.async_wait(asio::use_awaitable));
        timer_won = r.index() == 1;
        release.set_value();
      },
      asio::detached);
  ioc.run();
  pool.join();
  CHECK(timer_won);
  CHECK(finished);
}

TEST_CASE("a job whose awaiter is cancelled before it starts is skipped") {
  asio::io_context ioc;
  asio::thread_pool pool(1);
  asio::cancellation_signal cancel;
  std::promise<void> release;
  auto released = release.get_future().share();
  std::atomic<bool> blocker_started{false};
  std::atomic<bool> second_ran{false};
  int aborted = 0;
  auto blocker = [&, released] {
    blocker_started = true;
    released.wait();
  };
  asio::post(pool, blocker);  // occupies the only pool thread
  asio::co_spawn(
      ioc,
      [&]() -> awaitable<void> {
        auto job = [&] { second_ran = true; };
        try {
          co_await offload(pool, std::move(job));
        } catch (const boost::system::system_error& e) {
          if (e.code() == asio::error::operation_aborted) ++aborted;
        }
        release.set_value();
      },
      asio::bind_cancellation_slot(cancel.slot(), asio::detached));
  asio::co_spawn(
      ioc,
      [&]() -> awaitable<void> {
        co_await wait_for(blocker_started);
        cancel.emit(asio::cancellation_type::terminal);
      },
      asio::detached);
  ioc.run();
  pool.join();
  CHECK(aborted == 1);
  CHECK_FALSE(second_ran);
}
