#include "src/secret/kestra_env.hpp"

#include "src/crypto/base64.hpp"

namespace ks::kestra_env {

std::string strip_line_breaks(std::string_view v) {
  std::string out;
  out.reserve(v.size());
  for (size_t i = 0; i < v.size(); ++i) {
    auto c = static_cast<unsigned char>(v[i]);
    if (c == '\n' || c == '\r' || c == 0x0B || c == 0x0C) continue;
    if (c == 0xC2 && i + 1 < v.size() && static_cast<unsigned char>(v[i + 1]) == 0x85) {
      ++i;  // U+0085 NEXT LINE
      continue;
    }
    if (c == 0xE2 && i + 2 < v.size() && static_cast<unsigned char>(v[i + 1]) == 0x80 &&
        (static_cast<unsigned char>(v[i + 2]) == 0xA8 || static_cast<unsigned char>(v[i + 2]) == 0xA9)) {
      i += 2;  // U+2028 LINE SEPARATOR, U+2029 PARAGRAPH SEPARATOR
      continue;
    }
    out.push_back(v[i]);
  }
  return out;
}

std::optional<std::string> decode_value(std::string_view value) {
  return crypto::base64_decode(strip_line_breaks(value));
}

std::string upper(std::string_view s) {
  std::string out(s);
  for (auto& c : out)
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
  return out;
}

std::optional<std::string> key_of(std::string_view name, std::string_view prefix) {
  if (name.size() <= prefix.size() || name.substr(0, prefix.size()) != prefix) return std::nullopt;
  return upper(name.substr(prefix.size()));
}

}  // namespace ks::kestra_env
