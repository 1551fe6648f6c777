#include "backends/aws/credentials.hpp"

#include <fmt/format.h>

#include "src/core/error.hpp"
#include "src/core/fs.hpp"

namespace ks::aws {

IniFile load_ini_file(const std::string& path) {
  if (path.empty() || !fs::exists(path)) return {};
  return parse_ini(fs::read_file(path, ErrorKind::config));
}

std::optional<AwsCredentials> key_pair(const std::optional<std::string>& key, const std::optional<std::string>& secret,
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

std::optional<std::string> ini_value(const IniSection& s, const std::string& k) {
  auto it = s.find(k);
  if (it == s.end()) return std::nullopt;
  return it->second;
}

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

LoadedFiles load_shared_files(const Context& ctx) {
  LoadedFiles l;
  l.files = shared_files(ctx);
  l.config = load_ini_file(l.files.config_path);
  l.credentials = load_ini_file(l.files.credentials_path);
  return l;
}

std::optional<IniSection> merged_profile(const LoadedFiles& f, const std::string& name) {
  auto from_config = config_profile(f.config, name);
  auto from_creds = credentials_profile(f.credentials, name);
  if (!from_config && !from_creds) return std::nullopt;
  IniSection out = from_config ? *from_config : IniSection{};
  if (from_creds)
    for (const auto& [k, v] : *from_creds) out[k] = v;
  return out;
}

std::optional<AwsCredentials> config_credentials(const config::AwsSettings& s) {
  return key_pair(s.access_key_id, s.secret_key_id, s.session_token, "kestra.secret.aws-secret-manager (static keys)");
}

std::optional<std::string> resolve_region(const config::AwsSettings& s, const Context& ctx) {
  if (s.region && !s.region->empty()) return s.region;
  for (const char* var : {"AWS_REGION", "AWS_DEFAULT_REGION"}) {
    auto v = ctx.getenv_or(var, "");
    if (!v.empty()) return v;
  }
  auto files = shared_files(ctx);
  auto config = load_ini_file(files.config_path);
  if (auto p = config_profile(config, files.profile)) {
    if (auto r = ini_value(*p, "region"); r && !r->empty()) return r;
  }
  return std::nullopt;
}

}  // namespace ks::aws
