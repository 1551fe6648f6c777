// SHA-256, HMAC-SHA256, Base64, CRC32C, hex, wipe, randomness: published vectors.
#include <doctest/doctest.h>

#include <set>
#include <string>

#include "src/core/error.hpp"
#include "src/crypto/base64.hpp"
#include "src/crypto/hash.hpp"

using namespace ks::crypto;

TEST_CASE("crypto: SHA-256 (FIPS 180-2 examples)") {
  CHECK(sha256_hex("") == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  CHECK(sha256_hex("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  CHECK(sha256_hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq") ==
        "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
  CHECK(sha256_hex(std::string(1000000, 'a')) ==
        "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
  CHECK(sha256("abc").size() == 32);
  CHECK(to_hex(sha256("abc")) == sha256_hex("abc"));
}

TEST_CASE("crypto: HMAC-SHA256 (RFC 4231)") {
  CHECK(hmac_sha256_hex(std::string(20, '\x0b'), "Hi There") ==
        "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7");
  CHECK(hmac_sha256_hex("Jefe", "what do ya want for nothing?") ==
        "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
  CHECK(hmac_sha256_hex(std::string(20, '\xaa'), std::string(50, '\xdd')) ==
        "773ea91e36800e46854db8ebd09181a72959098b3ef8c122d9635514ced565fe");
  CHECK(hmac_sha256_hex(std::string(131, '\xaa'), "Test Using Larger Than Block-Size Key - Hash Key First") ==
        "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54");
  CHECK(to_hex(hmac_sha256("Jefe", "what do ya want for nothing?")) ==
        hmac_sha256_hex("Jefe", "what do ya want for nothing?"));
  CHECK(hmac_sha256_hex("", "").size() == 64);
}

TEST_CASE("crypto: hex") {
  CHECK(to_hex(std::string("\x00\x7f\xff", 3)) == "007fff");
  CHECK(from_hex("007FfF") == std::string("\x00\x7f\xff", 3));
  CHECK_FALSE(from_hex("abc").has_value());
  CHECK_FALSE(from_hex("zz").has_value());
  CHECK(from_hex("") == std::string());
}

TEST_CASE("crypto: Base64 (RFC 4648 §10 vectors, URL-safe, padding, invalid input)") {
  const std::pair<const char*, const char*> rfc[] = {{"", ""},         {"f", "Zg=="},
                                                     {"fo", "Zm8="},   {"foo", "Zm9v"},
                                                     {"foob", "Zm9vYg=="}, {"fooba", "Zm9vYmE="},
                                                     {"foobar", "Zm9vYmFy"}};
  for (auto [plain, encoded] : rfc) {
    INFO(plain);
    CHECK(base64_encode(plain) == encoded);
    CHECK(base64_decode(encoded) == std::string(plain));
  }
  // No-padding input decodes too (Kestra's decoder accepts both).
  CHECK(base64_decode("Zg") == std::string("f"));
  CHECK(base64_decode("Zm9vYmE") == std::string("fooba"));
  // URL-safe alphabet: 0xfb 0xff → "+/8=" standard, "-_8" URL-safe without padding.
  const std::string bytes("\xfb\xff", 2);
  CHECK(base64_encode(bytes) == "+/8=");
  CHECK(base64url_encode(bytes) == "-_8");
  CHECK(base64url_encode(bytes, true) == "-_8=");
  CHECK(base64url_decode("-_8") == bytes);
  CHECK(base64url_decode("-_8=") == bytes);
  // Invalid: characters of the other alphabet, padding in the middle, impossible lengths, spaces.
  CHECK_FALSE(base64_decode("-_8=").has_value());
  CHECK_FALSE(base64url_decode("+/8=").has_value());
  CHECK_FALSE(base64_decode("Zg==Zg==").has_value());
  CHECK_FALSE(base64_decode("Z").has_value());
  CHECK_FALSE(base64_decode("Zm9=v").has_value());
  CHECK_FALSE(base64_decode("Zm 9v").has_value());
  CHECK_FALSE(base64_decode("Zg=").has_value());
  // All 256 byte values round-trip in both alphabets.
  std::string all;
  for (int i = 0; i < 256; ++i) all.push_back(static_cast<char>(i));
  CHECK(base64_decode(base64_encode(all)) == all);
  CHECK(base64url_decode(base64url_encode(all)) == all);
}

TEST_CASE("crypto: Base64 of every length through the six-bytes-at-a-time path, and base64_encode_to") {
  // Each length from 0 to 40 (the wide loop, the 3-byte loop and both tails), against a bit-by-bit
  // encoding of the same bytes.
  const std::string alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string bytes;
  for (int n = 0; n <= 40; ++n) {
    std::string bits;
    for (unsigned char c : bytes)
      for (int b = 7; b >= 0; --b) bits.push_back((c >> b) & 1 ? '1' : '0');
    while (bits.size() % 6 != 0) bits.push_back('0');
    std::string expected;
    for (size_t i = 0; i < bits.size(); i += 6) expected.push_back(alphabet[std::stoi(bits.substr(i, 6), nullptr, 2)]);
    while (expected.size() % 4 != 0) expected.push_back('=');
    CHECK(base64_encode(bytes) == expected);
    CHECK(base64_encoded_size(bytes.size()) == expected.size());
    std::string buffer(expected.size() + 2, '#');
    char* end = base64_encode_to(buffer.data() + 1, bytes);
    CHECK(end == buffer.data() + 1 + expected.size());
    CHECK(buffer == "#" + expected + "#");
    bytes.push_back(static_cast<char>(0xA5 ^ (n * 37)));
  }
}

TEST_CASE("crypto: CRC32C (Castagnoli; check value and RFC 3720 B.4)") {
  CHECK(crc32c("123456789") == 0xE3069283u);
  CHECK(crc32c("") == 0u);
  CHECK(crc32c(std::string(32, '\0')) == 0x8A9136AAu);
  CHECK(crc32c(std::string(32, '\xff')) == 0x62A8AB43u);
  std::string inc, dec;
  for (int i = 0; i < 32; ++i) {
    inc.push_back(static_cast<char>(i));
    dec.push_back(static_cast<char>(31 - i));
  }
  CHECK(crc32c(inc) == 0x46DD794Eu);
  CHECK(crc32c(dec) == 0x113FDB5Cu);
  // Incremental use gives the same result as one call.
  CHECK(crc32c("56789", crc32c("1234")) == 0xE3069283u);
}

TEST_CASE("crypto: secure wipe, random bytes, UUIDv4, constant-time compare") {
  std::string key = "super-secret-key-material";
  const char* data = key.data();
  size_t cap = key.capacity();
  secure_wipe(key);
  CHECK(key.empty());
  for (size_t i = 0; i < cap; ++i) CHECK(data[i] == '\0');  // same buffer: clear() keeps it
  std::string r1 = random_bytes(32), r2 = random_bytes(32);
  CHECK(r1.size() == 32);
  CHECK(r1 != r2);
  CHECK(random_bytes(0).empty());
  std::set<std::string> seen;
  for (int i = 0; i < 100; ++i) {
    std::string u = uuid_v4();
    REQUIRE(u.size() == 36);
    CHECK(u[8] == '-');
    CHECK(u[13] == '-');
    CHECK(u[14] == '4');
    CHECK(std::string("89ab").find(u[19]) != std::string::npos);
    seen.insert(u);
  }
  CHECK(seen.size() == 100);
  CHECK(constant_time_equal("abc", "abc"));
  CHECK_FALSE(constant_time_equal("abc", "abd"));
  CHECK_FALSE(constant_time_equal("abc", "ab"));
}
