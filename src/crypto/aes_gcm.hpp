// AES-GCM in Kestra's EncryptionService layout (spec/kestra.md §7): AES/GCM/NoPadding, 12-byte IV,
// 128-bit tag, no AAD, text form base64(IV(12) ‖ ciphertext ‖ tag(16)) with the standard alphabet.
// The key is 16, 24 or 32 bytes (AES-128/192/256). Kestra's "empty plaintext stays empty" rule lives
// above this layer; these primitives encrypt the empty string like any other.
// CONTRACT: decrypt never returns unauthenticated bytes; any failure (bad Base64, too short, wrong
// key, tampering) is Error{bad_data} whose message names no key or plaintext.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace ks::crypto {

inline constexpr size_t kGcmIvSize = 12;
inline constexpr size_t kGcmTagSize = 16;

// A random IV is drawn unless `fixed_iv` (exactly 12 bytes; tests only) is given.
std::string aes_gcm_encrypt(std::string_view key, std::string_view plaintext,
                            std::optional<std::string_view> fixed_iv = std::nullopt);
std::string aes_gcm_decrypt(std::string_view key, std::string_view base64_text);

// How the configured `kestra.secret.elasticsearch.secret` string becomes key bytes.
enum class KeyEncoding { auto_detect, base64, utf8 };

struct DerivedKey {
  std::string key;          // 16, 24 or 32 bytes; wipe with secure_wipe when done
  std::string description;  // e.g. "base64, AES-256" or "utf8 first 32 bytes, AES-256"
};

// The DECISION of spec/kestra.md §7: Base64 of 16/24/32 bytes is used as such (Kestra compatible);
// otherwise a string of at least 32 characters gives its first 32 UTF-8 bytes; else Error{config}.
// `base64` and `utf8` pin one rule. Error messages never quote the configured string.
DerivedKey derive_es_key(const std::string& configured, KeyEncoding encoding = KeyEncoding::auto_detect);

}  // namespace ks::crypto
