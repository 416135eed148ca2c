#pragma once
#include "cli/options.hpp"

namespace promwatch::app {

/// Runs the sidecar until SIGTERM or SIGINT: watch, validate, reload, serve endpoints.
/// Returns the process exit code (0 after a signal). Throws std::runtime_error when it
/// cannot start (the listen address is in use, no watcher can be set up); main maps that
/// to exit code 1.
int run(const cli::run_options& options);

}  // namespace promwatch::app
