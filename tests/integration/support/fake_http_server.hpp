#pragma once
#include <chrono>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "core/asio.hpp"

namespace promwatch::test {

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

/// A hostile loopback peer: for each connection it reads the request head, then writes
/// `prefix` followed by `filler` over and over, until the client closes the connection
/// (a write fails) or `max_bytes` went out. For bounds tests: an endless chunk extension
/// or trailer, e.g. prefix "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n0;"
/// and filler "aaaa...". Runs on the given io_context's thread.
class hostile_http_server {
 public:
  hostile_http_server(asio::io_context& ioc, std::string prefix, std::string filler,
                      std::size_t max_bytes = 256 * 1024 * 1024);

  unsigned short port() const { return port_; }
  std::string url(std::string_view path) const;
  /// Bytes written to the last connection so far.
  std::size_t bytes_sent() const { return bytes_sent_; }
  /// The last connection's client closed it (a write failed) before `max_bytes`.
  bool client_closed() const { return client_closed_; }

 private:
  awaitable<void> accept_loop();
  awaitable<void> session(asio::ip::tcp::socket socket);

  asio::ip::tcp::acceptor acceptor_;
  unsigned short port_ = 0;
  std::string prefix_;
  std::string filler_;
  std::size_t max_bytes_;
  std::size_t bytes_sent_ = 0;
  bool client_closed_ = false;
};

/// Runs `task` on `ioc` until it ends (then stops `ioc`) or `bound` passes. Returns false
/// on timeout, so a hang fails the test instead of stalling it; rethrows the task's
/// exception.
bool run_bounded(asio::io_context& ioc, awaitable<void> task, std::chrono::milliseconds bound);

/// Suspends the calling coroutine for `d`.
awaitable<void> sleep_for(std::chrono::milliseconds d);

}  // namespace promwatch::test
