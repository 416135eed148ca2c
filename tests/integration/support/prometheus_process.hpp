#pragma once
#include <chrono>
#include <filesystem>
#include <map>
#include <string>
#include <string_view>
#include <sys/types.h>
#include <vector>

namespace promwatch::test {

inline constexpr const char* prometheus_binary = "/usr/bin/prometheus";

/// True when the real Prometheus is installed; tests that need it skip otherwise.
bool prometheus_available();

struct prometheus_options {
  /// The server to run; other versions come from find_reference() (support/reference_tools.hpp).
  std::filesystem::path binary = prometheus_binary;
  /// Written to `<dir>/prometheus.yml` before start.
  std::string config_yaml = "global:\n  scrape_interval: 15s\n";
  /// More files to write first, relative to the temp dir (rule files, file_sd files).
  std::map<std::string, std::string> files;
  bool enable_lifecycle = true;
  /// More command-line flags, e.g. "--enable-feature=promql-experimental-functions".
  std::vector<std::string> extra_args;
  /// When set, Prometheus reads this config file instead of `<dir>/prometheus.yml` (e.g. a
  /// directory promwatch publishes into); `config_yaml` is then not written.
  std::filesystem::path config_file{};
  /// 0 picks a free port.
  unsigned short port = 0;
  std::chrono::milliseconds ready_timeout{30'000};
};

/// The answer to a blocking test request.
struct http_reply {
  unsigned status = 0;
  std::string body;
};

/// A real Prometheus in a temp dir on 127.0.0.1:<free port>, for end-to-end tests.
/// The constructor writes the files, starts the process (stdout and stderr to
/// `<dir>/prometheus.log`) and waits for `/-/ready`; it throws std::runtime_error with the
/// log's tail if the process exits or is not ready in time. The destructor sends SIGTERM,
/// then SIGKILL after 10s, reaps the process and removes the temp dir.
/// Blocking by design: test code only, never on an event loop.
class prometheus_process {
 public:
  explicit prometheus_process(prometheus_options options = {});
  ~prometheus_process();
  prometheus_process(const prometheus_process&) = delete;
  prometheus_process& operator=(const prometheus_process&) = delete;

  unsigned short port() const { return port_; }
  /// `http://127.0.0.1:<port><path>`.
  std::string url(std::string_view path) const;
  /// The config directory: prometheus.yml and the `files`. Prometheus' data and log live
  /// outside it, so watching it sees only configuration changes.
  std::filesystem::path dir() const { return dir_ / "config"; }
  std::filesystem::path config_path() const {
    return config_file_.empty() ? dir() / "prometheus.yml" : config_file_;
  }
  std::filesystem::path log_path() const { return dir_ / "prometheus.log"; }

  /// Writes (replaces) a file relative to the config directory.
  void write_file(const std::string& relative, std::string_view content) const;
  /// The last `lines` lines of Prometheus' log.
  std::string log_tail(std::size_t lines = 40) const;

  /// GET `path`; throws std::runtime_error unless the answer is 200. Bodies are unbounded
  /// (fine for /metrics and /api/v1/*); each request has a 10s socket timeout.
  std::string get(std::string_view path) const;
  /// Any method; returns whatever status came back. Throws on transport errors.
  http_reply request(std::string_view method, std::string_view path) const;

 private:
  void start(const prometheus_options& options);
  void wait_ready(std::chrono::milliseconds timeout);
  void stop() noexcept;

  std::filesystem::path dir_;
  unsigned short port_ = 0;
  std::filesystem::path config_file_;
  std::filesystem::path binary_;
  pid_t pid_ = -1;
};

}  // namespace promwatch::test
