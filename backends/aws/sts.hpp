// STS calls of the credential chain (spec/providers.md §1.9, §1.9b): AssumeRole (SigV4-signed with
// the source credentials, service `sts`) and AssumeRoleWithWebIdentity (unsigned: authtype none),
// query protocol (POST form, Version 2011-06-15), XML answers.
// CONTRACT: the returned credentials carry their Expiration; failures throw Error{denied} for what
// STS refused (4xx, named by its error code), Error{unavailable} for throttling, 5xx and transport
// failures. No key, session token or web identity token ever appears in a message.
#pragma once

#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "backends/aws/credentials.hpp"
#include "src/http/client.hpp"

namespace ks::aws {

inline constexpr std::string_view kStsVersion = "2011-06-15";

struct StsTarget {
  http::Client& http;
  std::string endpoint;  // sts_endpoint(region, ctx)
  std::string region;
  std::function<std::chrono::system_clock::time_point()> clock;
};

struct RoleRequest {
  std::string role_arn;
  std::string session_name;
  std::optional<std::string> external_id;
  std::optional<int> duration_seconds;
};

AwsCredentials assume_role(const StsTarget& sts, const crypto::sigv4::Credentials& source, const RoleRequest& role);
AwsCredentials assume_role_with_web_identity(const StsTarget& sts, const RoleRequest& role, const std::string& token);

// Building blocks, public for tests.
// The <Credentials> of an AssumeRole* response; throws Error{bad_data} naming `op` when incomplete.
AwsCredentials parse_sts_credentials(std::string_view xml, std::string_view op);
// The text of the first <tag>…</tag>, XML entities decoded; nullopt when absent.
std::optional<std::string> xml_text(std::string_view xml, std::string_view tag);
// application/x-www-form-urlencoded body from ordered pairs.
std::string form_body(const std::vector<std::pair<std::string, std::string>>& fields);
// botocore's default RoleSessionName: botocore-session-<epoch seconds>.
std::string default_session_name(std::chrono::system_clock::time_point now);

}  // namespace ks::aws
