#include "src/crypto/openssl_api.hpp"

#include "src/core/dynlib.hpp"

namespace ks::crypto::detail {

const OpenSslApi& ssl() {
  // Loaded at the first call; a throwing load leaves `api` uninitialised, so the next call retries.
  static const OpenSslApi api = dynlib::load<OpenSslApi>(
      kCryptoLibrary, "signing and hashing need OpenSSL 3's libcrypto (Debian package libssl3)",
      [](dynlib::Library& lib, OpenSslApi& table) {
#define KS_OPENSSL_BIND(name) lib.bind(table.name, #name);
        KS_OPENSSL_FUNCTIONS(KS_OPENSSL_BIND)
#undef KS_OPENSSL_BIND
      });
  return api;
}

}  // namespace ks::crypto::detail
