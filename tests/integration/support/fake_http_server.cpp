#include "support/fake_http_server.hpp"

#include <exception>
#include <memory>
#include <tuple>

#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>

namespace promwatch::test {
namespace {

namespace http = boost::beast::http;
using tcp = asio::ip::tcp;

}  // namespace

fake_http_server::fake_http_server(asio::io_context& ioc)
    : acceptor_(ioc, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0)) {
  port_ = acceptor_.local_endpoint().port();
  asio::co_spawn(ioc, accept_loop(), asio::detached);
}

std::string fake_http_server::url(std::string_view path) const {
  return "http://127.0.0.1:" + std::to_string(port_) + std::string(path);
}

void fake_http_server::script(const std::string& path, std::vector<scripted_response> responses) {
  scripts_[path] = std::move(responses);
  served_[path] = 0;
}

std::size_t fake_http_server::count(std::string_view method, std::string_view path) const {
  std::size_t n = 0;
  for (const auto& r : requests_)
    n += r.method == method && r.target == path ? 1 : 0;
  return n;
}

scripted_response fake_http_server::next_response(const std::string& path) {
  const auto it = scripts_.find(path);
  if (it == scripts_.end() || it->second.empty()) return {404, "404 page not found\n"};
  std::size_t& n = served_[path];
  const auto& list = it->second;
  return list[std::min(n++, list.size() - 1)];
}

awaitable<void> fake_http_server::accept_loop() {
  for (;;) {
    auto [ec, socket] = co_await acceptor_.async_accept(as_tuple_awaitable);
    if (ec) co_return;
    asio::co_spawn(acceptor_.get_executor(), session(std::move(socket)), asio::detached);
  }
}

awaitable<void> fake_http_server::session(tcp::socket socket) {
  boost::beast::flat_buffer buffer;
  for (;;) {
    http::request<http::string_body> req;
    if (auto [ec, n] = co_await http::async_read(socket, buffer, req, as_tuple_awaitable); ec) {
      co_return;
    }
    const std::string path(req.target());
    requests_.push_back({std::string(req.method_string()), path, steady_clock::now()});
    const scripted_response script = next_response(path);
    asio::steady_timer timer(socket.get_executor());
    if (script.stall) {
      timer.expires_at(steady_clock::time_point::max());
      co_await timer.async_wait(as_tuple_awaitable);
      co_return;
    }
    if (script.delay.count() > 0) {
      timer.expires_after(script.delay);
      co_await timer.async_wait(as_tuple_awaitable);
    }
    http::response<http::string_body> res{static_cast<http::status>(script.status), req.version()};
    res.set(http::field::content_type, "text/plain; charset=utf-8");
    res.body() = script.body;
    res.keep_alive(req.keep_alive());
    res.prepare_payload();
    if (auto [ec, n] = co_await http::async_write(socket, res, as_tuple_awaitable); ec) co_return;
    if (!req.keep_alive()) co_return;
  }
}

bool run_bounded(asio::io_context& ioc, awaitable<void> task, std::chrono::milliseconds bound) {
  // Shared, because a task that timed out still owns the handler until `ioc` dies.
  struct outcome {
    bool done = false;
    std::exception_ptr failure;
  };
  auto state = std::make_shared<outcome>();
  asio::co_spawn(ioc, std::move(task), [state, &ioc](std::exception_ptr e) {
    state->done = true;
    state->failure = e;
    ioc.stop();
  });
  ioc.restart();
  ioc.run_for(bound);
  if (state->failure) std::rethrow_exception(state->failure);
  return state->done;
}

awaitable<void> sleep_for(std::chrono::milliseconds d) {
  asio::steady_timer timer(co_await asio::this_coro::executor, d);
  co_await timer.async_wait(use_awaitable);
}

hostile_http_server::hostile_http_server(asio::io_context& ioc, std::string prefix,
                                         std::string filler, std::size_t max_bytes)
    : acceptor_(ioc, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0)),
      prefix_(std::move(prefix)),
      filler_(std::move(filler)),
      max_bytes_(max_bytes) {
  port_ = acceptor_.local_endpoint().port();
  asio::co_spawn(ioc, accept_loop(), asio::detached);
}

std::string hostile_http_server::url(std::string_view path) const {
  return "http://127.0.0.1:" + std::to_string(port_) + std::string(path);
}

awaitable<void> hostile_http_server::accept_loop() {
  for (;;) {
    auto [ec, socket] = co_await acceptor_.async_accept(as_tuple_awaitable);
    if (ec) co_return;
    asio::co_spawn(acceptor_.get_executor(), session(std::move(socket)), asio::detached);
  }
}

awaitable<void> hostile_http_server::session(tcp::socket socket) {
  bytes_sent_ = 0;
  client_closed_ = false;
  std::string head;
  char buf[4096];
  while (head.find("\r\n\r\n") == std::string::npos && head.size() < 64 * 1024) {
    auto [ec, n] = co_await socket.async_read_some(asio::buffer(buf), as_tuple_awaitable);
    if (ec) co_return;
    head.append(buf, n);
  }
  const std::string filler = filler_.size() >= 4096 ? filler_ : [&] {
    std::string f;
    while (f.size() < 4096)
      f += filler_;
    return f;
  }();
  auto [ec, n] = co_await asio::async_write(socket, asio::buffer(prefix_), as_tuple_awaitable);
  bytes_sent_ += n;
  while (!ec && bytes_sent_ < max_bytes_) {
    std::tie(ec, n) = co_await asio::async_write(socket, asio::buffer(filler), as_tuple_awaitable);
    bytes_sent_ += n;
  }
  client_closed_ = static_cast<bool>(ec);
}

}  // namespace promwatch::test
