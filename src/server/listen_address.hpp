#pragma once
#include <string>
#include <string_view>

#include "core/asio.hpp"
#include "core/error.hpp"

namespace promwatch::server {

/// Parses `--listen-address` into an endpoint without any name resolution:
/// `:9533` (all IPv4 interfaces, 0.0.0.0, as an empty host means in Prometheus' flags),
/// `127.0.0.1:9533`, `[::1]:9533`, `[::]:9533` (IPv6 and, on Linux by default, IPv4 too),
/// `localhost:9533` (taken as 127.0.0.1; no other names are accepted, so startup never
/// waits on DNS). Port 0 asks the kernel for a free port.
/// Errors name the flag value: `invalid --listen-address "9533": expected [host]:port`.
core::result<asio::ip::tcp::endpoint> parse_listen_address(std::string_view s);

/// `host:port`, `[v6]:port`; what error messages and logs show.
std::string to_string(const asio::ip::tcp::endpoint& ep);

}  // namespace promwatch::server
