#include "backends/aws/credentials.hpp"

#include <fmt/format.h>

#include "backends/aws/ini.hpp"
#include "src/core/error.hpp"
#include "src/core/fs.hpp"

namespace ks::aws {
namespace {

IniFile load_ini(const std::string& path) {
  if (path.empty() || !fs::exists(path)) return {};
  return parse_ini(fs::read_file(path, ErrorKind::config));
}

std::optional<AwsCredentials> pair(const std::optional<std::string>& key, const std::optional<std::string>& secret,
                                   const std::optional<std::string>& token, const std::string& source) {
  bool has_key = key && !key->empty();
  bool has_secret = secret && !secret->empty();
  if (!has_key && !has_secret) return std::nullopt;
  if (has_key != has_secret)
    throw Error(ErrorKind::config, fmt::format("{} has {} but not {}", source, has_key ? "an access key id" : "a secret key",
                                               has_key ? "its secret key" : "its access key id"));
  AwsCredentials c;
  c.keys.access_key_id = *key;
  c.keys.secret_access_key = *secret;
  if (token) c.keys.session_token = *token;
  c.source = source;
  return c;
}

std::optional<std::string> get(const IniSection& s, const std::string& k) {
  auto it = s.find(k);
  if (it == s.end()) return std::nullopt;
  return it->second;
}

}  // namespace

SharedFiles shared_files(const Context& ctx) {
  SharedFiles f;
  std::string home = ctx.home.empty() ? "." : ctx.home;
  f.config_path = ctx.getenv_or("AWS_CONFIG_FILE", home + "/.aws/config");
  f.credentials_path = ctx.getenv_or("AWS_SHARED_CREDENTIALS_FILE", home + "/.aws/credentials");
  auto p = ctx.getenv_or("AWS_PROFILE", ctx.getenv_or("AWS_DEFAULT_PROFILE", ""));
  f.profile_explicit = !p.empty();
  f.profile = p.empty() ? "default" : p;
  return f;
}

std::optional<AwsCredentials> static_credentials(const config::AwsSettings& s, const Context& ctx) {
  if (auto c = pair(s.access_key_id, s.secret_key_id, s.session_token,
                    "kestra.secret.aws-secret-manager (static keys)"))
    return c;
  auto files = shared_files(ctx);
  IniFile creds = load_ini(files.credentials_path);
  IniFile config = load_ini(files.config_path);
  auto from_creds = credentials_profile(creds, files.profile);
  auto from_config = config_profile(config, files.profile);
  // As the AWS CLI: a profile named by AWS_PROFILE must exist, even when the environment has keys.
  if (files.profile_explicit && !from_creds && !from_config)
    throw Error(ErrorKind::config, fmt::format("the AWS profile '{}' is in neither {} nor {}", files.profile,
                                               files.credentials_path, files.config_path));
  if (auto c = pair(ctx.getenv("AWS_ACCESS_KEY_ID"), ctx.getenv("AWS_SECRET_ACCESS_KEY"), ctx.getenv("AWS_SESSION_TOKEN"),
                    "environment (AWS_ACCESS_KEY_ID)"))
    return c;
  if (from_creds) {
    if (auto c = pair(get(*from_creds, "aws_access_key_id"), get(*from_creds, "aws_secret_access_key"),
                      get(*from_creds, "aws_session_token"),
                      fmt::format("profile {} ({})", files.profile, files.credentials_path)))
      return c;
  }
  if (from_config) {
    if (auto c = pair(get(*from_config, "aws_access_key_id"), get(*from_config, "aws_secret_access_key"),
                      get(*from_config, "aws_session_token"), fmt::format("profile {} ({})", files.profile, files.config_path)))
      return c;
  }
  return std::nullopt;
}

std::optional<std::string> resolve_region(const config::AwsSettings& s, const Context& ctx) {
  if (s.region && !s.region->empty()) return s.region;
  for (const char* var : {"AWS_REGION", "AWS_DEFAULT_REGION"}) {
    auto v = ctx.getenv_or(var, "");
    if (!v.empty()) return v;
  }
  auto files = shared_files(ctx);
  auto config = load_ini(files.config_path);
  if (auto p = config_profile(config, files.profile)) {
    if (auto r = get(*p, "region"); r && !r->empty()) return r;
  }
  return std::nullopt;
}

}  // namespace ks::aws
