#include "reload/retry_policy.hpp"

#include <algorithm>
#include <string>

#include <boost/system/errc.hpp>

namespace promwatch::reload {
namespace {

namespace errc = boost::system::errc;

std::string trimmed(std::string_view s) {
  const auto first = s.find_first_not_of(" \t\r\n");
  if (first == std::string_view::npos) return {};
  const auto last = s.find_last_not_of(" \t\r\n");
  return std::string(s.substr(first, last - first + 1));
}

// Appends Prometheus' own words when it gave any: they often name the real cause.
std::string with_body(std::string message, std::string_view body) {
  const std::string text = trimmed(body);
  if (!text.empty()) message += " (server said: \"" + text + "\")";
  return message;
}

classification classify_transport(const boost::system::error_code& ec) {
  std::string what;
  if (ec == errc::connection_refused) {
    what = "connection refused: Prometheus is not listening there (yet)";
  } else if (ec == errc::timed_out) {
    what = "no complete answer within the attempt timeout";
  } else if (ec == errc::connection_reset) {
    what = "connection reset by the server";
  } else {
    what = "transport error: " + ec.message();
  }
  return {outcome_class::transient, std::move(what)};
}

}  // namespace

std::string_view to_string(outcome_class c) {
  switch (c) {
    case outcome_class::success:
      return "success";
    case outcome_class::transient:
      return "transient";
    case outcome_class::misconfiguration:
      return "misconfiguration";
    case outcome_class::rejected:
      return "rejected";
  }
  return "unknown";
}

classification classify(const attempt_outcome& o) {
  if (o.transport) return classify_transport(o.transport);
  const unsigned s = o.status;
  const std::string code = "HTTP " + std::to_string(s);
  if (s >= 200 && s < 300) return {outcome_class::success, code};
  switch (s) {
    case 500: {
      // Prometheus answers a failed reload with 500 "failed to reload config: <cause>";
      // the cause is the only useful part for a user, so it is the message.
      std::string text = trimmed(o.body);
      if (text.empty()) text = "Prometheus answered 500 without a message";
      return {outcome_class::rejected, code + ": " + text};
    }
    case 401:
      return {outcome_class::misconfiguration,
              with_body(code + ": the reload endpoint needs authentication", o.body)};
    case 403:
      return {outcome_class::misconfiguration,
              with_body(code + ": Prometheus refuses reloads over HTTP; start it with "
                               "--web.enable-lifecycle",
                        o.body)};
    case 404:
      return {outcome_class::misconfiguration,
              with_body(code + ": no reload endpoint at this path; check the --reload-url path "
                               "and Prometheus' --web.route-prefix",
                        o.body)};
    case 405:
      return {outcome_class::misconfiguration,
              with_body(code + ": method not allowed; the reload URL must point at /-/reload, "
                               "which takes POST",
                        o.body)};
    case 408:
    case 429:
    case 502:
    case 503:
    case 504:
      return {outcome_class::transient, with_body(code + ": not available now", o.body)};
    default:
      break;
  }
  if (s >= 300 && s < 400) {
    return {outcome_class::misconfiguration,
            code + ": redirected; point the reload URL at the final address"};
  }
  if (s >= 500 && s != 501 && s != 505) {
    // Other 5xx usually come from a proxy in front of Prometheus and pass.
    return {outcome_class::transient, with_body(code + ": server error", o.body)};
  }
  return {outcome_class::misconfiguration, with_body(code + ": unexpected answer", o.body)};
}

retry_policy::retry_policy(retry_settings settings) : settings_(settings) {}

void retry_policy::reset() {
  failures_.fill(0);
}

retry_decision retry_policy::next(outcome_class c, double jitter) {
  if (c == outcome_class::success) {
    reset();
    return {};
  }
  int& n = failures_[static_cast<std::size_t>(c)];
  ++n;
  if (c == outcome_class::rejected && n >= settings_.rejected_max_attempts) return {};

  const backoff_settings& b = c == outcome_class::transient          ? settings_.transient
                              : c == outcome_class::misconfiguration ? settings_.misconfiguration
                                                                     : settings_.rejected;
  // Multiplied step by step and clamped, so a long series cannot overflow.
  const double cap = static_cast<double>(b.cap.count());
  double base = std::min(static_cast<double>(b.initial.count()), cap);
  for (int i = 1; i < n && base < cap; ++i)
    base = std::min(base * b.multiplier, cap);

  // "Equal jitter": at least half the base, so retries still back off while spreading out.
  const double j = jitter >= 0.0 ? std::min(jitter, 1.0) : 0.0;  // NaN counts as 0
  const auto delay = static_cast<std::chrono::milliseconds::rep>(base / 2.0 + base / 2.0 * j);
  return {true, std::chrono::milliseconds{delay}};
}

}  // namespace promwatch::reload
