// Internal to src/crypto: the libcrypto functions it calls, from libcrypto.so.3 loaded at the first
// use (src/core/dynlib.hpp), so commands that neither sign, hash nor encrypt (encode-env,
// --version, completion, the env backend) start without it: its ~4,000 symbol relocations, all
// resolved at load (it is linked with BIND_NOW), were a third of their start-up.
// hash.cpp, aes_gcm.cpp and rs256.cpp call OpenSSL through this table only: a direct call to an
// OpenSSL function would not link. The Debian package must declare `Depends: libssl3`.
#pragma once

#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/pem.h>
#include <openssl/rand.h>

namespace ks::crypto::detail {

inline constexpr const char* kCryptoLibrary = "libcrypto.so.3";

// Every OpenSSL function src/crypto calls, once: the table's members and the symbols looked up.
#define KS_OPENSSL_FUNCTIONS(X)                                                                      \
  X(EVP_Digest) X(EVP_sha1) X(EVP_sha256) X(HMAC) X(RAND_bytes) X(EVP_CIPHER_CTX_new)               \
  X(EVP_CIPHER_CTX_free) X(EVP_CIPHER_CTX_ctrl) X(EVP_aes_128_gcm) X(EVP_aes_192_gcm)                \
  X(EVP_aes_256_gcm) X(EVP_EncryptInit_ex) X(EVP_EncryptUpdate) X(EVP_EncryptFinal_ex)               \
  X(EVP_DecryptInit_ex) X(EVP_DecryptUpdate) X(EVP_DecryptFinal_ex) X(BIO_new_mem_buf) X(BIO_free)   \
  X(PEM_read_bio_PrivateKey) X(PEM_read_bio_PUBKEY) X(EVP_PKEY_free) X(EVP_PKEY_is_a)                \
  X(EVP_MD_CTX_new) X(EVP_MD_CTX_free) X(EVP_DigestSignInit) X(EVP_DigestSign)                       \
  X(EVP_DigestVerifyInit) X(EVP_DigestVerify)

// ssl().EVP_Digest(...) is EVP_Digest(...), with the type OpenSSL's headers declare.
struct OpenSslApi {
#define KS_OPENSSL_MEMBER(name) decltype(&::name) name = nullptr;
  KS_OPENSSL_FUNCTIONS(KS_OPENSSL_MEMBER)
#undef KS_OPENSSL_MEMBER
};

// libcrypto's functions, loaded by the first call (thread-safe); the same table afterwards.
// Throws Error{internal} naming libcrypto.so.3 when it cannot be loaded or lacks a function; a
// later call retries.
const OpenSslApi& ssl();

}  // namespace ks::crypto::detail
