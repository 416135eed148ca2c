#include "support/http_get.hpp"

#include <sstream>

#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include "core/asio.hpp"

namespace promwatch::test {

http_answer http_get(int port, std::string_view target, std::chrono::milliseconds timeout) {
  namespace beast = boost::beast;
  namespace http = beast::http;
  asio::io_context io;
  beast::tcp_stream stream(io);
  http_answer out;
  stream.expires_after(timeout);
  const asio::ip::tcp::endpoint ep(asio::ip::make_address("127.0.0.1"),
                                   static_cast<unsigned short>(port));
  stream.async_connect(ep, [&](error_code ec) {
    if (ec) return;
    auto req = std::make_shared<http::request<http::empty_body>>(http::verb::get, target, 11);
    req->set(http::field::host, "127.0.0.1");
    req->set(http::field::connection, "close");
    http::async_write(stream, *req, [&, req](error_code wec, std::size_t) {
      if (wec) return;
      auto buf = std::make_shared<beast::flat_buffer>();
      auto res = std::make_shared<http::response<http::string_body>>();
      http::async_read(stream, *buf, *res, [&, buf, res](error_code rec, std::size_t) {
        if (rec) return;
        out.status = static_cast<int>(res->result_int());
        out.body = std::move(res->body());
      });
    });
  });
  io.run();
  return out;
}

double metric_value(std::string_view exposition, std::string_view series) {
  std::istringstream in{std::string(exposition)};
  std::string line;
  while (std::getline(in, line)) {
    if (line.starts_with(series) && line.size() > series.size() && line[series.size()] == ' ') {
      return std::stod(line.substr(series.size() + 1));
    }
  }
  return -1;
}

}  // namespace promwatch::test
