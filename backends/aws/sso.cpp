#include "backends/aws/sso.hpp"

#include <array>
#include <cstdint>
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "src/core/error.hpp"
#include "src/core/fs.hpp"
#include "src/core/time_format.hpp"
#include "src/crypto/sigv4.hpp"

namespace ks::aws {
namespace {

constexpr std::string_view kLoginHint = "run 'aws sso login --profile {}' and try again";

std::string require(const IniSection& s, const std::string& key, const std::string& where) {
  auto v = ini_value(s, key);
  if (!v || v->empty()) throw Error(ErrorKind::config, fmt::format("{} has no {}", where, key));
  return *v;
}

// `expiresAt` as botocore and the CLI write it: RFC 3339, or with a "UTC" suffix (older CLI v2).
std::optional<std::chrono::system_clock::time_point> parse_expiry(std::string s) {
  if (s.size() > 3 && s.ends_with("UTC")) s = s.substr(0, s.size() - 3) + "Z";
  return parse_rfc3339(s);
}

std::string cached_token(const SsoProfile& sso, const std::string& profile, const Context& ctx) {
  std::string path = sso_cache_path(ctx.home.empty() ? "." : ctx.home, sso);
  std::string hint = fmt::format(kLoginHint, profile);
  if (!fs::exists(path))
    throw Error(ErrorKind::denied, fmt::format("profile {} uses SSO but has no cached SSO token ({})", profile, path), hint);
  auto doc = nlohmann::json::parse(fs::read_file(path, ErrorKind::denied), nullptr, false);
  if (!doc.is_object() || !doc.contains("accessToken") || !doc["accessToken"].is_string() ||
      !doc.contains("expiresAt") || !doc["expiresAt"].is_string())
    throw Error(ErrorKind::denied, fmt::format("the cached SSO token {} is not readable", path), hint);
  auto expires = parse_expiry(doc["expiresAt"].get<std::string>());
  if (!expires || *expires <= ctx.now())
    throw Error(ErrorKind::denied, fmt::format("the cached SSO token of profile {} has expired", profile), hint);
  return doc["accessToken"].get<std::string>();
}

}  // namespace

std::optional<SsoProfile> sso_profile(const IniFile& config, const IniSection& profile, const std::string& name) {
  auto session = ini_value(profile, "sso_session");
  auto legacy_url = ini_value(profile, "sso_start_url");
  if ((!session || session->empty()) && (!legacy_url || legacy_url->empty())) return std::nullopt;
  std::string where = fmt::format("profile {}", name);
  SsoProfile p;
  if (session && !session->empty()) {
    auto it = config.find("sso-session " + *session);
    if (it == config.end())
      throw Error(ErrorKind::config, fmt::format("profile {} names sso_session {}, which has no [sso-session {}] section",
                                                 name, *session, *session));
    std::string swhere = fmt::format("[sso-session {}]", *session);
    p.session_name = *session;
    p.start_url = require(it->second, "sso_start_url", swhere);
    p.region = require(it->second, "sso_region", swhere);
  } else {
    p.start_url = *legacy_url;
    p.region = require(profile, "sso_region", where);
  }
  p.account_id = require(profile, "sso_account_id", where);
  p.role_name = require(profile, "sso_role_name", where);
  return p;
}

std::string sso_cache_path(const std::string& home, const SsoProfile& sso) {
  return fmt::format("{}/.aws/sso/cache/{}.json", home, sha1_hex(sso.session_name.empty() ? sso.start_url : sso.session_name));
}

std::string sso_portal_endpoint(const SsoProfile& sso, const Context& ctx) {
  for (const char* var : {"AWS_ENDPOINT_URL_SSO", "AWS_ENDPOINT_URL"}) {
    auto v = ctx.getenv_or(var, "");
    while (!v.empty() && v.back() == '/') v.pop_back();
    if (!v.empty()) return v;
  }
  return fmt::format("https://portal.sso.{}.{}", sso.region,
                     sso.region.rfind("cn-", 0) == 0 ? "amazonaws.com.cn" : "amazonaws.com");
}

AwsCredentials sso_credentials(http::Client& http, const SsoProfile& sso, const std::string& profile, const Context& ctx) {
  std::string token = cached_token(sso, profile, ctx);
  std::string url = fmt::format("{}/federation/credentials?role_name={}&account_id={}", sso_portal_endpoint(sso, ctx),
                                crypto::sigv4::uri_encode(sso.role_name, false),
                                crypto::sigv4::uri_encode(sso.account_id, false));
  http::Request req("GET", url);
  req.headers.add("x-amz-sso_bearer_token", token);
  auto r = http.send(req);
  if (r.status == 401 || r.status == 403)
    throw Error(ErrorKind::denied, fmt::format("the SSO portal refused the cached token of profile {} (HTTP {})", profile, r.status),
                fmt::format(kLoginHint, profile));
  if (r.status != 200)
    throw Error(http::error_kind_for_status(r.status), fmt::format("SSO GetRoleCredentials for profile {} failed: HTTP {}", profile, r.status));
  auto doc = nlohmann::json::parse(r.body, nullptr, false);
  if (!doc.is_object() || !doc.contains("roleCredentials") || !doc["roleCredentials"].is_object())
    throw Error(ErrorKind::bad_data, "SSO GetRoleCredentials answered without roleCredentials");
  const auto& rc = doc["roleCredentials"];
  auto str = [&](const char* k) { return rc.contains(k) && rc[k].is_string() ? rc[k].get<std::string>() : std::string(); };
  AwsCredentials c;
  c.keys = {str("accessKeyId"), str("secretAccessKey"), str("sessionToken")};
  if (c.keys.access_key_id.empty() || c.keys.secret_access_key.empty())
    throw Error(ErrorKind::bad_data, "SSO GetRoleCredentials answered incomplete roleCredentials");
  if (rc.contains("expiration") && rc["expiration"].is_number())
    c.expiration = std::chrono::system_clock::time_point(std::chrono::milliseconds(rc["expiration"].get<int64_t>()));
  c.source = fmt::format("profile {} (SSO, account {}, role {})", profile, sso.account_id, sso.role_name);
  return c;
}

}  // namespace ks::aws
