#include "backends/vault/vault_session.hpp"

#include <fmt/format.h>

#include "backends/vault/vault_paths.hpp"
#include "src/core/fs.hpp"
#include "src/core/json_fields.hpp"

namespace ks::vault {
namespace {

using nlohmann::json;

constexpr std::string_view kUserpassMount = "userpass";  // Kestra's password.* has no mount option
constexpr std::string_view kTokenFile = "/.vault-token";

std::string trim(std::string s) {
  auto not_space = [](unsigned char c) { return !std::isspace(c); };
  s.erase(s.begin(), std::find_if(s.begin(), s.end(), not_space));
  s.erase(std::find_if(s.rbegin(), s.rend(), not_space).base(), s.end());
  return s;
}

Login default_token(const Context& ctx) {
  if (auto t = ctx.getenv("VAULT_TOKEN"); t && !trim(*t).empty()) return {trim(*t), "VAULT_TOKEN"};
  if (!ctx.home.empty() && fs::exists(ctx.home + std::string(kTokenFile))) {
    auto t = trim(fs::read_file(ctx.home + std::string(kTokenFile), ErrorKind::config));
    if (!t.empty()) return {t, "~/.vault-token"};
  }
  throw Error(ErrorKind::denied, "no Vault credentials found",
              "configure kestra.secret.vault.token.token (or password, app-role, kubernetes), set VAULT_TOKEN, "
              "or run 'vault login' (~/.vault-token)");
}

std::string kubernetes_jwt(const config::VaultSettings& s) {
  std::string jwt;
  try {
    jwt = trim(fs::read_file(s.kubernetes_token_file, ErrorKind::config));
  } catch (const Error&) {
    throw Error(ErrorKind::config, fmt::format("cannot read the Kubernetes service-account token {}", s.kubernetes_token_file),
                "set kestra.secret.vault.kubernetes.token-file, or run inside a pod");
  }
  if (jwt.empty())
    throw Error(ErrorKind::config, fmt::format("the Kubernetes service-account token {} is empty", s.kubernetes_token_file));
  return jwt;
}

}  // namespace

Login authenticate(const config::VaultSettings& s, const Context& ctx, Client& client) {
  using config::VaultAuth;
  switch (s.auth) {
    case VaultAuth::token:
      return {*s.token, "token (kestra.secret.vault.token.token)"};
    case VaultAuth::userpass: {
      if (!s.user || !s.password)
        throw Error(ErrorKind::config, "kestra.secret.vault.password needs both user and password");
      std::string path = join({"auth", kUserpassMount, "login", escape_path(*s.user)});
      return {client.login(path, json{{"password", *s.password}}, "password"), fmt::format("password (user {})", *s.user)};
    }
    case VaultAuth::approle: {
      if (!s.role_id || !s.secret_id)
        throw Error(ErrorKind::config, "kestra.secret.vault.app-role needs role-id and secret-id");
      std::string path = join({"auth", escape_path(s.approle_path), "login"});
      return {client.login(path, json{{"role_id", *s.role_id}, {"secret_id", *s.secret_id}}, "app-role"),
              fmt::format("app-role (mount {})", s.approle_path)};
    }
    case VaultAuth::kubernetes: {
      std::string path = join({"auth", escape_path(s.kubernetes_path), "login"});
      json body = {{"role", *s.kubernetes_role}, {"jwt", kubernetes_jwt(s)}};
      return {client.login(path, body, "kubernetes"),
              fmt::format("kubernetes (mount {}, role {})", s.kubernetes_path, *s.kubernetes_role)};
    }
    case VaultAuth::none:
      break;
  }
  return default_token(ctx);
}

Mount detect_mount(Client& client, const std::string& root_engine, int configured) {
  auto r = client.send(Call{"GET", "sys/internal/ui/mounts/" + escape_path(root_engine), ""});
  Mount m{root_engine, "", 1};
  if (r.status == 403 && error_text(r).find("preflight capability check") != std::string::npos)
    throw Error(ErrorKind::config,
                fmt::format("the Vault mount '{}/' does not exist, or the token may use nothing under it", root_engine),
                "check kestra.secret.vault.root-engine (the KV mount, default 'secret') and the token's policies");
  if (r.status == 200) {
    auto doc = parse_body(r, "mount preflight");
    const json& data = doc.contains("data") && doc["data"].is_object() ? doc["data"] : doc;
    if (json_string(json_field(data, "options"), "version") == "2") m.version = 2;
    std::string path = join({json_string(data, "path")});
    if (!path.empty() && root_engine.compare(0, path.size(), path) == 0 &&
        (root_engine.size() == path.size() || root_engine[path.size()] == '/')) {
      m.path = path;
      m.sub = join({std::string_view(root_engine).substr(path.size())});
    }
  } else if (r.status != 404) {  // 404: a server older than the endpoint, KV v1 (the Vault CLI's rule)
    throw map_error(r, "mount preflight");
  }
  if (m.version != configured)
    throw Error(ErrorKind::config,
                fmt::format("kestra.secret.vault.engine-version is {}, but the mount '{}/' is KV version {}", configured,
                            m.path, m.version),
                fmt::format("set engine-version: {}", m.version));
  return m;
}

}  // namespace ks::vault
