// src/crypto/base64: both decoders over arbitrary text; whatever decodes re-encodes to text that
// decodes to the same bytes, and any bytes survive encode → decode.
#include "src/crypto/base64.hpp"
#include "tests/fuzz/fuzz_common.hpp"

using namespace ks::crypto;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string input = ks::fuzz::text(data, size);
  if (auto d = base64_decode(input)) KS_FUZZ_CHECK(base64_decode(base64_encode(*d)) == d);
  if (auto d = base64url_decode(input)) KS_FUZZ_CHECK(base64url_decode(base64url_encode(*d)) == d);
  KS_FUZZ_CHECK(base64_decode(base64_encode(input)) == input);
  KS_FUZZ_CHECK(base64url_decode(base64url_encode(input, true)) == input);
  KS_FUZZ_CHECK(base64url_decode(base64url_encode(input, false)) == input);
  return 0;
}
