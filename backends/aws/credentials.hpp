// AWS credentials: the value the chain resolves, the shared files' locations, the static pieces
// every source builds on (key pairs, profile lookups), and the region (spec/providers.md §1.9,
// §1.10). The chain itself, in botocore's order, is credential_chain.hpp.
// CONTRACT: a resolved secret key never appears in a message; `source` names where it came from.
#pragma once

#include <chrono>
#include <optional>
#include <string>

#include "backends/aws/ini.hpp"
#include "src/config/settings.hpp"
#include "src/core/context.hpp"
#include "src/crypto/sigv4.hpp"

namespace ks::aws {

struct AwsCredentials {
  crypto::sigv4::Credentials keys;
  std::string source;  // "kestra.secret.aws-secret-manager (static keys)", "environment", "profile dev (~/.aws/credentials)"
  std::optional<std::chrono::system_clock::time_point> expiration;  // nullopt: long-term keys
};

struct SharedFiles {
  std::string config_path;       // AWS_CONFIG_FILE, else ~/.aws/config
  std::string credentials_path;  // AWS_SHARED_CREDENTIALS_FILE, else ~/.aws/credentials
  std::string profile;           // AWS_PROFILE, else AWS_DEFAULT_PROFILE, else "default"
  bool profile_explicit = false;
};
SharedFiles shared_files(const Context& ctx);

// Both files parsed once (missing files are empty).
struct LoadedFiles {
  SharedFiles files;
  IniFile config;
  IniFile credentials;
};
LoadedFiles load_shared_files(const Context& ctx);
IniFile load_ini_file(const std::string& path);

// A key pair as one source holds it; nullopt when it has neither half. Throws Error{config} for
// half a pair (an access key without its secret), naming `source`.
std::optional<AwsCredentials> key_pair(const std::optional<std::string>& key, const std::optional<std::string>& secret,
                                       const std::optional<std::string>& token, const std::string& source);
std::optional<std::string> ini_value(const IniSection& section, const std::string& key);
// The config file's profile with the credentials file's keys laid over it (botocore's merge).
std::optional<IniSection> merged_profile(const LoadedFiles& f, const std::string& name);

// The Kestra configuration's own keys (they win over the whole chain, as in Kestra).
std::optional<AwsCredentials> config_credentials(const config::AwsSettings& s);

// Region: configuration, AWS_REGION, AWS_DEFAULT_REGION, the profile's `region`.
std::optional<std::string> resolve_region(const config::AwsSettings& s, const Context& ctx);

}  // namespace ks::aws
