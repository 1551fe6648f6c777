// Credentials from the machine the tool runs on (spec/providers.md §1.9): the container endpoint
// (ECS, EKS Pod Identity) and EC2 instance metadata (IMDSv2, with botocore's IMDSv1 fallback).
// CONTRACT: both take an http::Client with short timeouts (metadata_http_options) so nothing hangs
// off AWS. nullopt means "this source is not here" (not configured, IMDS unreachable or without a
// role); Error is raised when the source is configured and answers wrongly (bad URI, refused
// token, malformed document). Tokens and keys never appear in a message.
#pragma once

#include <chrono>
#include <optional>
#include <string>

#include "backends/aws/credentials.hpp"
#include "src/core/context.hpp"
#include "src/http/client.hpp"

namespace ks::aws {

using namespace std::chrono_literals;

inline constexpr std::string_view kContainerHost = "http://169.254.170.2";
inline constexpr std::string_view kImdsEndpoint = "http://169.254.169.254";
inline constexpr std::string_view kImdsIpv6Endpoint = "http://[fd00:ec2::254]";
inline constexpr std::chrono::milliseconds kImdsTimeout = 1s;  // AWS_METADATA_SERVICE_TIMEOUT default
inline constexpr int kImdsAttempts = 1;                        // AWS_METADATA_SERVICE_NUM_ATTEMPTS default
inline constexpr std::chrono::milliseconds kContainerTimeout = 2s;
inline constexpr int kContainerAttempts = 3;
inline constexpr int kImdsTokenTtlSeconds = 21600;

// The backend client's options (tracing, CA, overall deadline) with a metadata probe's timeout and
// attempts, and no proxy (link-local addresses must never go through one).
http::Options metadata_http_options(const http::Options& base, std::chrono::milliseconds timeout, int attempts);

// Whether AWS_CONTAINER_CREDENTIALS_{RELATIVE,FULL}_URI is set.
bool container_configured(const Context& ctx);
// The URL to ask; throws Error{config} for a FULL_URI that is neither https nor loopback nor one of
// the container hosts botocore allows.
std::string container_url(const Context& ctx);
std::optional<AwsCredentials> container_credentials(http::Client& http, const Context& ctx);

bool imds_disabled(const Context& ctx);
// AWS_METADATA_SERVICE_TIMEOUT (seconds) and AWS_METADATA_SERVICE_NUM_ATTEMPTS, else the defaults.
std::chrono::milliseconds imds_timeout(const Context& ctx);
int imds_attempts(const Context& ctx);
std::string imds_endpoint(const Context& ctx);
// nullopt when IMDS does not answer or has no role. `why` receives the reason, for the final hint.
std::optional<AwsCredentials> imds_credentials(http::Client& http, const Context& ctx, std::string& why);

// A credentials JSON document as the container endpoint and IMDS serve it
// ({AccessKeyId, SecretAccessKey, Token, Expiration}); throws Error{bad_data} naming `what`.
AwsCredentials parse_metadata_credentials(const std::string& body, const std::string& what);

}  // namespace ks::aws
