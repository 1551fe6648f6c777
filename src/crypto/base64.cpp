#include "src/crypto/base64.hpp"

#include <array>
#include <bit>
#include <cstdint>
#include <cstring>

namespace ks::crypto {
namespace {

constexpr char kStd[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
constexpr char kUrl[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

// Each 12-bit group as its two characters: two table reads per three bytes instead of four.
struct PairTable {
  char chars[4096 * 2];
};
constexpr PairTable pair_table(const char* alphabet) {
  PairTable t{};
  for (int i = 0; i < 4096; ++i) {
    t.chars[2 * i] = alphabet[i >> 6];
    t.chars[2 * i + 1] = alphabet[i & 63];
  }
  return t;
}
constexpr PairTable kStdPairs = pair_table(kStd);
constexpr PairTable kUrlPairs = pair_table(kUrl);

size_t encoded_size(size_t n, bool pad) {
  size_t rest = n % 3;
  return n / 3 * 4 + (rest == 0 ? 0 : (pad ? 4 : rest + 1));
}

// Writes the encoding of `in` at `o` (encoded_size bytes). encode-env spends most of its time
// here on large files.
void encode_to(char* o, std::string_view in, const char* alphabet, const PairTable& pairs, bool pad) {
  const auto* p = reinterpret_cast<const unsigned char*>(in.data());
  size_t n = in.size();
  auto put = [&](uint64_t group) {
    std::memcpy(o, &pairs.chars[2 * (group & 0xFFF)], 2);
    o += 2;
  };
  // Six bytes at a time, read as one big-endian 64-bit word whose last two bytes wait for the next.
  for (; n >= 8; p += 6, n -= 6) {
    uint64_t v;
    std::memcpy(&v, p, sizeof v);
    if constexpr (std::endian::native == std::endian::little) v = __builtin_bswap64(v);
    put(v >> 52);
    put(v >> 40);
    put(v >> 28);
    put(v >> 16);
  }
  for (; n >= 3; p += 3, n -= 3) {
    uint32_t v = uint32_t(p[0]) << 16 | uint32_t(p[1]) << 8 | p[2];
    put(v >> 12);
    put(v);
  }
  if (n > 0) {
    uint32_t v = uint32_t(p[0]) << 16 | (n == 2 ? uint32_t(p[1]) << 8 : 0);
    o[0] = alphabet[(v >> 18) & 63];
    o[1] = alphabet[(v >> 12) & 63];
    if (n == 2) o[2] = alphabet[(v >> 6) & 63];
    else if (pad) o[2] = '=';
    if (pad) o[3] = '=';
  }
}

std::string encode(std::string_view in, const char* alphabet, const PairTable& pairs, bool pad) {
  std::string out(encoded_size(in.size(), pad), '\0');
  encode_to(out.data(), in, alphabet, pairs, pad);
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

std::string base64_encode(std::string_view bytes) { return encode(bytes, kStd, kStdPairs, true); }
std::string base64url_encode(std::string_view bytes, bool pad) { return encode(bytes, kUrl, kUrlPairs, pad); }

char* base64_encode_to(char* out, std::string_view bytes) {
  encode_to(out, bytes, kStd, kStdPairs, true);
  return out + encoded_size(bytes.size(), true);
}
size_t base64_encoded_size(size_t byte_count) { return encoded_size(byte_count, true); }

std::optional<std::string> base64_decode(std::string_view text) {
  static const auto t = table(kStd);
  return decode(text, t);
}
std::optional<std::string> base64url_decode(std::string_view text) {
  static const auto t = table(kUrl);
  return decode(text, t);
}

}  // namespace ks::crypto
