// RS256 (RSASSA-PKCS1-v1_5 with SHA-256) and compact JWTs, for Google's JWT-bearer grant and Azure
// certificate client assertions (spec/providers.md §2.5, §3.5).
// CONTRACT: keys are PEM text, PKCS#8 ("BEGIN PRIVATE KEY") or PKCS#1 ("BEGIN RSA PRIVATE KEY");
// a key that does not parse or is not RSA is Error{config} (the message never quotes the key).
#pragma once

#include <nlohmann/json.hpp>

#include <optional>
#include <string>
#include <string_view>

namespace ks::crypto {

// The raw signature bytes (as long as the modulus).
std::string rs256_sign(std::string_view private_key_pem, std::string_view data);

// True when `signature` is a valid RS256 signature of `data` under the PEM public key
// ("BEGIN PUBLIC KEY") or the public half of a PEM private key.
bool rs256_verify(std::string_view key_pem, std::string_view data, std::string_view signature);

// base64url(header) "." base64url(claims) "." base64url(RS256(...)), no padding; the header is
// {"alg":"RS256","typ":"JWT"} plus "kid" when given.
std::string jwt_rs256(std::string_view private_key_pem, const nlohmann::json& claims,
                      const std::optional<std::string>& kid = std::nullopt);

}  // namespace ks::crypto
