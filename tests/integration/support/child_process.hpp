#pragma once
#include <chrono>
#include <filesystem>
#include <optional>
#include <string>
#include <unistd.h>
#include <vector>

namespace promwatch::test {

/// A program started for a test, its stdout and stderr going to a log file. The destructor
/// kills it (SIGKILL) if it is still running, so a failing test leaves nothing behind.
class child_process {
 public:
  child_process(const std::string& program, const std::vector<std::string>& args,
                const std::filesystem::path& log_file);
  ~child_process();
  child_process(const child_process&) = delete;
  child_process& operator=(const child_process&) = delete;

  int pid() const { return pid_; }
  /// Sends a signal; then `wait_exit` collects the status.
  void signal(int signo) const;
  /// The exit code (or 128+signal) if the process ended within `timeout`.
  std::optional<int> wait_exit(std::chrono::milliseconds timeout);
  bool running();
  std::string log() const;

 private:
  int pid_ = -1;
  std::optional<int> exit_code_;
  std::filesystem::path log_file_;
};

/// Polls `pred` every 20ms until it returns true or `timeout` passes; returns the last value.
template <typename Pred>
bool eventually(Pred pred, std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    if (pred()) return true;
    ::usleep(20000);
  }
  return pred();
}

/// A port on 127.0.0.1 that was free a moment ago (bound, then closed): for servers under
/// test, and for connection-refused cases.
unsigned short free_port();

/// A temporary directory removed with everything in it at the end of the scope.
struct temp_dir {
  std::filesystem::path path;
  temp_dir();
  ~temp_dir();
  temp_dir(const temp_dir&) = delete;
  temp_dir& operator=(const temp_dir&) = delete;
};

void write_file(const std::filesystem::path& p, std::string_view content);
std::string read_file(const std::filesystem::path& p);

/// Runs a shell command (`sh -c`) to its end and returns what it wrote to stdout, and to
/// stderr too unless `with_stderr` is false (for a command that redirects stderr itself).
std::string run_shell(const std::string& command, bool with_stderr = true);

/// `s` as one single-quoted shell word.
std::string shell_quote(const std::string& s);

}  // namespace promwatch::test
