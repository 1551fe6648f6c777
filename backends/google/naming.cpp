#include "backends/google/naming.hpp"

#include <fmt/format.h>

#include "src/core/error.hpp"

namespace ks::google {
namespace {

bool lower_or_digit(char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); }
bool alnum(char c) { return lower_or_digit(c) || (c >= 'A' && c <= 'Z'); }

bool label_chars(std::string_view s) {
  for (char c : s)
    if (!lower_or_digit(c) && c != '_' && c != '-') return false;
  return true;
}

}  // namespace

std::string secret_id(const std::string& prefix, const std::optional<std::string>& ns, const std::string& key) {
  std::string raw = prefix + (ns ? *ns + "/" : "") + key;
  for (auto& c : raw)
    if (!alnum(c) && c != '_' && c != '-') c = '_';
  return raw;
}

bool is_label_key(std::string_view k) {
  return !k.empty() && k.size() <= kMaxLabelLength && k[0] >= 'a' && k[0] <= 'z' && label_chars(k);
}

bool is_label_value(std::string_view v) { return v.size() <= kMaxLabelLength && label_chars(v); }

bool is_annotation_key(std::string_view k) {
  if (k.empty() || k.size() > kMaxAnnotationKeyLength || !alnum(k.front()) || !alnum(k.back())) return false;
  for (char c : k)
    if (!alnum(c) && c != '-' && c != '_' && c != '.') return false;
  return true;
}

Metadata split_tags(const std::map<std::string, std::string>& tags) {
  Metadata m;
  size_t annotation_bytes = 0;
  for (const auto& [k, v] : tags) {
    if (is_label_key(k) && is_label_value(v)) {
      m.labels[k] = v;
    } else if (is_annotation_key(k)) {
      m.annotations[k] = v;
      annotation_bytes += k.size() + v.size();
    } else {
      throw Error(ErrorKind::usage, fmt::format("the tag '{}' fits neither a Google label nor an annotation key", k),
                  "label keys: lower-case letter first, then up to 62 of [a-z0-9_-]; annotation keys: up to 63 "
                  "characters, alphanumeric at both ends, [-_.] inside");
    }
  }
  if (annotation_bytes > kMaxAnnotationsBytes)
    throw Error(ErrorKind::usage, fmt::format("the tags stored as Google annotations take {} bytes; the limit is {}",
                                              annotation_bytes, kMaxAnnotationsBytes));
  return m;
}

nlohmann::json jwt_bearer_claims(const std::string& client_email, const std::string& token_uri, long now_seconds) {
  return {{"iss", client_email},
          {"aud", token_uri},
          {"scope", std::string(kCloudPlatformScope)},
          {"iat", now_seconds},
          {"exp", now_seconds + kJwtLifetimeSeconds}};
}

std::string url_encode(std::string_view text) {
  std::string out;
  for (unsigned char c : text) {
    if (alnum(static_cast<char>(c)) || c == '-' || c == '_' || c == '.' || c == '~') out += static_cast<char>(c);
    else out += fmt::format("%{:02X}", c);
  }
  return out;
}

}  // namespace ks::google
