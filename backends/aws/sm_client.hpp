// The AWS JSON-protocol client: Secrets Manager operations (and the STS query call check-config
// --connect makes), signed with SigV4 before every attempt, retried as the AWS SDKs' "standard" mode
// (throttling codes arrive as HTTP 400), errors mapped by code, never by message text
// (spec/providers.md §1.2, §1.5, §1.6).
#pragma once

#include <functional>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "backends/aws/credentials.hpp"
#include "src/core/error.hpp"
#include "src/http/client.hpp"

namespace ks::aws {

// A failure the service reported, with its error code (ResourceNotFoundException, ...).
class AwsError : public Error {
public:
  AwsError(ErrorKind kind, std::string code, std::string message, std::string hint = {})
      : Error(kind, std::move(message), std::move(hint)), code_(std::move(code)) {}
  const std::string& code() const { return code_; }

private:
  std::string code_;
};

// The error code of a response: `__type` (after '#', before ':'), else x-amzn-ErrorType, else an
// XML <Code>; empty when none.
std::string error_code(const http::Response& r);

// Maps a failed response to the tool's error kinds (spec/cli.md exit table).
AwsError map_error(const http::Response& r, std::string_view op);

// Secrets Manager endpoint: endpoint-override, AWS_ENDPOINT_URL_SECRETS_MANAGER, AWS_ENDPOINT_URL,
// else the regional endpoint of the region's partition.
std::string secrets_manager_endpoint(const std::optional<std::string>& override_url, const std::string& region,
                                     const Context& ctx);
// STS endpoint: AWS_ENDPOINT_URL_STS, AWS_ENDPOINT_URL, else the regional endpoint.
std::string sts_endpoint(const std::string& region, const Context& ctx);

using CredentialFn = std::function<crypto::sigv4::Credentials()>;

class SmClient {
public:
  SmClient(http::Client& http, std::string endpoint, std::string region, CredentialFn credentials,
           std::function<std::chrono::system_clock::time_point()> clock);

  // Called when AWS answers ExpiredToken(Exception): true when the credentials were renewed and
  // the request may be sent again (re-signed; at most the client's attempts). Default: none.
  void on_expired(std::function<bool()> renew) { renew_ = std::move(renew); }

  // Calls one operation (X-Amz-Target secretsmanager.<op>) and returns its JSON response.
  nlohmann::json call(std::string_view op, const nlohmann::json& body);
  // Many calls, concurrently (bounded by the HTTP client's concurrency); results in order.
  using Call = std::pair<std::string, nlohmann::json>;  // operation, body
  std::vector<std::variant<nlohmann::json, AwsError>> call_many(const std::vector<Call>& calls);
  // STS GetCallerIdentity (query protocol): the caller's ARN.
  std::string caller_arn(const std::string& sts_url);

  const std::string& endpoint() const { return endpoint_; }

private:
  http::Request request(std::string_view op, const nlohmann::json& body) const;
  http::Policy policy(std::string_view service) const;

  http::Client& http_;
  std::string endpoint_;
  std::string region_;
  CredentialFn credentials_;
  std::function<bool()> renew_;
  std::function<std::chrono::system_clock::time_point()> clock_;
};

}  // namespace ks::aws
