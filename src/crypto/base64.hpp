// Base64 (RFC 4648): the standard alphabet with padding, and the URL-safe alphabet.
// Decoding is strict about the alphabet; padding is optional (Kestra's decoder accepts both).
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace ks::crypto {

std::string base64_encode(std::string_view bytes);
std::string base64url_encode(std::string_view bytes, bool pad = false);

// Returns nullopt when the text is not Base64 in that alphabet (a character outside it, padding
// in the middle, or a length that no padding can explain).
std::optional<std::string> base64_decode(std::string_view text);
std::optional<std::string> base64url_decode(std::string_view text);

}  // namespace ks::crypto
