#pragma once
#include <chrono>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "core/asio.hpp"

namespace promwatch::testing {

/// One scripted answer. `stall` never answers (the connection stays open until the
/// server's io_context ends); `delay` answers late.
struct scripted_response {
  unsigned status = 200;
  std::string body;
  std::chrono::milliseconds delay{0};
  bool stall = false;
};

/// An answer that never comes.
inline scripted_response stalled() {
  scripted_response r;
  r.stall = true;
  return r;
}

/// An answer `delay` late.
inline scripted_response delayed(unsigned status, std::chrono::milliseconds delay) {
  scripted_response r;
  r.status = status;
  r.delay = delay;
  return r;
}

struct recorded_request {
  std::string method;
  std::string target;
  steady_clock::time_point at;
};

/// A loopback HTTP/1.1 server for fault injection: listens on 127.0.0.1:0, answers each
/// path from its script (in order, the last entry repeating; unscripted paths get 404),
/// and records every request when it arrives. Runs on the given io_context's thread; its
/// coroutines point at it, so it must outlive every `run` of that io_context.
class fake_http_server {
 public:
  explicit fake_http_server(asio::io_context& ioc);

  unsigned short port() const { return port_; }
  /// `http://127.0.0.1:<port><path>`.
  std::string url(std::string_view path) const;

  void script(const std::string& path, std::vector<scripted_response> responses);
  const std::vector<recorded_request>& requests() const { return requests_; }
  /// Requests received so far with this method and path.
  std::size_t count(std::string_view method, std::string_view path) const;

 private:
  awaitable<void> accept_loop();
  awaitable<void> session(asio::ip::tcp::socket socket);
  scripted_response next_response(const std::string& path);

  asio::ip::tcp::acceptor acceptor_;
  unsigned short port_ = 0;
  std::map<std::string, std::vector<scripted_response>> scripts_;
  std::map<std::string, std::size_t> served_;
  std::vector<recorded_request> requests_;
};

/// A loopback port nobody listens on (bound, then closed), for connection-refused tests.
unsigned short unused_port();

/// Runs `task` on `ioc` until it ends (then stops `ioc`) or `bound` passes. Returns false
/// on timeout, so a hang fails the test instead of stalling it; rethrows the task's
/// exception.
bool run_bounded(asio::io_context& ioc, awaitable<void> task, std::chrono::milliseconds bound);

/// Suspends the calling coroutine for `d`.
awaitable<void> sleep_for(std::chrono::milliseconds d);

}  // namespace promwatch::testing
