#pragma once
#include <array>
#include <cstdint>
#include <string>
#include <string_view>

namespace promwatch::core {

/// SHA-256 of a byte string. Used as the content identity of watched files and of the
/// applied configuration (the same hash other reloaders expose), so no collisions in practice.
class sha256 {
 public:
  using digest = std::array<std::uint8_t, 32>;

  sha256();
  void update(std::string_view data);
  digest finish();

  /// Lower-case hex of a whole buffer's digest.
  static std::string hex(std::string_view data);
  static std::string to_hex(const digest& d);

 private:
  void compress(const std::uint8_t* block);

  std::array<std::uint32_t, 8> state_;
  std::array<std::uint8_t, 64> buffer_{};
  std::size_t buffered_ = 0;
  std::uint64_t total_bytes_ = 0;
};

}  // namespace promwatch::core
