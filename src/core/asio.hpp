#pragma once
// The one place that pulls in Asio as a whole; components include this instead of
// <boost/asio.hpp> so the aliases below are spelled the same everywhere.
#include <boost/asio.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/experimental/parallel_group.hpp>

namespace promwatch {
namespace asio = boost::asio;
using boost::system::error_code;

template <typename T = void>
using awaitable = asio::awaitable<T>;
using asio::use_awaitable;

/// Completion token that turns errors into values: `auto [ec, n] = co_await
/// op(as_tuple_awaitable)`.
inline constexpr auto as_tuple_awaitable = asio::as_tuple(asio::use_awaitable);

using steady_clock = std::chrono::steady_clock;
using std::chrono::milliseconds;
using std::chrono::seconds;
}  // namespace promwatch
