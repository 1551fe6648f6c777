// AWS credentials: where they come from, in botocore's order (spec/providers.md §1.9), and the
// region. This file resolves the static sources: the Kestra configuration's keys, the environment,
// and the shared files' profiles. The chain's remote sources (assume-role, web identity, SSO,
// credential_process, container, IMDS) plug in here as further providers.
// CONTRACT: a resolved secret key never appears in a message; `source` names where it came from.
#pragma once

#include <chrono>
#include <optional>
#include <string>

#include "src/config/settings.hpp"
#include "src/core/context.hpp"
#include "src/crypto/sigv4.hpp"

namespace ks::aws {

struct AwsCredentials {
  crypto::sigv4::Credentials keys;
  std::string source;  // "kestra.secret.aws-secret-manager (static keys)", "environment", "profile dev (~/.aws/credentials)"
  std::optional<std::chrono::system_clock::time_point> expiration;
};

struct SharedFiles {
  std::string config_path;       // AWS_CONFIG_FILE, else ~/.aws/config
  std::string credentials_path;  // AWS_SHARED_CREDENTIALS_FILE, else ~/.aws/credentials
  std::string profile;           // AWS_PROFILE, else AWS_DEFAULT_PROFILE, else "default"
  bool profile_explicit = false;
};
SharedFiles shared_files(const Context& ctx);

// The static sources, in order: configuration keys, environment, the profile's keys in the
// credentials file, then in the config file. nullopt when none has keys.
// Throws Error{config} for half a pair (an access key without its secret) and for an explicit
// AWS_PROFILE that exists in neither file.
std::optional<AwsCredentials> static_credentials(const config::AwsSettings& s, const Context& ctx);

// Region: configuration, AWS_REGION, AWS_DEFAULT_REGION, the profile's `region`.
std::optional<std::string> resolve_region(const config::AwsSettings& s, const Context& ctx);

}  // namespace ks::aws
