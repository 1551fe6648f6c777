#include "src/crypto/aes_gcm.hpp"

#include <openssl/evp.h>

#include <memory>

#include "src/core/error.hpp"
#include "src/crypto/base64.hpp"
#include "src/crypto/hash.hpp"
#include "src/crypto/openssl_api.hpp"

namespace ks::crypto {

using detail::ssl;

namespace {

constexpr size_t kUtf8KeyChars = 32;  // the threshold of the DECISION, in characters

using CipherCtx = std::unique_ptr<EVP_CIPHER_CTX, decltype(&EVP_CIPHER_CTX_free)>;

const EVP_CIPHER* cipher_for(size_t key_size) {
  switch (key_size) {
    case 16: return ssl().EVP_aes_128_gcm();
    case 24: return ssl().EVP_aes_192_gcm();
    case 32: return ssl().EVP_aes_256_gcm();
    default:
      throw Error(ErrorKind::config, "AES key must be 16, 24 or 32 bytes, got " + std::to_string(key_size));
  }
}

CipherCtx new_ctx() {
  CipherCtx ctx(ssl().EVP_CIPHER_CTX_new(), ssl().EVP_CIPHER_CTX_free);
  if (!ctx) throw Error(ErrorKind::internal, "OpenSSL could not allocate a cipher context");
  return ctx;
}

const unsigned char* u8(std::string_view s) { return reinterpret_cast<const unsigned char*>(s.data()); }
unsigned char* u8(std::string& s) { return reinterpret_cast<unsigned char*>(s.data()); }

// Characters of a UTF-8 string: every byte that is not a continuation byte starts one.
size_t utf8_length(const std::string& s) {
  size_t n = 0;
  for (unsigned char c : s) n += (c & 0xC0) != 0x80;
  return n;
}

}  // namespace

std::string aes_gcm_encrypt(std::string_view key, std::string_view plaintext,
                            std::optional<std::string_view> fixed_iv) {
  const EVP_CIPHER* cipher = cipher_for(key.size());
  std::string iv = fixed_iv ? std::string(*fixed_iv) : random_bytes(kGcmIvSize);
  if (iv.size() != kGcmIvSize) throw Error(ErrorKind::internal, "AES-GCM IV must be 12 bytes");
  // out = IV ‖ ciphertext ‖ tag, written in place.
  std::string out = iv;
  out.resize(kGcmIvSize + plaintext.size() + kGcmTagSize);
  auto ctx = new_ctx();
  int len = 0, fin = 0;
  bool ok = ssl().EVP_EncryptInit_ex(ctx.get(), cipher, nullptr, nullptr, nullptr) == 1 &&
            ssl().EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_IVLEN, kGcmIvSize, nullptr) == 1 &&
            ssl().EVP_EncryptInit_ex(ctx.get(), nullptr, nullptr, u8(key), u8(iv)) == 1 &&
            ssl().EVP_EncryptUpdate(ctx.get(), u8(out) + kGcmIvSize, &len, u8(plaintext),
                                    static_cast<int>(plaintext.size())) == 1 &&
            ssl().EVP_EncryptFinal_ex(ctx.get(), u8(out) + kGcmIvSize + len, &fin) == 1 &&
            ssl().EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_GET_TAG, kGcmTagSize,
                                      u8(out) + kGcmIvSize + plaintext.size()) == 1;
  if (!ok) throw Error(ErrorKind::internal, "AES-GCM encryption failed in OpenSSL");
  return base64_encode(out);
}

std::string aes_gcm_decrypt(std::string_view key, std::string_view base64_text) {
  const EVP_CIPHER* cipher = cipher_for(key.size());
  auto raw = base64_decode(base64_text);
  if (!raw) throw Error(ErrorKind::bad_data, "encrypted value is not valid Base64");
  if (raw->size() < kGcmIvSize + kGcmTagSize) {
    throw Error(ErrorKind::bad_data, "encrypted value is too short to hold an AES-GCM IV and tag");
  }
  std::string_view all(*raw);
  std::string_view iv = all.substr(0, kGcmIvSize);
  std::string_view body = all.substr(kGcmIvSize, all.size() - kGcmIvSize - kGcmTagSize);
  std::string tag(all.substr(all.size() - kGcmTagSize));
  std::string plain(body.size(), '\0');
  auto ctx = new_ctx();
  int len = 0, fin = 0;
  bool ok = ssl().EVP_DecryptInit_ex(ctx.get(), cipher, nullptr, nullptr, nullptr) == 1 &&
            ssl().EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_IVLEN, kGcmIvSize, nullptr) == 1 &&
            ssl().EVP_DecryptInit_ex(ctx.get(), nullptr, nullptr, u8(key), u8(iv)) == 1 &&
            ssl().EVP_DecryptUpdate(ctx.get(), u8(plain), &len, u8(body), static_cast<int>(body.size())) == 1 &&
            ssl().EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_TAG, kGcmTagSize, u8(tag)) == 1 &&
            ssl().EVP_DecryptFinal_ex(ctx.get(), u8(plain) + len, &fin) == 1;
  if (!ok) {
    secure_wipe(plain);  // never hand out or leave behind unauthenticated bytes
    throw Error(ErrorKind::bad_data,
                "cannot decrypt value: wrong key or the data was altered (AES-GCM tag mismatch)");
  }
  return plain;
}

DerivedKey derive_es_key(const std::string& configured, KeyEncoding encoding) {
  if (encoding != KeyEncoding::utf8) {
    auto decoded = base64_decode(configured);
    if (decoded && (decoded->size() == 16 || decoded->size() == 24 || decoded->size() == 32)) {
      std::string desc = "base64, AES-" + std::to_string(decoded->size() * 8);
      return {std::move(*decoded), std::move(desc)};
    }
    if (decoded) secure_wipe(*decoded);
    if (encoding == KeyEncoding::base64) {
      throw Error(ErrorKind::config,
                  "the Elasticsearch encryption secret is not Base64 of 16, 24 or 32 bytes",
                  "generate one with `openssl rand -base64 32`, or set key-encoding: utf8");
    }
  }
  if (utf8_length(configured) < kUtf8KeyChars) {
    throw Error(ErrorKind::config,
                "the Elasticsearch encryption secret is too short: it needs Base64 of 16, 24 or 32 "
                "bytes, or at least 32 characters",
                "generate one with `openssl rand -base64 32`");
  }
  // 32 characters are at least 32 bytes; AES-256 takes the first 32 bytes (spec/kestra.md §7).
  return {configured.substr(0, 32), "utf8 first 32 bytes, AES-256"};
}

}  // namespace ks::crypto
