#pragma once
#include <chrono>
#include <string>
#include <string_view>

#include "core/error.hpp"

namespace promwatch::core {

/// Parses a Prometheus duration (`1h30m`, `250ms`, `0`): units y w d h m s ms in that
/// order, each at most once, as Prometheus' model.ParseDuration does. Units are
/// case-sensitive; `1y` is 365 days. Errors carry a message naming the input.
result<std::chrono::milliseconds> parse_duration(std::string_view s);

/// The largest duration a flag of promwatch itself accepts (a year): any steady or system
/// clock time point plus it stays far inside the clocks' range.
inline constexpr std::chrono::milliseconds max_flag_duration{365LL * 24 * 3600 * 1000};

/// parse_duration() for promwatch's own flags (`--reload-timeout=30s`): the same syntax,
/// bounded by max_flag_duration, so `300y` is an error rather than a time_point overflow.
/// Rule files keep parse_duration()'s range, which is Prometheus'.
result<std::chrono::milliseconds> parse_flag_duration(std::string_view s);

/// Formats like Prometheus (`1h30m`, `250ms`, `0s`).
std::string format_duration(std::chrono::milliseconds d);

}  // namespace promwatch::core
