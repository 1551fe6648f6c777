// RS256 and JWT: the signature must equal the one the openssl CLI made for the same key and message
// (PKCS#1 v1.5 is deterministic), for both PEM forms, and verify.
#include <doctest/doctest.h>

#include <nlohmann/json.hpp>

#include <filesystem>

#include "src/core/error.hpp"
#include "src/crypto/base64.hpp"
#include "src/crypto/hash.hpp"
#include "src/crypto/rs256.hpp"
#include "tests/unit/support/files.hpp"

using namespace ks::crypto;
namespace fs = std::filesystem;

namespace {
std::string key_file(const char* name) {
  return ks::test::read_file(fs::path(KS_SOURCE_DIR) / "tests" / "data" / "keys" / name);
}
}  // namespace

TEST_CASE("jwt: RS256 matches the openssl CLI, PKCS#8 and PKCS#1") {
  const std::string msg = "kestra-secrets RS256 test vector";
  std::string expected = ks::test::read_file(fs::path(KS_SOURCE_DIR) / "tests/data/keys/rs256_signature.hex");
  std::string sig8 = rs256_sign(key_file("rsa2048_pkcs8.pem"), msg);
  std::string sig1 = rs256_sign(key_file("rsa2048_pkcs1.pem"), msg);
  CHECK(sig8.size() == 256);
  CHECK(to_hex(sig8) == expected);
  CHECK(sig1 == sig8);
  CHECK(rs256_verify(key_file("rsa2048_public.pem"), msg, sig8));
  CHECK_FALSE(rs256_verify(key_file("rsa2048_public.pem"), msg + "!", sig8));
}

TEST_CASE("jwt: builder produces verifiable base64url segments") {
  nlohmann::json claims = {{"iss", "sa@example.iam.gserviceaccount.com"},
                           {"aud", "https://oauth2.googleapis.com/token"},
                           {"iat", 1700000000}, {"exp", 1700003600},
                           {"scope", "https://www.googleapis.com/auth/cloud-platform"}};
  std::string jwt = jwt_rs256(key_file("rsa2048_pkcs8.pem"), claims, "key-id-1");
  size_t d1 = jwt.find('.'), d2 = jwt.rfind('.');
  REQUIRE(d1 != std::string::npos);
  REQUIRE(d2 != d1);
  CHECK(jwt.find('=') == std::string::npos);
  CHECK(jwt.find('+') == std::string::npos);
  CHECK(jwt.find('/') == std::string::npos);
  auto header = nlohmann::json::parse(*base64url_decode(jwt.substr(0, d1)));
  CHECK(header == nlohmann::json{{"alg", "RS256"}, {"typ", "JWT"}, {"kid", "key-id-1"}});
  CHECK(nlohmann::json::parse(*base64url_decode(jwt.substr(d1 + 1, d2 - d1 - 1))) == claims);
  auto sig = base64url_decode(jwt.substr(d2 + 1));
  REQUIRE(sig.has_value());
  CHECK(rs256_verify(key_file("rsa2048_public.pem"), jwt.substr(0, d2), *sig));
  std::string plain = jwt_rs256(key_file("rsa2048_pkcs1.pem"), claims);
  auto no_kid = nlohmann::json::parse(*base64url_decode(plain.substr(0, plain.find('.'))));
  CHECK(no_kid == nlohmann::json{{"alg", "RS256"}, {"typ", "JWT"}});
}

TEST_CASE("jwt: bad keys are config errors that never quote the key") {
  auto kind = [](const std::string& pem) {
    try {
      rs256_sign(pem, "x");
    } catch (const ks::Error& e) {
      CHECK(std::string(e.what()).find("MII") == std::string::npos);
      return e.kind();
    }
    return ks::ErrorKind::internal;
  };
  CHECK(kind("not a key") == ks::ErrorKind::config);
  CHECK(kind(key_file("ec_p256.pem")) == ks::ErrorKind::config);
  CHECK(kind(key_file("rsa2048_public.pem")) == ks::ErrorKind::config);
  std::string broken = key_file("rsa2048_pkcs8.pem").substr(0, 300) + "\n-----END PRIVATE KEY-----\n";
  CHECK(kind(broken) == ks::ErrorKind::config);
}
