#pragma once
#include <chrono>
#include <string>
#include <string_view>

namespace promwatch::test {

struct http_answer {
  int status = 0;  // 0: no answer (refused, timeout)
  std::string body;
};

/// A blocking GET to 127.0.0.1:port, for test code only; bounded by `timeout`.
http_answer http_get(int port, std::string_view target,
                     std::chrono::milliseconds timeout = std::chrono::seconds(5));

/// The value of the first sample of `name` (with the exact label set text, e.g.
/// `promwatch_validation_failures_total{kind="rules"}`) in a text exposition; -1 if absent.
double metric_value(std::string_view exposition, std::string_view series);

}  // namespace promwatch::test
