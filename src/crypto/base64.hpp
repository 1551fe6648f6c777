// Base64 (RFC 4648): the standard alphabet with padding, and the URL-safe alphabet.
// Decoding is strict about the alphabet; padding is optional (Kestra's decoder accepts both).
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace ks::crypto {

std::string base64_encode(std::string_view bytes);
// For writers of many values, without a string per value: base64_encode(bytes) written at `out`,
// which must have room for base64_encoded_size(bytes.size()) characters; returns the end.
char* base64_encode_to(char* out, std::string_view bytes);
size_t base64_encoded_size(size_t byte_count);
std::string base64url_encode(std::string_view bytes, bool pad = false);

// Returns nullopt when the text is not Base64 in that alphabet (a character outside it, padding
// in the middle, or a length that no padding can explain).
std::optional<std::string> base64_decode(std::string_view text);
std::optional<std::string> base64url_decode(std::string_view text);

}  // namespace ks::crypto
