#include "src/secret/secret.hpp"

#include <fmt/format.h>

#include "src/core/error.hpp"

namespace ks {

std::string json_field_text(const nlohmann::json& v) {
  if (v.is_string()) return v.get<std::string>();
  return v.dump(-1, ' ', false, nlohmann::json::error_handler_t::strict);
}

std::string Secret::printable() const {
  if (!fields) return bytes;
  const auto& f = *fields;
  if (f.is_object() && f.size() == 1 && f.contains("value") && f["value"].is_string())
    return f["value"].get<std::string>();
  return f.dump();  // nlohmann's object is a std::map: keys come out sorted by bytes
}

std::string extract_subkey(const Secret& secret, const std::string& key, const std::string& subkey) {
  nlohmann::json doc;
  if (secret.fields) {
    doc = *secret.fields;
  } else {
    doc = nlohmann::json::parse(secret.bytes, nullptr, /*allow_exceptions=*/false);
  }
  if (doc.is_discarded() || !doc.is_object()) {
    throw Error(ErrorKind::bad_data,
                fmt::format("Failed to read secret sub-key '{}' from secret '{}'. Ensure the secret "
                            "contains valid JSON value.",
                            subkey, key),
                "the stored value is not a JSON object; drop --subkey to read it whole");
  }
  auto it = doc.find(subkey);
  if (it == doc.end()) {
    throw Error(ErrorKind::not_found,
                fmt::format("Cannot find secret sub-key '{}' in secret '{}'.", subkey, key));
  }
  return json_field_text(*it);
}

bool is_valid_utf8(std::string_view s) {
  size_t i = 0, n = s.size();
  while (i < n) {
    auto c = static_cast<unsigned char>(s[i]);
    if (c < 0x80) {
      ++i;
      continue;
    }
    size_t len;
    uint32_t cp;
    if ((c & 0xE0) == 0xC0) { len = 2; cp = c & 0x1F; }
    else if ((c & 0xF0) == 0xE0) { len = 3; cp = c & 0x0F; }
    else if ((c & 0xF8) == 0xF0) { len = 4; cp = c & 0x07; }
    else return false;
    if (i + len > n) return false;
    for (size_t k = 1; k < len; ++k) {
      auto cc = static_cast<unsigned char>(s[i + k]);
      if ((cc & 0xC0) != 0x80) return false;
      cp = (cp << 6) | (cc & 0x3F);
    }
    if ((len == 2 && cp < 0x80) || (len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) ||
        cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
      return false;
    i += len;
  }
  return true;
}

std::string not_found_message(const std::string& key) {
  return fmt::format("Cannot find secret for key '{}'.", key);
}

}  // namespace ks
