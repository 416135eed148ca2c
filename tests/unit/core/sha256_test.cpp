#include "core/sha256.hpp"

#include <doctest/doctest.h>

using promwatch::core::sha256;

TEST_CASE("sha256 matches the FIPS 180-2 test vectors") {
  CHECK(sha256::hex("") == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  CHECK(sha256::hex("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  CHECK(sha256::hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq") ==
        "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
}

TEST_CASE("sha256 gives the same digest however the input is split") {
  const std::string data(1000, 'a');
  sha256 h;
  for (std::size_t i = 0; i < data.size(); i += 7)
    h.update(std::string_view(data).substr(i, 7));
  CHECK(sha256::to_hex(h.finish()) == sha256::hex(data));
}
