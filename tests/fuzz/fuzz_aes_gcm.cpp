// src/crypto/aes_gcm: Kestra's decoder of base64(IV ‖ ciphertext ‖ tag) with a fixed key over
// arbitrary text (only Error{bad_data} may come out of a bad input), the encrypt → decrypt round
// trip, and the derivation of a key from a configured string.
#include "src/crypto/aes_gcm.hpp"
#include "tests/fuzz/fuzz_common.hpp"

using namespace ks;
using namespace ks::crypto;

namespace {
const std::string kKey256 = "0123456789abcdef0123456789abcdef";
const std::string kKey128 = "0123456789abcdef";
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string input = fuzz::text(data, size);
  for (const auto* key : {&kKey256, &kKey128}) {
    try {
      aes_gcm_decrypt(*key, input);
    } catch (const Error& e) {
      KS_FUZZ_CHECK(e.kind() == ErrorKind::bad_data);
    }
    std::string iv = (input + std::string(kGcmIvSize, '\0')).substr(0, kGcmIvSize);
    KS_FUZZ_CHECK(aes_gcm_decrypt(*key, aes_gcm_encrypt(*key, input, iv)) == input);
  }
  for (auto enc : {KeyEncoding::auto_detect, KeyEncoding::base64, KeyEncoding::utf8})
    fuzz::tolerate([&] {
      auto k = derive_es_key(input, enc);
      KS_FUZZ_CHECK(k.key.size() == 16 || k.key.size() == 24 || k.key.size() == 32);
    });
  return 0;
}
