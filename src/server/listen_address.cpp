#include "server/listen_address.hpp"

#include <charconv>
#include <string>

namespace promwatch::server {
namespace {

core::error invalid(std::string_view s, std::string_view why) {
  return {"invalid --listen-address \"" + std::string(s) + "\": " + std::string(why)};
}

}  // namespace

core::result<asio::ip::tcp::endpoint> parse_listen_address(std::string_view s) {
  const auto colon = s.rfind(':');
  if (colon == std::string_view::npos) return invalid(s, "expected [host]:port, e.g. :9533");
  std::string_view host = s.substr(0, colon);
  const std::string_view port_text = s.substr(colon + 1);

  unsigned port = 0;
  const auto [end, ec] =
      std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
  if (port_text.empty() || ec != std::errc{} || end != port_text.data() + port_text.size() ||
      port > 65535) {
    return invalid(s, "the port must be a number from 0 to 65535");
  }

  asio::ip::address address;
  if (host.empty()) {
    address = asio::ip::address_v4::any();
  } else if (host == "localhost") {
    address = asio::ip::address_v4::loopback();
  } else {
    const bool bracketed = host.front() == '[';
    if (bracketed != (host.back() == ']') || (bracketed && host.size() < 2)) {
      return invalid(s, "unbalanced brackets around the IPv6 address");
    }
    if (bracketed) host = host.substr(1, host.size() - 2);
    error_code parse_ec;
    address = asio::ip::make_address(std::string(host), parse_ec);
    if (parse_ec) return invalid(s, "the host must be an IP address, localhost or empty");
    // An IPv6 address must be bracketed, or "::1:9533" would be ambiguous.
    if (address.is_v6() != bracketed) {
      return invalid(s, bracketed ? "only IPv6 addresses go in brackets"
                                  : "write IPv6 addresses in brackets, e.g. [::1]:9533");
    }
  }
  return asio::ip::tcp::endpoint(address, static_cast<unsigned short>(port));
}

std::string to_string(const asio::ip::tcp::endpoint& ep) {
  const std::string host = ep.address().to_string();
  const std::string port = std::to_string(ep.port());
  return ep.address().is_v6() ? "[" + host + "]:" + port : host + ":" + port;
}

}  // namespace promwatch::server
