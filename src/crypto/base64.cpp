#include "src/crypto/base64.hpp"

#include <array>
#include <cstdint>

namespace ks::crypto {
namespace {

constexpr char kStd[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
constexpr char kUrl[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

std::string encode(std::string_view in, const char* alphabet, bool pad) {
  // Sized once and written in place: encode-env spends most of its time here on large files.
  size_t full = in.size() / 3, rest = in.size() % 3;
  size_t out_len = full * 4 + (rest == 0 ? 0 : (pad ? 4 : rest + 1));
  std::string out(out_len, '\0');
  char* o = out.data();
  const auto* p = reinterpret_cast<const unsigned char*>(in.data());
  for (size_t i = 0; i < full; ++i, p += 3, o += 4) {
    uint32_t v = uint32_t(p[0]) << 16 | uint32_t(p[1]) << 8 | p[2];
    o[0] = alphabet[(v >> 18) & 63];
    o[1] = alphabet[(v >> 12) & 63];
    o[2] = alphabet[(v >> 6) & 63];
    o[3] = alphabet[v & 63];
  }
  if (rest > 0) {
    uint32_t v = uint32_t(p[0]) << 16 | (rest == 2 ? uint32_t(p[1]) << 8 : 0);
    o[0] = alphabet[(v >> 18) & 63];
    o[1] = alphabet[(v >> 12) & 63];
    if (rest == 2) o[2] = alphabet[(v >> 6) & 63];
    else if (pad) o[2] = '=';
    if (pad) o[3] = '=';
  }
  return out;
}

std::array<int8_t, 256> table(const char* alphabet) {
  std::array<int8_t, 256> t{};
  t.fill(-1);
  for (int i = 0; i < 64; ++i) t[static_cast<unsigned char>(alphabet[i])] = static_cast<int8_t>(i);
  return t;
}

std::optional<std::string> decode(std::string_view in, const std::array<int8_t, 256>& t) {
  size_t n = in.size();
  size_t padding = 0;
  while (n > 0 && in[n - 1] == '=' && padding < 2) {
    --n;
    ++padding;
  }
  if (padding > 0 && (n + padding) % 4 != 0) return std::nullopt;  // padding must complete a quad
  if (n % 4 == 1) return std::nullopt;
  std::string out;
  out.reserve(n / 4 * 3 + 2);
  uint32_t acc = 0;
  int bits = 0;
  for (size_t i = 0; i < n; ++i) {
    int8_t v = t[static_cast<unsigned char>(in[i])];
    if (v < 0) return std::nullopt;
    acc = (acc << 6) | static_cast<uint32_t>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<char>((acc >> bits) & 0xFF));
    }
  }
  return out;
}

}  // namespace

std::string base64_encode(std::string_view bytes) { return encode(bytes, kStd, true); }
std::string base64url_encode(std::string_view bytes, bool pad) { return encode(bytes, kUrl, pad); }

std::optional<std::string> base64_decode(std::string_view text) {
  static const auto t = table(kStd);
  return decode(text, t);
}
std::optional<std::string> base64url_decode(std::string_view text) {
  static const auto t = table(kUrl);
  return decode(text, t);
}

}  // namespace ks::crypto
