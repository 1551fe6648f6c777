#include "backends/aws/credential_chain.hpp"

#include <fmt/format.h>

#include "backends/aws/metadata.hpp"
#include "backends/aws/process.hpp"
#include "backends/aws/sm_client.hpp"
#include "backends/aws/sso.hpp"
#include "backends/aws/sts.hpp"
#include "src/core/error.hpp"
#include "src/core/fs.hpp"
#include "src/core/time_format.hpp"

namespace ks::aws {
namespace {

bool has_static(const IniSection& p) {
  auto k = ini_value(p, "aws_access_key_id");
  return k && !k->empty();
}

bool is_assume_role(const IniSection& p) {
  auto arn = ini_value(p, "role_arn");
  return arn && !arn->empty() && (ini_value(p, "source_profile") || ini_value(p, "credential_source"));
}

std::optional<std::string> env_or_profile(const Context& ctx, bool use_env, const char* var, const IniSection& p,
                                          const char* key) {
  if (use_env)
    if (auto v = ctx.getenv_or(var, ""); !v.empty()) return v;
  auto v = ini_value(p, key);
  if (v && v->empty()) return std::nullopt;
  return v;
}

std::optional<int> duration_of(const IniSection& p, const std::string& profile) {
  auto v = ini_value(p, "duration_seconds");
  if (!v || v->empty()) return std::nullopt;
  try {
    return std::stoi(*v);
  } catch (const std::exception&) {
    throw Error(ErrorKind::config, fmt::format("profile {} has duration_seconds '{}', not a number", profile, *v));
  }
}

// AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN (legacy alias AWS_SECURITY_TOKEN),
// AWS_CREDENTIAL_EXPIRATION, as botocore's EnvProvider.
std::optional<AwsCredentials> environment_credentials(const Context& ctx) {
  auto token = ctx.getenv("AWS_SESSION_TOKEN");
  if (!token || token->empty()) token = ctx.getenv("AWS_SECURITY_TOKEN");
  auto c = key_pair(ctx.getenv("AWS_ACCESS_KEY_ID"), ctx.getenv("AWS_SECRET_ACCESS_KEY"), token,
                    "environment (AWS_ACCESS_KEY_ID)");
  if (auto exp = ctx.getenv_or("AWS_CREDENTIAL_EXPIRATION", ""); c && !exp.empty()) {
    c->expiration = parse_rfc3339(exp);
    if (!c->expiration)
      throw Error(ErrorKind::config, fmt::format("AWS_CREDENTIAL_EXPIRATION '{}' is not an RFC 3339 timestamp", exp));
  }
  return c;
}

}  // namespace

// One resolution: the files, read once, and what was tried (for the final hint).
struct CredentialChain::Walk {
  LoadedFiles files;
  std::vector<std::string> tried;
  std::set<std::string> visited;  // profiles on the current source_profile path
};

bool needs_refresh(const AwsCredentials& c, std::chrono::system_clock::time_point fetched_at,
                   std::chrono::system_clock::time_point now) {
  if (!c.expiration) return false;
  if (now >= *c.expiration) return true;
  return now + kRefreshMargin >= *c.expiration && now - fetched_at >= kMinRefreshInterval;
}

CredentialChain::CredentialChain(config::AwsSettings settings, const Context& ctx, http::Client& http, std::string region)
    : settings_(std::move(settings)), ctx_(ctx), http_(http), region_(std::move(region)) {}

CredentialChain::~CredentialChain() = default;

const AwsCredentials& CredentialChain::get() {
  auto now = ctx_.now();
  if (current_ && !stale_ && !needs_refresh(*current_, fetched_at_, now)) return *current_;
  try {
    current_ = resolve();
    fetched_at_ = now;
    stale_ = false;
  } catch (const Error&) {
    if (stale_ || !current_ || !current_->expiration || now >= *current_->expiration) throw;
  }
  return *current_;
}

bool CredentialChain::renew() {
  if (!current_ || !current_->expiration) return false;
  if (!renewed_) {
    renewed_ = true;
    stale_ = true;
    return true;
  }
  // Requests sent together with the one that asked for renewal may still retry until the renewed
  // credentials are in use; after that, expired again is final.
  return stale_;
}

AwsCredentials CredentialChain::resolve() {
  if (auto c = config_credentials(settings_)) return *c;
  Walk w;
  w.files = load_shared_files(ctx_);
  const auto& f = w.files.files;
  auto profile = merged_profile(w.files, f.profile);
  // As the AWS CLI: a profile named by AWS_PROFILE must exist, even when the environment has keys.
  if (f.profile_explicit && !profile)
    throw Error(ErrorKind::config, fmt::format("the AWS profile '{}' is in neither {} nor {}", f.profile,
                                               f.credentials_path, f.config_path));
  if (auto c = environment_credentials(ctx_)) return *c;
  w.tried.push_back("environment");
  IniSection p = profile ? *profile : IniSection{};
  if (is_assume_role(p)) {
    w.visited.insert(f.profile);
    return assume_role_profile(w, f.profile, p);
  }
  if (auto c = profile_providers(w, f.profile, p, true)) return *c;
  if (auto c = container(w)) return *c;
  if (auto c = imds(w)) return *c;
  throw Error(ErrorKind::denied, "no AWS credentials found",
              fmt::format("tried: {}; set kestra.secret.aws-secret-manager.access-key-id/secret-key-id, "
                          "AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, or a profile",
                          fmt::join(w.tried, ", ")));
}

// botocore's profile providers, in order: web identity, SSO, credentials file, credential_process,
// config file.
std::optional<AwsCredentials> CredentialChain::profile_providers(Walk& w, const std::string& name,
                                                                 const IniSection& profile, bool env_web_identity) {
  if (auto c = web_identity(w, profile, env_web_identity)) return c;
  if (auto sso = sso_profile(w.files.config, profile, name)) return sso_credentials(http_, *sso, name, ctx_);
  w.tried.push_back("SSO");
  const auto& f = w.files.files;
  if (auto s = credentials_profile(w.files.credentials, name))
    if (auto c = key_pair(ini_value(*s, "aws_access_key_id"), ini_value(*s, "aws_secret_access_key"),
                          ini_value(*s, "aws_session_token"), fmt::format("profile {} ({})", name, f.credentials_path)))
      return c;
  w.tried.push_back(fmt::format("profile {} in {}", name, f.credentials_path));
  if (auto cmd = ini_value(profile, "credential_process"); cmd && !cmd->empty())
    return process_credentials(*cmd, name, ctx_);
  w.tried.push_back("credential_process");
  if (auto s = config_profile(w.files.config, name))
    if (auto c = key_pair(ini_value(*s, "aws_access_key_id"), ini_value(*s, "aws_secret_access_key"),
                          ini_value(*s, "aws_session_token"), fmt::format("profile {} ({})", name, f.config_path)))
      return c;
  w.tried.push_back(fmt::format("profile {} in {}", name, f.config_path));
  return std::nullopt;
}

std::optional<AwsCredentials> CredentialChain::web_identity(Walk& w, const IniSection& profile, bool use_env) {
  auto token_file = env_or_profile(ctx_, use_env, "AWS_WEB_IDENTITY_TOKEN_FILE", profile, "web_identity_token_file");
  if (!token_file) {
    w.tried.push_back("web identity");
    return std::nullopt;
  }
  auto role_arn = env_or_profile(ctx_, use_env, "AWS_ROLE_ARN", profile, "role_arn");
  if (!role_arn)
    throw Error(ErrorKind::config, "a web identity token file is set but no role ARN",
                "set AWS_ROLE_ARN (or role_arn in the profile)");
  RoleRequest role;
  role.role_arn = *role_arn;
  role.session_name = env_or_profile(ctx_, use_env, "AWS_ROLE_SESSION_NAME", profile, "role_session_name")
                          .value_or(default_session_name(ctx_.now()));
  std::string token = fs::read_file(*token_file, ErrorKind::config);
  while (!token.empty() && (token.back() == '\n' || token.back() == '\r' || token.back() == ' ')) token.pop_back();
  StsTarget sts{http_, sts_endpoint(region_, ctx_), region_, ctx_.now};
  auto c = assume_role_with_web_identity(sts, role, token);
  c.source = fmt::format("web identity (role {})", role.role_arn);
  return c;
}

AwsCredentials CredentialChain::assume_role_profile(Walk& w, const std::string& name, const IniSection& profile) {
  auto source_profile = ini_value(profile, "source_profile");
  auto cred_source = ini_value(profile, "credential_source");
  if (source_profile && cred_source)
    throw Error(ErrorKind::config, fmt::format("profile {} has both source_profile and credential_source", name));
  AwsCredentials source;
  if (cred_source) {
    source = credential_source(w, name, *cred_source);
  } else if (*source_profile == name && has_static(profile)) {
    source = *key_pair(ini_value(profile, "aws_access_key_id"), ini_value(profile, "aws_secret_access_key"),
                       ini_value(profile, "aws_session_token"), fmt::format("profile {} (keys)", name));
  } else {
    if (!w.visited.insert(*source_profile).second)
      throw Error(ErrorKind::config,
                  fmt::format("profile {}'s source_profile {} loops back on itself", name, *source_profile),
                  fmt::format("profiles on the path: {}", fmt::join(w.visited, ", ")));
    source = source_profile_credentials(w, *source_profile);
  }
  RoleRequest role;
  role.role_arn = *ini_value(profile, "role_arn");
  role.session_name = ini_value(profile, "role_session_name").value_or(default_session_name(ctx_.now()));
  role.external_id = ini_value(profile, "external_id");
  role.duration_seconds = duration_of(profile, name);
  StsTarget sts{http_, sts_endpoint(region_, ctx_), region_, ctx_.now};
  auto c = assume_role(sts, source.keys, role);
  c.source = fmt::format("profile {} (assume role {} with {})", name, role.role_arn, source.source);
  return c;
}

AwsCredentials CredentialChain::source_profile_credentials(Walk& w, const std::string& name) {
  auto profile = merged_profile(w.files, name);
  if (!profile)
    throw Error(ErrorKind::config, fmt::format("source_profile {} is in neither {} nor {}", name,
                                               w.files.files.credentials_path, w.files.files.config_path));
  if (!has_static(*profile) && is_assume_role(*profile)) return assume_role_profile(w, name, *profile);
  if (auto c = profile_providers(w, name, *profile, false)) return *c;
  throw Error(ErrorKind::config, fmt::format("source_profile {} has no credentials", name));
}

AwsCredentials CredentialChain::credential_source(Walk& w, const std::string& name, const std::string& kind) {
  std::optional<AwsCredentials> c;
  if (kind == "Environment") {
    c = environment_credentials(ctx_);
  } else if (kind == "Ec2InstanceMetadata") {
    c = imds(w);
  } else if (kind == "EcsContainer") {
    c = container(w);
  } else {
    throw Error(ErrorKind::config, fmt::format("profile {} has credential_source '{}'", name, kind),
                "use Environment, Ec2InstanceMetadata or EcsContainer");
  }
  if (!c)
    throw Error(ErrorKind::denied, fmt::format("profile {}'s credential_source {} has no credentials", name, kind),
                w.tried.empty() ? std::string() : fmt::format("tried: {}", w.tried.back()));
  return *c;
}

http::Client& CredentialChain::metadata_client(std::unique_ptr<http::Client>& slot, std::chrono::milliseconds timeout,
                                               int attempts) {
  if (!slot) slot = std::make_unique<http::Client>(metadata_http_options(http_.options(), timeout, attempts));
  return *slot;
}

std::optional<AwsCredentials> CredentialChain::container(Walk& w) {
  if (!container_configured(ctx_)) {
    w.tried.push_back("container credentials");
    return std::nullopt;
  }
  return container_credentials(metadata_client(container_http_, kContainerTimeout, kContainerAttempts), ctx_);
}

std::optional<AwsCredentials> CredentialChain::imds(Walk& w) {
  if (imds_disabled(ctx_)) {
    w.tried.push_back("EC2 instance metadata (disabled)");
    return std::nullopt;
  }
  std::string why;
  auto c = imds_credentials(metadata_client(imds_http_, imds_timeout(ctx_), imds_attempts(ctx_)), ctx_, why);
  if (!c) w.tried.push_back(why);
  return c;
}

}  // namespace ks::aws
