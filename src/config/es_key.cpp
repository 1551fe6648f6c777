#include "src/config/es_key.hpp"

#include <fmt/format.h>

#include "src/config/checks.hpp"
#include "src/core/error.hpp"
#include "src/crypto/aes_gcm.hpp"
#include "src/crypto/hash.hpp"

namespace ks::config {
namespace {

crypto::KeyEncoding to_crypto(KeyEncoding e) {
  switch (e) {
    case KeyEncoding::base64: return crypto::KeyEncoding::base64;
    case KeyEncoding::utf8: return crypto::KeyEncoding::utf8;
    case KeyEncoding::auto_detect: break;
  }
  return crypto::KeyEncoding::auto_detect;
}

std::string problem_for(KeyEncoding e) {
  switch (e) {
    case KeyEncoding::base64: return "it is not Base64 of 16, 24 or 32 bytes (key-encoding is base64)";
    case KeyEncoding::utf8: return fmt::format("it is shorter than {} characters (key-encoding is utf8)", kEsUtf8KeyChars);
    case KeyEncoding::auto_detect: break;
  }
  return fmt::format("it is neither Base64 of 16, 24 or 32 bytes nor at least {} characters long", kEsUtf8KeyChars);
}

}  // namespace

EsKeyInfo describe_es_key(std::string_view secret, KeyEncoding encoding) {
  EsKeyInfo info;
  try {
    auto derived = crypto::derive_es_key(std::string(secret), to_crypto(encoding));
    info.ok = true;
    info.key_bytes = derived.key.size();
    info.used = derived.description.rfind("base64", 0) == 0 ? KeyEncoding::base64 : KeyEncoding::utf8;
    crypto::secure_wipe(derived.key);
  } catch (const Error&) {
    info.problem = problem_for(encoding);
    return info;
  }
  info.ambiguous = encoding == KeyEncoding::auto_detect && info.used == KeyEncoding::base64 &&
                   utf8_length(secret) >= kEsUtf8KeyChars;
  return info;
}

}  // namespace ks::config
