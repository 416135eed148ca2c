#pragma once
#include <chrono>
#include <ostream>
#include <string_view>

namespace promwatch::server {

inline constexpr std::string_view default_healthcheck_url = "http://127.0.0.1:9533/healthz";

/// `promwatch healthcheck`: one GET of `url` (default_healthcheck_url if empty), for a
/// Docker HEALTHCHECK in an image without curl. Returns 0 on a 200 answer, 1 otherwise,
/// after writing one line saying why to `err`. Only `http://` URLs with an IP address or
/// `localhost` as host: a health check of the local process must not depend on DNS.
///
/// Runs its own single-threaded io_context and blocks the caller for at most `timeout`
/// (connect, send and receive together). Never throws.
int run_healthcheck(std::string_view url, std::chrono::milliseconds timeout, std::ostream& err);

/// As above, writing the reason to std::cerr.
int run_healthcheck(std::string_view url, std::chrono::milliseconds timeout);

}  // namespace promwatch::server
