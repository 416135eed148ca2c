#include <exception>
#include <iostream>
#include <string_view>
#include <vector>

#include "app/run.hpp"
#include "cli/check.hpp"
#include "cli/options.hpp"
#include "server/healthcheck.hpp"

// Exit codes: 0 success, 1 runtime failure (or invalid files for `check`), 2 bad usage.
int main(int argc, char** argv) {
  using namespace promwatch;
  const std::vector<std::string_view> args(argv + 1, argv + argc);
  const auto parsed = cli::parse_command_line(args);
  if (parsed.has_error()) {
    std::cerr << "promwatch: " << parsed.error().message << "\n"
              << "Run 'promwatch --help' for usage.\n";
    return 2;
  }
  try {
    switch (parsed->cmd) {
      case cli::command::help:
        std::cout << cli::usage();
        return 0;
      case cli::command::version:
        std::cout << "promwatch " << PROMWATCH_VERSION << "\n";
        return 0;
      case cli::command::check:
        return cli::run_check(parsed->check_kind, parsed->check_files, std::cout, std::cerr,
                              parsed->check_profile);
      case cli::command::healthcheck:
        return server::run_healthcheck(parsed->healthcheck_url, parsed->healthcheck_timeout);
      case cli::command::run:
        return app::run(parsed->run);
    }
  } catch (const std::exception& e) {
    std::cerr << "promwatch: " << e.what() << "\n";
    return 1;
  }
  return 1;
}
