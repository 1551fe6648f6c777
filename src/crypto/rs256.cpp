#include "src/crypto/rs256.hpp"

#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include <memory>

#include "src/core/error.hpp"
#include "src/crypto/base64.hpp"
#include "src/crypto/openssl_api.hpp"

namespace ks::crypto {

using detail::ssl;

namespace {

using Pkey = std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)>;
using MdCtx = std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)>;
using Bio = std::unique_ptr<BIO, decltype(&BIO_free)>;

Bio memory_bio(std::string_view pem) {
  Bio bio(ssl().BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())), ssl().BIO_free);
  if (!bio) throw Error(ErrorKind::internal, "OpenSSL could not allocate a buffer");
  return bio;
}

Pkey require_rsa(EVP_PKEY* raw, const char* what) {
  Pkey key(raw, ssl().EVP_PKEY_free);
  if (!key) throw Error(ErrorKind::config, std::string("cannot read the ") + what + " (not a PEM RSA key)");
  if (!ssl().EVP_PKEY_is_a(key.get(), "RSA")) {
    throw Error(ErrorKind::config, std::string("the ") + what + " is not an RSA key (RS256 needs RSA)");
  }
  return key;
}

// PEM_read_bio_PrivateKey reads PKCS#8 (plain) and the traditional PKCS#1 form alike. No passphrase
// callback: an encrypted key fails instead of prompting on the terminal.
Pkey load_private(std::string_view pem) {
  auto bio = memory_bio(pem);
  auto no_password = [](char*, int, int, void*) { return 0; };
  return require_rsa(ssl().PEM_read_bio_PrivateKey(bio.get(), nullptr, no_password, nullptr), "private key");
}

Pkey load_public(std::string_view pem) {
  if (pem.find("PRIVATE KEY") != std::string_view::npos) return load_private(pem);
  auto bio = memory_bio(pem);
  return require_rsa(ssl().PEM_read_bio_PUBKEY(bio.get(), nullptr, nullptr, nullptr), "public key");
}

MdCtx new_md_ctx() {
  MdCtx ctx(ssl().EVP_MD_CTX_new(), ssl().EVP_MD_CTX_free);
  if (!ctx) throw Error(ErrorKind::internal, "OpenSSL could not allocate a digest context");
  return ctx;
}

}  // namespace

std::string rs256_sign(std::string_view private_key_pem, std::string_view data) {
  Pkey key = load_private(private_key_pem);
  MdCtx ctx = new_md_ctx();
  size_t len = 0;
  const auto* in = reinterpret_cast<const unsigned char*>(data.data());
  if (ssl().EVP_DigestSignInit(ctx.get(), nullptr, ssl().EVP_sha256(), nullptr, key.get()) != 1 ||
      ssl().EVP_DigestSign(ctx.get(), nullptr, &len, in, data.size()) != 1) {
    throw Error(ErrorKind::internal, "RS256 signing failed in OpenSSL");
  }
  std::string sig(len, '\0');
  if (ssl().EVP_DigestSign(ctx.get(), reinterpret_cast<unsigned char*>(sig.data()), &len, in, data.size()) != 1) {
    throw Error(ErrorKind::internal, "RS256 signing failed in OpenSSL");
  }
  sig.resize(len);
  return sig;
}

bool rs256_verify(std::string_view key_pem, std::string_view data, std::string_view signature) {
  Pkey key = load_public(key_pem);
  MdCtx ctx = new_md_ctx();
  if (ssl().EVP_DigestVerifyInit(ctx.get(), nullptr, ssl().EVP_sha256(), nullptr, key.get()) != 1) return false;
  return ssl().EVP_DigestVerify(ctx.get(), reinterpret_cast<const unsigned char*>(signature.data()),
                                signature.size(), reinterpret_cast<const unsigned char*>(data.data()),
                                data.size()) == 1;
}

std::string jwt_rs256(std::string_view private_key_pem, const nlohmann::json& claims,
                      const std::optional<std::string>& kid) {
  nlohmann::json header = {{"alg", "RS256"}, {"typ", "JWT"}};
  if (kid) header["kid"] = *kid;
  std::string signing_input = base64url_encode(header.dump()) + "." + base64url_encode(claims.dump());
  return signing_input + "." + base64url_encode(rs256_sign(private_key_pem, signing_input));
}

}  // namespace ks::crypto
