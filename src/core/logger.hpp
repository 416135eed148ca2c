#pragma once
#include <concepts>
#include <functional>
#include <initializer_list>
#include <ostream>
#include <string>
#include <string_view>

namespace promwatch::core {

enum class log_level { debug, info, warn, error };
enum class log_format { logfmt, json };

/// One key=value pair of a log line. Numbers and booleans are written bare in JSON.
struct log_field {
  std::string_view key;
  std::string value;
  bool quoted = true;

  log_field(std::string_view k, std::string_view v) : key(k), value(v) {}
  log_field(std::string_view k, const std::string& v) : key(k), value(v) {}
  log_field(std::string_view k, const char* v) : key(k), value(v) {}
  log_field(std::string_view k, bool v) : key(k), value(v ? "true" : "false"), quoted(false) {}
  template <typename N>
  requires(std::integral<N> || std::floating_point<N>) &&
      (!std::same_as<N, bool>)log_field(std::string_view k, N v)
      : key(k),
  value(std::to_string(v)), quoted(false) {}
};

/// Structured logger writing one line per record (logfmt or JSON) to a stream it does not
/// own. Passed by reference to every component; there is no global logger. Not
/// thread-safe: use it from the event loop's thread only.
class logger {
 public:
  using clock_fn = std::function<std::string()>;

  logger(std::ostream& out, log_format format, log_level min_level, clock_fn clock = {});

  void log(log_level level, std::string_view msg, std::initializer_list<log_field> fields = {});
  void debug(std::string_view msg, std::initializer_list<log_field> f = {}) {
    log(log_level::debug, msg, f);
  }
  void info(std::string_view msg, std::initializer_list<log_field> f = {}) {
    log(log_level::info, msg, f);
  }
  void warn(std::string_view msg, std::initializer_list<log_field> f = {}) {
    log(log_level::warn, msg, f);
  }
  void error(std::string_view msg, std::initializer_list<log_field> f = {}) {
    log(log_level::error, msg, f);
  }

  bool enabled(log_level level) const { return level >= min_level_; }

 private:
  std::ostream& out_;
  log_format format_;
  log_level min_level_;
  clock_fn clock_;
};

/// `debug|info|warn|error` → level; used by the command line.
bool parse_log_level(std::string_view s, log_level& out);
std::string_view to_string(log_level level);

}  // namespace promwatch::core
