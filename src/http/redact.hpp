// Redaction for the HTTP tracer (and anyone printing requests): credentials and secret values never
// reach a trace line. It errs on the side of hiding: any header, query parameter, form field or JSON
// member whose name looks sensitive loses its value, and bodies that cannot be parsed are shown
// only as their size.
// CONTRACT: the output of these functions never contains the value of a sensitive field.
#pragma once

#include <string>
#include <string_view>

namespace ks::http {

inline constexpr std::string_view kRedacted = "[REDACTED]";
inline constexpr size_t kTraceBodyLimit = 4096;  // longer (redacted) bodies are cut in traces

// Names (headers, query parameters, JSON members, form fields), case-insensitive: an exact list
// (authorization, cookie, value, data, SecretString, ...) plus anything containing "secret",
// "token", "password", "key", "signature", "assertion" or "credential" (except X-Amz-Credential,
// which names the access key id and scope only).
bool is_sensitive_name(std::string_view name);

// "Bearer [REDACTED]", "AWS4-HMAC-SHA256 [REDACTED]" (the scheme stays, it helps debugging), or
// "[REDACTED]"; other headers unchanged.
std::string redact_header(std::string_view name, std::string_view value);

// The URL with the values of sensitive query parameters (and any user:password@) replaced.
std::string redact_url(std::string_view url);

// JSON (by content type or by shape) with sensitive members replaced, whole subtrees included;
// application/x-www-form-urlencoded per field; anything else "<N bytes>".
std::string redact_body(std::string_view content_type, std::string_view body);

}  // namespace ks::http
