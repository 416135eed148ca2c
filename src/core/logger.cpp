#include "core/logger.hpp"

#include <chrono>
#include <cstdio>
#include <ctime>

namespace promwatch::core {
namespace {

std::string utc_now() {
  const auto now = std::chrono::system_clock::now();
  const auto secs = std::chrono::system_clock::to_time_t(now);
  const auto ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count() % 1000;
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[64];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900,
                tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, static_cast<int>(ms));
  return buf;
}

void write_json_string(std::ostream& out, std::string_view s) {
  out << '"';
  for (const char c : s) {
    switch (c) {
      case '"':
        out << "\\\"";
        break;
      case '\\':
        out << "\\\\";
        break;
      case '\n':
        out << "\\n";
        break;
      case '\r':
        out << "\\r";
        break;
      case '\t':
        out << "\\t";
        break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\u%04x", c);
          out << buf;
        } else {
          out << c;
        }
    }
  }
  out << '"';
}

// logfmt quotes a value only when it has to: spaces, quotes, '=' or control characters.
void write_logfmt_value(std::ostream& out, std::string_view s) {
  bool needs_quotes = s.empty();
  for (const char c : s) {
    if (c == ' ' || c == '"' || c == '=' || c == '\\' || static_cast<unsigned char>(c) < 0x20) {
      needs_quotes = true;
      break;
    }
  }
  if (needs_quotes) {
    write_json_string(out, s);
  } else {
    out << s;
  }
}

}  // namespace

logger::logger(std::ostream& out, log_format format, log_level min_level, clock_fn clock)
    : out_(out),
      format_(format),
      min_level_(min_level),
      clock_(clock ? std::move(clock) : utc_now) {}

void logger::log(log_level level, std::string_view msg, std::initializer_list<log_field> fields) {
  if (!enabled(level)) return;
  const std::string ts = clock_();
  if (format_ == log_format::json) {
    out_ << "{\"ts\":";
    write_json_string(out_, ts);
    out_ << ",\"level\":";
    write_json_string(out_, to_string(level));
    out_ << ",\"msg\":";
    write_json_string(out_, msg);
    for (const auto& f : fields) {
      out_ << ',';
      write_json_string(out_, f.key);
      out_ << ':';
      if (f.quoted) {
        write_json_string(out_, f.value);
      } else {
        out_ << f.value;
      }
    }
    out_ << "}\n";
  } else {
    out_ << "ts=" << ts << " level=" << to_string(level) << " msg=";
    write_logfmt_value(out_, msg);
    for (const auto& f : fields) {
      out_ << ' ' << f.key << '=';
      write_logfmt_value(out_, f.value);
    }
    out_ << '\n';
  }
  out_.flush();
}

bool parse_log_level(std::string_view s, log_level& out) {
  if (s == "debug")
    out = log_level::debug;
  else if (s == "info")
    out = log_level::info;
  else if (s == "warn")
    out = log_level::warn;
  else if (s == "error")
    out = log_level::error;
  else
    return false;
  return true;
}

std::string_view to_string(log_level level) {
  switch (level) {
    case log_level::debug:
      return "debug";
    case log_level::info:
      return "info";
    case log_level::warn:
      return "warn";
    case log_level::error:
      return "error";
  }
  return "info";
}

}  // namespace promwatch::core
