// The change stream against a fake watcher: no files, short real timers, every scenario
// bounded by io_context::run_for so a hang fails instead of stalling.
#include "watch/change_stream.hpp"

#include <deque>
#include <optional>
#include <sstream>

#include <doctest/doctest.h>

using namespace promwatch;
using namespace promwatch::watch;
using namespace std::chrono_literals;

namespace {

/// Hands out the batches a test pushes, waiting when there are none.
class fake_watcher final : public watcher {
 public:
  explicit fake_watcher(asio::any_io_executor ex) : wake_(std::move(ex)) {}

  void push(core::result<std::vector<event>> batch) {
    batches_.push_back(std::move(batch));
    wake_.cancel();
  }
  void push(std::vector<event> batch) { push(core::result<std::vector<event>>(std::move(batch))); }

  awaitable<core::result<std::vector<event>>> next() override {
    while (batches_.empty()) {
      wake_.expires_at(steady_clock::time_point::max());
      co_await wake_.async_wait(as_tuple_awaitable);
    }
    auto out = std::move(batches_.front());
    batches_.pop_front();
    co_return out;
  }
  std::size_t watch_count() const override { return 3; }
  std::string_view backend_name() const override { return "fake"; }

 private:
  asio::steady_timer wake_;
  std::deque<core::result<std::vector<event>>> batches_;
};

struct fixture {
  asio::io_context io{1};
  std::ostringstream log_out;
  core::logger log{log_out, core::log_format::logfmt, core::log_level::debug};
  fake_watcher* fake = nullptr;
  std::optional<change_stream> stream;

  explicit fixture(change_stream_options options = {
                       .debounce = 20ms, .max_wait = 500ms, .resync_interval = 0ms}) {
    auto w = std::make_unique<fake_watcher>(io.get_executor());
    fake = w.get();
    stream.emplace(io.get_executor(), std::move(w), options, log);
  }

  /// Runs the stream and `scenario` together; true if the scenario finished in time.
  template <typename Scenario>
  bool run(Scenario scenario) {
    bool finished = false;
    asio::co_spawn(
        io,
        [&]() -> awaitable<void> {
          auto ex = co_await asio::this_coro::executor;
          co_await asio::experimental::make_parallel_group(
              asio::co_spawn(ex, stream->run(), asio::deferred),
              asio::co_spawn(ex, scenario(), asio::deferred))
              .async_wait(asio::experimental::wait_for_one(), use_awaitable);
          finished = true;
        },
        asio::detached);
    io.run_for(3s);
    return finished;
  }

  /// The next change, or nullopt if none comes within `limit`.
  awaitable<std::optional<change>> next_within(steady_clock::duration limit) {
    auto ex = co_await asio::this_coro::executor;
    asio::steady_timer timer(ex, limit);
    auto [order, err, c, timer_ec] =
        co_await asio::experimental::make_parallel_group(
            asio::co_spawn(ex, stream->next(), asio::deferred), timer.async_wait(asio::deferred))
            .async_wait(asio::experimental::wait_for_one(), use_awaitable);
    (void)timer_ec;
    if (order[0] == 0 && !err) co_return c;
    co_return std::nullopt;
  }

  awaitable<void> sleep(steady_clock::duration d) {
    asio::steady_timer t(co_await asio::this_coro::executor, d);
    co_await t.async_wait(use_awaitable);
  }
};

}  // namespace

TEST_CASE("the first change is the initial full rescan and arrives at once") {
  fixture f;
  std::optional<change> first;
  REQUIRE(f.run([&]() -> awaitable<void> { first = co_await f.next_within(5ms); }));
  REQUIRE(first.has_value());
  CHECK(first->reason == change_reason::initial);
  CHECK(first->full_rescan);
}

TEST_CASE("a burst of event batches becomes one change after the quiet period") {
  fixture f;
  std::optional<change> got, extra;
  REQUIRE(f.run([&]() -> awaitable<void> {
    co_await f.stream->next();
    // Two batches in the same instant: timing is the coalescer's unit tests' business.
    f.fake->push({{"/d/a", event_kind::modified}});
    f.fake->push({{"/d/b", event_kind::created}, {"/d/a", event_kind::modified}});
    got = co_await f.next_within(1s);
    extra = co_await f.next_within(40ms);
  }));
  REQUIRE(got.has_value());
  CHECK(got->reason == change_reason::events);
  CHECK_FALSE(got->full_rescan);
  CHECK(got->paths == std::vector<std::string>{"/d/a", "/d/b"});
  CHECK_FALSE(extra.has_value());
  auto stats = f.stream->stats();
  CHECK(stats.events_of(event_kind::modified) == 2);
  CHECK(stats.events_of(event_kind::created) == 1);
  CHECK(stats.watches == 3);
  CHECK(stats.changes == 1);
}

TEST_CASE("a commit is delivered without waiting for the quiet period") {
  fixture f({.debounce = 2s, .max_wait = 2s, .resync_interval = 0ms});
  std::optional<change> got;
  REQUIRE(f.run([&]() -> awaitable<void> {
    co_await f.stream->next();
    f.fake->push({{"/cm/..data", event_kind::commit}});
    got = co_await f.next_within(500ms);
  }));
  REQUIRE(got.has_value());
  CHECK(got->paths == std::vector<std::string>{"/cm/..data"});
}

TEST_CASE("changes produced while the consumer is busy merge into one") {
  fixture f;
  std::optional<change> got, extra;
  bool pending_while_busy = false;
  REQUIRE(f.run([&]() -> awaitable<void> {
    co_await f.stream->next();
    f.fake->push({{"/d/a", event_kind::modified}});
    co_await f.sleep(30ms);
    f.fake->push({{"", event_kind::overflow}});
    co_await f.sleep(30ms);
    f.fake->push({{"/d/c", event_kind::removed}});
    co_await f.sleep(30ms);
    pending_while_busy = f.stream->has_pending();
    got = co_await f.next_within(10ms);
    extra = co_await f.next_within(40ms);
  }));
  CHECK(pending_while_busy);
  REQUIRE(got.has_value());
  CHECK(got->reason == change_reason::overflow);
  CHECK(got->full_rescan);
  CHECK(got->paths == std::vector<std::string>{"/d/a", "/d/c"});
  CHECK_FALSE(extra.has_value());
  CHECK(f.stream->stats().changes == 3);
  CHECK(f.stream->stats().overflows == 1);
}

TEST_CASE("a watcher failure is counted and becomes a full rescan") {
  fixture f;
  std::optional<change> got;
  REQUIRE(f.run([&]() -> awaitable<void> {
    co_await f.stream->next();
    f.fake->push(core::result<std::vector<event>>(core::error{"read failed"}));
    got = co_await f.next_within(1s);
  }));
  REQUIRE(got.has_value());
  CHECK(got->reason == change_reason::overflow);
  CHECK(got->full_rescan);
  CHECK(f.stream->stats().errors == 1);
  CHECK(f.log_out.str().find("read failed") != std::string::npos);
}

TEST_CASE("the stream keeps reading after a watcher failure") {
  fixture f;
  std::optional<change> after;
  REQUIRE(f.run([&]() -> awaitable<void> {
    co_await f.stream->next();
    f.fake->push(core::result<std::vector<event>>(core::error{"transient"}));
    f.fake->push({{"/d/after", event_kind::created}});
    co_await f.next_within(1s);  // the rescan for the failure
    after = co_await f.next_within(1s);
  }));
  REQUIRE(after.has_value());
  CHECK(after->paths == std::vector<std::string>{"/d/after"});
}

TEST_CASE("a resync is delivered after the interval passes without changes") {
  fixture f({.debounce = 10ms, .max_wait = 500ms, .resync_interval = 40ms});
  std::optional<change> got;
  REQUIRE(f.run([&]() -> awaitable<void> {
    co_await f.stream->next();
    got = co_await f.next_within(1s);
  }));
  REQUIRE(got.has_value());
  CHECK(got->reason == change_reason::resync);
  CHECK(got->full_rescan);
}

TEST_CASE("run ends with operation_aborted when it is cancelled") {
  fixture f;
  std::exception_ptr ended;
  asio::cancellation_signal stop;
  asio::co_spawn(
      f.io, f.stream->run(),
      asio::bind_cancellation_slot(stop.slot(), [&](std::exception_ptr e) { ended = e; }));
  f.io.run_for(5ms);
  stop.emit(asio::cancellation_type::terminal);
  f.io.run_for(200ms);
  REQUIRE(ended);
  try {
    std::rethrow_exception(ended);
  } catch (const boost::system::system_error& e) {
    CHECK(e.code() == asio::error::operation_aborted);
  }
}
