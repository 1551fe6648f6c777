// Digests, MACs, checksums and randomness: thin wrappers over OpenSSL (the only folder that may
// include it). Byte strings travel as std::string; "hex" means lower-case hex.
// CONTRACT: every function is pure except random_bytes/uuid_v4; failures of OpenSSL itself
// (allocation, RNG not seeded) throw ks::Error{internal}; no function ever logs its input.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace ks::crypto {

inline constexpr size_t kSha256Size = 32;

std::string sha256(std::string_view data);      // 32 raw bytes
std::string sha256_hex(std::string_view data);  // 64 hex chars
std::string sha1_hex(std::string_view data);    // 40 hex chars (only for names, e.g. the AWS SSO cache)
std::string hmac_sha256(std::string_view key, std::string_view data);      // 32 raw bytes
std::string hmac_sha256_hex(std::string_view key, std::string_view data);  // 64 hex chars

std::string to_hex(std::string_view bytes);
// nullopt for odd length or a non-hex character (either case accepted).
std::optional<std::string> from_hex(std::string_view hex);

// CRC32C (Castagnoli, reflected polynomial 0x82F63B78), as Google Secret Manager's dataCrc32c.
// `crc` continues a previous result so data can be fed in pieces.
uint32_t crc32c(std::string_view data, uint32_t crc = 0);

// Overwrites the bytes (explicit_bzero, which the optimiser may not drop), then clears.
void secure_wipe(std::string& s) noexcept;
void secure_wipe(void* p, size_t n) noexcept;

// Cryptographically strong random bytes (RAND_bytes).
std::string random_bytes(size_t n);
// A random (version 4, variant 1) UUID, lower-case "xxxxxxxx-xxxx-4xxx-yxxx-xxxxxxxxxxxx".
std::string uuid_v4();

// Compares in time independent of where the first difference is.
bool constant_time_equal(std::string_view a, std::string_view b) noexcept;

}  // namespace ks::crypto
