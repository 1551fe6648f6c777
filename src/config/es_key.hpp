// The Elasticsearch backend's encryption key rule (spec/kestra.md §7), as check-config reports it:
// valid Base64 of 16/24/32 bytes → that key (Kestra-compatible); else at least 32 characters → the
// first 32 bytes of its UTF-8 form (AES-256); else an error. key-encoding pins one of the two.
// This describes the derivation only; it never returns key material. Validity and key size come
// from src/crypto's derive_es_key (the function the backend uses), so report and backend agree.
#pragma once

#include <string>
#include <string_view>

#include "src/config/settings.hpp"

namespace ks::config {

inline constexpr size_t kEsUtf8KeyChars = 32;   // threshold, in characters

struct EsKeyInfo {
  bool ok = false;
  KeyEncoding used = KeyEncoding::auto_detect;  // base64 or utf8 when ok
  size_t key_bytes = 0;                         // 16, 24 or 32 when ok
  bool ambiguous = false;  // auto: the text is both ≥32 characters and Base64 of a valid key size
  std::string problem;     // when !ok; never contains the key
};

EsKeyInfo describe_es_key(std::string_view secret, KeyEncoding encoding);

}  // namespace ks::config
