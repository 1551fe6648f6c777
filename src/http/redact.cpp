#include "src/http/redact.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <array>
#include <cctype>

namespace ks::http {
namespace {

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// Exact names: headers that carry credentials, and the fields where providers put secret values
// (AWS SecretString/SecretBinary, Azure/ES value, Vault data, Google payload.data, OAuth fields).
constexpr std::array kExact = {
    "authorization", "proxy-authorization", "cookie", "set-cookie", "x-identity-header",
    "x-vault-token", "secretstring", "secretbinary", "value", "data", "payload", "sig",
    "code", "client_assertion", "assertion", "password", "passphrase", "apikey", "api-key",
    "jwt", "role_id", "accesstoken", "sessiontoken",
};
constexpr std::array kContains = {"secret", "token", "password", "key", "signature",
                                  "assertion", "credential", "x-vault-wrap", "cookie"};
// Names that contain a marker but only identify things (no secret in them).
constexpr std::array kAllowed = {"x-amz-credential"};

void redact_json(nlohmann::json& j) {
  if (j.is_object()) {
    for (auto it = j.begin(); it != j.end(); ++it) {
      if (is_sensitive_name(it.key())) {
        it.value() = std::string(kRedacted);
      } else {
        redact_json(it.value());
      }
    }
  } else if (j.is_array()) {
    for (auto& e : j) redact_json(e);
  }
}

std::string redact_pairs(std::string_view text, char sep) {
  std::string out;
  size_t i = 0;
  while (i <= text.size()) {
    size_t j = text.find(sep, i);
    if (j == std::string_view::npos) j = text.size();
    std::string_view item = text.substr(i, j - i);
    size_t eq = item.find('=');
    if (i > 0) out.push_back(sep);
    if (eq != std::string_view::npos && is_sensitive_name(item.substr(0, eq))) {
      out.append(item.substr(0, eq + 1)).append(kRedacted);
    } else {
      out.append(item);
    }
    if (j == text.size()) break;
    i = j + 1;
  }
  return out;
}

std::string cut(std::string s) {
  if (s.size() <= kTraceBodyLimit) return s;
  size_t n = s.size();
  s.resize(kTraceBodyLimit);
  return s + "…(" + std::to_string(n) + " bytes)";
}

}  // namespace

bool is_sensitive_name(std::string_view name) {
  const std::string n = lower(name);
  if (std::find(kAllowed.begin(), kAllowed.end(), n) != kAllowed.end()) return false;
  if (std::find(kExact.begin(), kExact.end(), n) != kExact.end()) return true;
  return std::any_of(kContains.begin(), kContains.end(),
                     [&](const char* m) { return n.find(m) != std::string::npos; });
}

std::string redact_header(std::string_view name, std::string_view value) {
  if (!is_sensitive_name(name)) return std::string(value);
  // Keep an authentication scheme ("Bearer", "Basic", "AWS4-HMAC-SHA256", "ApiKey") if present.
  size_t sp = value.find(' ');
  if (sp != std::string_view::npos && sp > 0 && sp < 24 &&
      std::all_of(value.begin(), value.begin() + static_cast<long>(sp), [](char c) {
        return std::isalnum(static_cast<unsigned char>(c)) || c == '-';
      })) {
    return std::string(value.substr(0, sp + 1)) + std::string(kRedacted);
  }
  return std::string(kRedacted);
}

std::string redact_url(std::string_view url) {
  std::string out(url);
  size_t scheme = out.find("://");
  if (scheme != std::string::npos) {
    size_t host_end = out.find_first_of("/?#", scheme + 3);
    size_t at = out.find('@', scheme + 3);
    if (at != std::string::npos && (host_end == std::string::npos || at < host_end)) {
      out.replace(scheme + 3, at - scheme - 3, kRedacted);
    }
  }
  size_t q = out.find('?');
  if (q == std::string::npos) return out;
  size_t frag = out.find('#', q);
  std::string query = out.substr(q + 1, frag == std::string::npos ? std::string::npos : frag - q - 1);
  std::string tail = frag == std::string::npos ? "" : out.substr(frag);
  return out.substr(0, q + 1) + redact_pairs(query, '&') + tail;
}

std::string redact_body(std::string_view content_type, std::string_view body) {
  if (body.empty()) return "";
  const std::string ct = lower(content_type);
  const bool looks_json = body.front() == '{' || body.front() == '[';
  if (ct.find("json") != std::string::npos || (ct.empty() && looks_json)) {
    auto j = nlohmann::json::parse(body, nullptr, /*allow_exceptions=*/false);
    if (j.is_discarded()) return "<" + std::to_string(body.size()) + " bytes, not valid JSON>";
    redact_json(j);
    return cut(j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
  }
  if (ct.find("x-www-form-urlencoded") != std::string::npos) return cut(redact_pairs(body, '&'));
  return "<" + std::to_string(body.size()) + " bytes>";
}

}  // namespace ks::http
