// The AWS credential chain as the AWS CLI (botocore) resolves it (spec/providers.md §1.9), after
// Kestra's own configured keys:
//   configuration keys → environment → assume-role profile (source_profile | credential_source)
//   → web identity → SSO → credentials-file keys → credential_process → config-file keys
//   → container endpoint → EC2 IMDSv2 (unless AWS_EC2_METADATA_DISABLED=true).
// CONTRACT
// - get() resolves once per run and again only when the credentials it holds come within
//   kRefreshMargin of their expiration (checked on every call: the signer calls it per attempt);
//   a failed refresh keeps the old credentials while they are still valid.
// - renew(): AWS answered ExpiredToken(Exception) to a request signed with temporary credentials
//   (those with an expiration: STS, SSO, container, IMDS, credential_process): the next get()
//   resolves the chain again (a failure then throws), and the request may be retried. Once per
//   run: credentials called expired after the renewal are final; long-term keys (configuration, environment, files) are never renewed (false).
// - The first source that has credentials answers; a source that is configured but fails throws
//   (no silent fall-through, as botocore). No source at all: Error{denied} "no AWS credentials
//   found" with a hint listing what was tried.
// - STS and SSO go through the backend's client; metadata probes through clients of their own
//   with short timeouts (metadata.hpp). Nothing secret reaches a message.
#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "backends/aws/credentials.hpp"
#include "src/http/client.hpp"

namespace ks::aws {

using namespace std::chrono_literals;

inline constexpr std::chrono::seconds kRefreshMargin = 5min;
// Credentials that arrive already inside the margin are used as they are for at least this long,
// so that a source serving short-lived credentials is not asked again on every request.
inline constexpr std::chrono::seconds kMinRefreshInterval = 10s;

// Whether credentials fetched at `fetched_at` must be fetched again at `now`.
bool needs_refresh(const AwsCredentials& c, std::chrono::system_clock::time_point fetched_at,
                   std::chrono::system_clock::time_point now);

class CredentialChain {
public:
  CredentialChain(config::AwsSettings settings, const Context& ctx, http::Client& http, std::string region);
  ~CredentialChain();

  const AwsCredentials& get();
  // Whether a request refused for expired credentials may be retried with renewed ones.
  bool renew();
  // The whole chain, now (no cache).
  AwsCredentials resolve();

private:
  struct Walk;
  std::optional<AwsCredentials> profile_providers(Walk& w, const std::string& name, const IniSection& profile,
                                                  bool env_web_identity);
  std::optional<AwsCredentials> web_identity(Walk& w, const IniSection& profile, bool use_env);
  AwsCredentials assume_role_profile(Walk& w, const std::string& name, const IniSection& profile);
  AwsCredentials source_profile_credentials(Walk& w, const std::string& name);
  AwsCredentials credential_source(Walk& w, const std::string& name, const std::string& kind);
  std::optional<AwsCredentials> container(Walk& w);
  std::optional<AwsCredentials> imds(Walk& w);
  http::Client& metadata_client(std::unique_ptr<http::Client>& slot, std::chrono::milliseconds timeout, int attempts);

  config::AwsSettings settings_;
  const Context& ctx_;
  http::Client& http_;
  std::string region_;
  std::unique_ptr<http::Client> imds_http_, container_http_;
  std::optional<AwsCredentials> current_;
  std::chrono::system_clock::time_point fetched_at_;
  bool renewed_ = false;  // renew() was called in this run
  bool stale_ = false;    // AWS called current_ expired: resolve before the next use
};

}  // namespace ks::aws
