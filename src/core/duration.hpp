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

/// Formats like Prometheus (`1h30m`, `250ms`, `0s`).
std::string format_duration(std::chrono::milliseconds d);

}  // namespace promwatch::core
