#pragma once
#include <chrono>
#include <cstddef>

#include "core/asio.hpp"
#include "core/logger.hpp"
#include "server/router.hpp"

namespace promwatch::server {

/// Limits and deadlines of the HTTP server. The defaults suit a sidecar scraped by
/// Prometheus and probed by a kubelet: small requests, few clients.
struct serve_options {
  /// Time allowed to receive one whole request (header and body), counted from when the
  /// server starts waiting for it; it also bounds an idle keep-alive connection. A client
  /// that trickles bytes (slowloris) is closed when it runs out.
  std::chrono::milliseconds read_timeout{10'000};
  /// Time a connection may sit without sending the first byte of a request (a fresh one or
  /// a keep-alive one between requests); then it is closed, so idle sockets cannot pile up.
  std::chrono::milliseconds idle_timeout{5'000};
  /// Time allowed to send one response.
  std::chrono::milliseconds write_timeout{10'000};
  /// Request line plus header fields; more is answered with 431 and the connection closed.
  std::size_t max_header_bytes = 8 * 1024;
  /// No endpoint takes a body; a larger one is answered with 413 and the connection closed.
  std::size_t max_body_bytes = 0;
  /// Chunked framing: chunk-size lines with their extensions, and trailers, may take this
  /// much in total per request; more closes the connection (after a 400 or 431).
  std::size_t max_chunk_framing_bytes = 8 * 1024;
  /// At this many connections a new one evicts the oldest idle connection (one waiting for
  /// a request); when none is idle the new one is closed at once, so a flood can exhaust
  /// neither memory nor fds and probes still get through idle floods.
  std::size_t max_connections = 128;
  /// How long serve() waits for its sessions to end after it was cancelled.
  std::chrono::milliseconds shutdown_timeout{2'000};
};

/// Opens, binds and listens on `ep` (SO_REUSEADDR so a restart does not trip over
/// TIME_WAIT). Throws std::runtime_error when that fails, e.g.
/// "listen on 127.0.0.1:9533: address already in use": the server cannot run then.
/// With port 0, `acceptor.local_endpoint().port()` tells the port the kernel chose.
asio::ip::tcp::acceptor open_acceptor(const asio::any_io_executor& ex,
                                      const asio::ip::tcp::endpoint& ep);

/// Accepts connections until cancelled and serves each with `routes`, HTTP/1.1 with
/// keep-alive (`Connection: close` and HTTP/1.0 are honoured). Each connection runs as a
/// session coroutine owned by serve(): when serve() is cancelled (e.g. by a parallel_group)
/// it closes the acceptor and every session's socket and waits for the sessions to finish,
/// at most `shutdown_timeout`, then returns normally. Accept errors (e.g. out of file
/// descriptors) are logged and retried after a pause, never busy-looping.
///
/// Executor: the acceptor's; `log` must outlive serve() and its sessions (the sessions end
/// before serve() returns unless they exceed `shutdown_timeout`, which closed sockets make
/// practically impossible).
awaitable<void> serve(asio::ip::tcp::acceptor acceptor, router routes, core::logger& log,
                      serve_options options = {});

}  // namespace promwatch::server
