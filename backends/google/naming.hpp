// Google Secret Manager naming and metadata rules (spec/kestra.md §5, spec/providers.md §3.2):
// Kestra keys → secret ids, tags → labels or annotations, and the JWT-bearer claims (§3.5).
// Pure functions: no I/O, so the unit tests pin every rule.
#pragma once

#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

namespace ks::google {

inline constexpr size_t kMaxSecretIdLength = 255;
inline constexpr size_t kMaxLabelLength = 63;
inline constexpr size_t kMaxAnnotationKeyLength = 63;
inline constexpr size_t kMaxAnnotationsBytes = 16 * 1024;  // keys + values, all annotations
inline constexpr long kJwtLifetimeSeconds = 3600;
inline constexpr std::string_view kCloudPlatformScope = "https://www.googleapis.com/auth/cloud-platform";
inline constexpr std::string_view kDefaultTokenUri = "https://oauth2.googleapis.com/token";

// `<prefix>[<ns>/]<key>` with every character outside [A-Za-z0-9_-] replaced by '_'.
std::string secret_id(const std::string& prefix, const std::optional<std::string>& ns, const std::string& key);

bool is_label_key(std::string_view k);    // 1–63 of [a-z0-9_-], starting with a lower-case letter
bool is_label_value(std::string_view v);  // 0–63 of [a-z0-9_-]
bool is_annotation_key(std::string_view k);  // 1–63, alphanumeric at both ends, [-_.] inside

struct Metadata {
  std::map<std::string, std::string> labels, annotations;
};
// Each tag becomes a label when its key and value both fit the label rules, else an annotation.
// Throws Error{usage} naming the tag when it fits neither, or when the annotations pass 16 KiB.
Metadata split_tags(const std::map<std::string, std::string>& tags);

// The claims of the JWT-bearer grant: iss = the service account, aud = the token endpoint.
nlohmann::json jwt_bearer_claims(const std::string& client_email, const std::string& token_uri, long now_seconds);

// application/x-www-form-urlencoded / RFC 3986 percent-encoding (unreserved characters kept).
std::string url_encode(std::string_view text);

}  // namespace ks::google
