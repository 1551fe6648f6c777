// Azure Key Vault wire helpers: the 401 challenge (spec/providers.md §2.5), its resource check,
// and the error envelope mapping (§2.4).
#include <doctest/doctest.h>

#include "backends/azure/credentials.hpp"
#include "backends/azure/kv_client.hpp"

using namespace ks;
using namespace ks::azure;

TEST_CASE("azure: challenge with authorization and resource") {
  auto c = parse_challenge(
      R"(Bearer authorization="https://login.windows.net/72f988bf-0000-4000-8000-000000000001", resource="https://vault.azure.net")");
  REQUIRE(c);
  CHECK(c->tenant == "72f988bf-0000-4000-8000-000000000001");
  CHECK(c->scope == "https://vault.azure.net/.default");
  CHECK(c->resource() == "https://vault.azure.net");
}

TEST_CASE("azure: challenge with authorization_uri and scope wins over resource") {
  auto c = parse_challenge(
      R"(Bearer authorization_uri="https://login.microsoftonline.com/t1/", resource="https://x", scope="https://vault.azure.net/.default")");
  REQUIRE(c);
  CHECK(c->tenant == "t1");
  CHECK(c->scope == "https://vault.azure.net/.default");
  CHECK_FALSE(parse_challenge("Basic realm=\"x\""));
}

TEST_CASE("azure: challenge resource must match a Key Vault host's domain") {
  CHECK(challenge_resource_ok("https://kv.vault.azure.net", "https://vault.azure.net/.default"));
  CHECK_FALSE(challenge_resource_ok("https://kv.vault.azure.net", "https://evil.example.com/.default"));
  CHECK_FALSE(challenge_resource_ok("https://kv.vault.azure.net", "https://vault.azure.cn/.default"));
  CHECK(challenge_resource_ok("https://kv.vault.azure.cn:443", "https://vault.azure.cn/.default"));
  // a private endpoint or emulator skips the check
  CHECK(challenge_resource_ok("https://127.0.0.1:8443", "https://vault.azure.net/.default"));
}

TEST_CASE("azure: url_encode keeps unreserved characters only") {
  CHECK(url_encode("https://vault.azure.net/.default") == "https%3A%2F%2Fvault.azure.net%2F.default");
  CHECK(url_encode("a~b_c-d.e f") == "a~b_c-d.e%20f");
}

TEST_CASE("azure: error envelope codes map to exit kinds") {
  auto err = [](long status, const std::string& code, const std::string& inner) {
    http::Response r;
    r.status = status;
    r.body = R"({"error":{"code":")" + code + R"(","message":"m","innererror":{"code":")" + inner + R"("}}})";
    return map_error(r, "get");
  };
  CHECK(err(404, "SecretNotFound", "").kind() == ErrorKind::not_found);
  CHECK(err(403, "Forbidden", "SecretDisabled").kind() == ErrorKind::not_found);
  CHECK(err(403, "Forbidden", "ForbiddenByRbac").kind() == ErrorKind::denied);
  CHECK(err(401, "Unauthorized", "").kind() == ErrorKind::denied);
  CHECK(err(409, "Conflict", "ObjectIsDeletedButRecoverable").kind() == ErrorKind::conflict);
  CHECK(err(429, "Throttled", "").kind() == ErrorKind::unavailable);
  CHECK(err(503, "ServiceUnavailable", "").kind() == ErrorKind::unavailable);
  CHECK(err(400, "BadParameter", "").kind() == ErrorKind::usage);
  http::Response garbage;
  garbage.status = 500;
  garbage.body = "<html>";
  CHECK(map_error(garbage, "get").kind() == ErrorKind::unavailable);
  CHECK_THROWS_AS(parse_object("<html>not json{", "get"), Error);
}
