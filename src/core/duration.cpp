#include "core/duration.hpp"

#include <array>
#include <cstdint>
#include <limits>

namespace promwatch::core {
namespace {

struct unit {
  std::string_view name;
  std::int64_t ms;
};

// Order matters: Prometheus requires units from largest to smallest, each at most once.
constexpr std::array<unit, 7> units{{{"y", 365LL * 24 * 3600 * 1000},
                                     {"w", 7LL * 24 * 3600 * 1000},
                                     {"d", 24LL * 3600 * 1000},
                                     {"h", 3600LL * 1000},
                                     {"m", 60LL * 1000},
                                     {"s", 1000},
                                     {"ms", 1}}};

error invalid(std::string_view s) {
  return error{"not a valid duration string: \"" + std::string(s) + "\""};
}

}  // namespace

result<std::chrono::milliseconds> parse_duration(std::string_view s) {
  if (s == "0") return std::chrono::milliseconds{0};
  if (s.empty()) return invalid(s);
  std::int64_t total = 0;
  std::size_t next_unit = 0;
  std::size_t i = 0;
  while (i < s.size()) {
    std::int64_t n = 0;
    const std::size_t digits_start = i;
    while (i < s.size() && s[i] >= '0' && s[i] <= '9') {
      if (n > (std::numeric_limits<std::int64_t>::max() - 9) / 10) return invalid(s);
      n = n * 10 + (s[i] - '0');
      ++i;
    }
    if (i == digits_start) return invalid(s);
    // "ms" must win over "m" when both could match.
    std::size_t matched = units.size();
    for (std::size_t u = next_unit; u < units.size(); ++u) {
      const auto name = units[u].name;
      if (s.substr(i, name.size()) == name) {
        if (name == "m" && s.substr(i, 2) == "ms") continue;
        matched = u;
        break;
      }
    }
    if (matched == units.size()) return invalid(s);
    const auto ms = units[matched].ms;
    if (n > std::numeric_limits<std::int64_t>::max() / ms ||
        total > std::numeric_limits<std::int64_t>::max() - n * ms) {
      return error{"duration out of range: \"" + std::string(s) + "\""};
    }
    total += n * ms;
    i += units[matched].name.size();
    next_unit = matched + 1;
  }
  return std::chrono::milliseconds{total};
}

result<std::chrono::milliseconds> parse_flag_duration(std::string_view s) {
  auto d = parse_duration(s);
  if (!d.has_value()) return d;
  if (d.value() > max_flag_duration) {
    return error{"duration out of range: \"" + std::string(s) + "\" (at most " +
                 format_duration(max_flag_duration) + ")"};
  }
  return d;
}

std::string format_duration(std::chrono::milliseconds d) {
  std::int64_t ms = d.count();
  if (ms == 0) return "0s";
  std::string out;
  if (ms < 0) {
    out += '-';
    ms = -ms;
  }
  for (const auto& u : units) {
    if (ms >= u.ms) {
      out += std::to_string(ms / u.ms);
      out += u.name;
      ms %= u.ms;
    }
  }
  return out;
}

}  // namespace promwatch::core
