#include "support/prometheus_process.hpp"

#include <cstdlib>
#include <cstring>
#include <deque>
#include <fcntl.h>
#include <fstream>
#include <signal.h>
#include <spawn.h>
#include <stdexcept>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>
#include <vector>

#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>

#include "core/asio.hpp"
#include "support/child_process.hpp"
#include "support/fake_http_server.hpp"

extern char** environ;

namespace promwatch::test {
namespace {

namespace beast = boost::beast;
namespace http = beast::http;
using namespace std::chrono_literals;

// A whole exchange on a private io_context, so the 10s deadline bounds it.
http_reply blocking_request(unsigned short port, std::string_view method, std::string_view path,
                            std::chrono::milliseconds timeout) {
  asio::io_context ioc;
  http_reply reply;
  error_code failure;
  asio::co_spawn(
      ioc,
      [&]() -> awaitable<void> {
        beast::tcp_stream stream(ioc);
        stream.expires_after(timeout);
        const asio::ip::tcp::endpoint ep(asio::ip::make_address("127.0.0.1"), port);
        if (auto [ec] = co_await stream.async_connect(ep, as_tuple_awaitable); ec) {
          failure = ec;
          co_return;
        }
        http::request<http::empty_body> req{http::string_to_verb(method), std::string(path), 11};
        req.set(http::field::host, "127.0.0.1:" + std::to_string(port));
        req.keep_alive(false);
        if (req.method() == http::verb::post || req.method() == http::verb::put) {
          req.content_length(0);
        }
        if (auto [ec, n] = co_await http::async_write(stream, req, as_tuple_awaitable); ec) {
          failure = ec;
          co_return;
        }
        beast::flat_buffer buffer;
        http::response_parser<http::string_body> parser;
        parser.body_limit(256 * 1024 * 1024);
        if (auto [ec, n] = co_await http::async_read(stream, buffer, parser, as_tuple_awaitable);
            ec) {
          failure = ec;
          co_return;
        }
        reply.status = parser.get().result_int();
        reply.body = std::move(parser.get().body());
      },
      asio::detached);
  ioc.run();
  if (failure) {
    throw std::runtime_error(std::string(method) + " " + std::string(path) + ": " +
                             failure.message());
  }
  return reply;
}

}  // namespace

bool prometheus_available() {
  return ::access(prometheus_binary, X_OK) == 0;
}

prometheus_process::prometheus_process(prometheus_options options) {
  std::string pattern = (std::filesystem::temp_directory_path() / "promwatch-prom-XXXXXX").string();
  if (::mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
  dir_ = pattern;
  try {
    start(options);
    wait_ready(options.ready_timeout);
  } catch (...) {
    stop();
    throw;
  }
}

prometheus_process::~prometheus_process() {
  stop();
}

std::string prometheus_process::url(std::string_view path) const {
  return "http://127.0.0.1:" + std::to_string(port_) + std::string(path);
}

void prometheus_process::write_file(const std::string& relative, std::string_view content) const {
  const auto path = dir() / relative;
  std::filesystem::create_directories(path.parent_path());
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << content;
  if (!out.flush()) throw std::runtime_error("cannot write " + path.string());
}

std::string prometheus_process::log_tail(std::size_t lines) const {
  std::ifstream in(log_path());
  std::deque<std::string> tail;
  for (std::string line; std::getline(in, line);) {
    tail.push_back(std::move(line));
    if (tail.size() > lines) tail.pop_front();
  }
  std::string out;
  for (const auto& l : tail)
    out += l + '\n';
  return out;
}

void prometheus_process::start(const prometheus_options& options) {
  binary_ = options.binary;
  config_file_ = options.config_file;
  if (config_file_.empty()) write_file("prometheus.yml", options.config_yaml);
  for (const auto& [name, content] : options.files)
    write_file(name, content);
  std::filesystem::create_directories(dir_ / "data");
  // Free now; another process could take it before Prometheus binds, which then shows
  // up as a start failure with "address already in use" in the log tail.
  port_ = options.port != 0 ? options.port : free_port();

  std::vector<std::string> args = {
      binary_.string(),
      "--config.file=" + config_path().string(),
      "--storage.tsdb.path=" + (dir_ / "data").string(),
      "--web.listen-address=127.0.0.1:" + std::to_string(port_),
  };
  if (options.enable_lifecycle) args.push_back("--web.enable-lifecycle");
  args.insert(args.end(), options.extra_args.begin(), options.extra_args.end());
  std::vector<char*> argv;
  for (auto& a : args)
    argv.push_back(a.data());
  argv.push_back(nullptr);

  const std::string log_file = log_path().string();
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&actions, 1, log_file.c_str(), O_WRONLY | O_CREAT | O_TRUNC,
                                   0644);
  posix_spawn_file_actions_adddup2(&actions, 1, 2);
  const int rc = posix_spawn(&pid_, binary_.c_str(), &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  if (rc != 0) {
    pid_ = -1;
    throw std::runtime_error("cannot start " + binary_.string() + ": " + std::strerror(rc));
  }
}

void prometheus_process::wait_ready(std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    int status = 0;
    if (::waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      throw std::runtime_error("prometheus exited (status " + std::to_string(status) +
                               ") before it was ready; log tail:\n" + log_tail());
    }
    try {
      if (blocking_request(port_, "GET", "/-/ready", 1s).status == 200) return;
    } catch (const std::runtime_error&) {
      // Not listening yet.
    }
    std::this_thread::sleep_for(50ms);
  }
  throw std::runtime_error("prometheus not ready within " + std::to_string(timeout.count()) +
                           "ms; log tail:\n" + log_tail());
}

void prometheus_process::stop() noexcept {
  if (pid_ > 0) {
    ::kill(pid_, SIGTERM);
    int status = 0;
    bool reaped = false;
    for (int i = 0; i < 1000 && !reaped; ++i) {
      reaped = ::waitpid(pid_, &status, WNOHANG) == pid_;
      if (!reaped) std::this_thread::sleep_for(10ms);
    }
    if (!reaped) {
      ::kill(pid_, SIGKILL);
      ::waitpid(pid_, &status, 0);
    }
    pid_ = -1;
  }
  std::error_code ignored;
  if (!dir_.empty()) std::filesystem::remove_all(dir_, ignored);
}

http_reply prometheus_process::request(std::string_view method, std::string_view path) const {
  return blocking_request(port_, method, path, 10s);
}

std::string prometheus_process::get(std::string_view path) const {
  auto reply = request("GET", path);
  if (reply.status != 200) {
    throw std::runtime_error("GET " + std::string(path) + " answered " +
                             std::to_string(reply.status) + ": " + reply.body);
  }
  return std::move(reply.body);
}

}  // namespace promwatch::test
