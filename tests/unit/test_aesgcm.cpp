// AES-GCM in Kestra's layout against tests/vectors/aesgcm.json, and the ES key derivation rule.
#include <doctest/doctest.h>

#include <nlohmann/json.hpp>

#include <filesystem>

#include "src/core/error.hpp"
#include "src/crypto/aes_gcm.hpp"
#include "src/crypto/hash.hpp"
#include "tests/unit/support/files.hpp"

using namespace ks::crypto;

namespace {

nlohmann::json vectors() {
  return nlohmann::json::parse(ks::test::read_file(std::filesystem::path(KS_VECTORS_DIR) / "aesgcm.json"));
}

std::string unhex(const nlohmann::json& j) { return *from_hex(j.get<std::string>()); }

ks::ErrorKind kind_of_decrypt(std::string_view key, std::string_view text) {
  try {
    aes_gcm_decrypt(key, text);
  } catch (const ks::Error& e) {
    return e.kind();
  }
  return ks::ErrorKind::internal;  // no error at all: the caller's CHECK fails
}

}  // namespace

TEST_CASE("aesgcm: Kestra layout vectors (encrypt with the fixed IV, decrypt)") {
  auto v = vectors();
  int n = 0;
  for (const auto& c : v.at("cases")) {
    INFO("case " << c.at("name").get<std::string>());
    std::string key = unhex(c.at("key_hex"));
    CHECK(key.size() * 8 == c.at("aes_key_bits").get<size_t>());
    std::string iv = unhex(c.at("iv_hex"));
    std::string plain = c.at("plaintext");
    CHECK(plain == unhex(c.at("plaintext_utf8_hex")));
    CHECK(aes_gcm_encrypt(key, plain, iv) == c.at("expected_base64").get<std::string>());
    CHECK(aes_gcm_decrypt(key, c.at("expected_base64").get<std::string>()) == plain);
    ++n;
  }
  for (const auto& c : v.at("primitive_known_answer_tests")) {
    INFO("kat " << c.at("name").get<std::string>());
    std::string key = unhex(c.at("key_hex"));
    std::string expected = c.at("expected_base64_kestra_layout");
    CHECK(aes_gcm_encrypt(key, unhex(c.at("plaintext_hex")), unhex(c.at("iv_hex"))) == expected);
    CHECK(aes_gcm_decrypt(key, expected) == unhex(c.at("plaintext_hex")));
    ++n;
  }
  MESSAGE("AES-GCM vectors checked: " << n);
  CHECK(n == 13);
}

TEST_CASE("aesgcm: negative cases are bad_data") {
  auto v = vectors();
  int n = 0;
  for (const auto& c : v.at("negative_cases")) {
    INFO("case " << c.at("name").get<std::string>());
    DerivedKey k = derive_es_key(c.at("key_string"), c.at("key_derivation") == "utf8" ? KeyEncoding::utf8
                                                                                      : KeyEncoding::base64);
    CHECK(kind_of_decrypt(k.key, c.at("input_base64").get<std::string>()) == ks::ErrorKind::bad_data);
    ++n;
  }
  CHECK(n == 4);
  const std::string key(32, 'k');
  CHECK(kind_of_decrypt(key, "not base64!") == ks::ErrorKind::bad_data);
  CHECK(kind_of_decrypt(key, "") == ks::ErrorKind::bad_data);
}

TEST_CASE("aesgcm: random IVs, every key size, empty plaintext") {
  for (size_t size : {16, 24, 32}) {
    std::string key = random_bytes(size);
    std::string a = aes_gcm_encrypt(key, "same text"), b = aes_gcm_encrypt(key, "same text");
    CHECK(a != b);  // fresh IV each time
    CHECK(aes_gcm_decrypt(key, a) == "same text");
    CHECK(aes_gcm_decrypt(key, aes_gcm_encrypt(key, "")) == "");
  }
  CHECK_THROWS_AS(aes_gcm_encrypt(std::string(20, 'k'), "x"), ks::Error);
}

TEST_CASE("aesgcm: derive_es_key (spec/kestra.md §7)") {
  // Base64 of 32 bytes → AES-256, Kestra compatible.
  auto k = derive_es_key("AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=");
  CHECK(k.key.size() == 32);
  CHECK(k.description == "base64, AES-256");
  // A 32-character string that is Base64 of 24 bytes: auto picks Base64 (AES-192) ...
  k = derive_es_key("0123456789abcdef0123456789abcdef");
  CHECK(k.description == "base64, AES-192");
  // ... unless pinned to utf8.
  k = derive_es_key("0123456789abcdef0123456789abcdef", KeyEncoding::utf8);
  CHECK(k.key == "0123456789abcdef0123456789abcdef");
  CHECK(k.description == "utf8 first 32 bytes, AES-256");
  // The seed's example (33 characters, not Base64) → its first 32 bytes.
  k = derive_es_key("a-secure-32-character-minimum-key");
  CHECK(k.key == "a-secure-32-character-minimum-ke");
  CHECK(k.description == "utf8 first 32 bytes, AES-256");
  // 32 characters but more bytes: the key is the first 32 bytes of the UTF-8 form.
  std::string accented;
  for (int i = 0; i < 32; ++i) accented += "\xc3\xa9";  // 'é' × 32 = 64 bytes
  CHECK(derive_es_key(accented).key == accented.substr(0, 32));
  // 31 'é' = 62 bytes but only 31 characters: too short.
  auto kind = [](const std::string& s, KeyEncoding e) {
    try {
      derive_es_key(s, e);
    } catch (const ks::Error& err) {
      CHECK(std::string(err.what()).find(s.empty() ? "\x01" : s) == std::string::npos);  // never quoted
      return err.kind();
    }
    return ks::ErrorKind::internal;
  };
  CHECK(kind(accented.substr(0, 62), KeyEncoding::auto_detect) == ks::ErrorKind::config);
  CHECK(kind("short-key", KeyEncoding::auto_detect) == ks::ErrorKind::config);
  CHECK(kind("a-secure-32-character-minimum-key", KeyEncoding::base64) == ks::ErrorKind::config);
  CHECK(kind("Zm9vYmFy", KeyEncoding::base64) == ks::ErrorKind::config);  // Base64 of 6 bytes
  CHECK(kind("", KeyEncoding::utf8) == ks::ErrorKind::config);
  // The vectors' key strings derive to the vectors' keys.
  const auto v = vectors();  // a named object: a temporary would die before the loop body
  for (const auto& c : v.at("cases")) {
    INFO("case " << c.at("name").get<std::string>());
    auto enc = c.at("key_derivation") == "utf8" ? KeyEncoding::utf8 : KeyEncoding::base64;
    CHECK(to_hex(derive_es_key(c.at("key_string"), enc).key) == c.at("key_hex").get<std::string>());
  }
}
