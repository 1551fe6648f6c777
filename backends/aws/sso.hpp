// SSO profiles (spec/providers.md §1.9b): `sso_session` (→ `[sso-session NAME]` with sso_start_url,
// sso_region) or the legacy `sso_start_url`/`sso_region` keys, plus `sso_account_id` and
// `sso_role_name`. The token is the one `aws sso login` cached in
// ~/.aws/sso/cache/<sha1 hex of the session name, or of the start URL>.json (`accessToken`,
// `expiresAt`); it buys role credentials from the portal's GetRoleCredentials
// (AWS_ENDPOINT_URL_SSO, then AWS_ENDPOINT_URL, else https://portal.sso.<sso_region>.amazonaws.com).
// CONTRACT: a missing, unreadable or expired cached token is Error{denied} telling the user to run
// `aws sso login`; the token itself never appears in a message. This tool never refreshes it.
#pragma once

#include "src/crypto/hash.hpp"

#include <optional>
#include <string>
#include <string_view>

#include "backends/aws/credentials.hpp"
#include "src/http/client.hpp"

namespace ks::aws {

struct SsoProfile {
  std::string session_name;  // empty for a legacy profile
  std::string start_url, region, account_id, role_name;
};

// The SSO settings of a profile; nullopt when it is not an SSO profile. Throws Error{config} for an
// incomplete one (naming the missing key) or an sso_session that has no section.
std::optional<SsoProfile> sso_profile(const IniFile& config, const IniSection& profile, const std::string& name);

// The cache file name is the SHA-1 of the session name or start URL (src/crypto).
using crypto::sha1_hex;
// ~/.aws/sso/cache/<sha1>.json for the profile.
std::string sso_cache_path(const std::string& home, const SsoProfile& sso);
std::string sso_portal_endpoint(const SsoProfile& sso, const Context& ctx);

AwsCredentials sso_credentials(http::Client& http, const SsoProfile& sso, const std::string& profile, const Context& ctx);

}  // namespace ks::aws
