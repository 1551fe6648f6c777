// Validation rules of Vault and Elasticsearch.
// DECISION: two Vault auth methods configured at once is an ERROR (which identity Kestra would use
// is not documented; guessing could read or write with the wrong policies). Elasticsearch
// basic-auth together with the api-key extension is an error for the same reason.
#include <fmt/format.h>

#include "src/config/checks.hpp"
#include "src/config/es_key.hpp"
#include "src/config/schema.hpp"
#include "src/config/settings.hpp"
#include "src/config/validate_internal.hpp"
#include "src/core/fs.hpp"

namespace ks::config {
namespace {

const std::string kVault = std::string(kSecretRoot) + "." + std::string(kTypeVault);

bool any_present(Checker& c, const std::string& b, std::initializer_list<const char*> keys) {
  for (const char* k : keys)
    if (c.at(b + "." + k) && !c.at(b + "." + k)->is_null()) return true;
  return false;
}

void require(Checker& c, const std::string& path, const std::string& what) {
  if (!c.present(path)) c.error(path, fmt::format("missing: {} needs it", what));
}

// Returns the configured methods, in order token, password, app-role, kubernetes.
std::vector<std::string> vault_methods(Checker& c) {
  std::vector<std::string> m;
  if (any_present(c, kVault, {"token"})) m.push_back("token");
  if (any_present(c, kVault, {"password"})) m.push_back("password");
  if (any_present(c, kVault, {"app-role"})) m.push_back("app-role");
  if (any_present(c, kVault, {"kubernetes"})) m.push_back("kubernetes");
  return m;
}

std::string vault_credentials(Checker& c, const std::string& method) {
  const std::string b = kVault + "." + method;
  if (method == "token") {
    require(c, b + ".token", "token auth");
    return "token in configuration";
  }
  if (method == "password") {
    require(c, b + ".user", "userpass auth");
    require(c, b + ".password", "userpass auth");
    return fmt::format("userpass login in configuration (user {})", c.text(b + ".user").value_or("?"));
  }
  if (method == "app-role") {
    require(c, b + ".role-id", "AppRole auth");
    require(c, b + ".secret-id", "AppRole auth");
    return fmt::format("AppRole login in configuration (mount {})",
                       c.text(b + ".path").value_or(std::string(kDefaultVaultAppRolePath)));
  }
  require(c, b + ".role", "Kubernetes auth");
  if (auto f = c.text(b + ".token-file"); f && !fs::exists(*f))
    c.warn(b + ".token-file", fmt::format("{} does not exist here (it must exist where the tool runs)", shown(*f)));
  return fmt::format("Kubernetes login (role {}, mount {})", c.text(b + ".role").value_or("?"),
                     c.text(b + ".path").value_or(std::string(kDefaultVaultKubernetesPath)));
}

std::string vault_default_credentials(Checker& c) {
  if (auto t = c.ctx.getenv("VAULT_TOKEN"); t && !t->empty()) return "VAULT_TOKEN environment variable";
  if (!c.ctx.home.empty() && fs::exists(c.ctx.home + "/.vault-token")) return "~/.vault-token";
  c.error(kVault, "no Vault credentials: none of token, password, app-role, kubernetes is configured",
          "configure one, or set VAULT_TOKEN, or run vault login (~/.vault-token)");
  return "none";
}

void check_vault_paths(Checker& c) {
  for (const char* key : {"root-engine", "secret-path-prefix"}) {
    auto v = c.text(kVault + "." + key);
    if (v && (v->front() == '/' || v->back() == '/'))
      c.warn(kVault + "." + key, fmt::format("{} starts or ends with '/'", shown(*v)), "write it without slashes at the ends");
  }
}

void check_vault_engine(Checker& c) {
  const auto* ev = c.at(kVault + ".engine-version");
  if (!ev || !ev->is_number_integer()) return;  // absent: 2; wrong type: reported by the structure pass
  const auto v = ev->get<long long>();
  if (v != 1 && v != 2) {
    c.error(kVault + ".engine-version", fmt::format("engine-version {} does not exist: KV is version 1 or 2", v));
    return;
  }
  if (v == 1)
    for (const char* key : {"tags", "filter-on-tags", "excluded-tags"})
      if (any_present(c, kVault, {key}))
        c.error(kVault + "." + key, "KV version 1 keeps no metadata: tags need engine-version 2");
}

void check_es_key(Checker& c, const std::string& b) {
  auto secret = c.text(b + ".secret");
  if (!secret) return;  // missing: reported as a required key
  KeyEncoding enc = KeyEncoding::auto_detect;
  if (auto e = c.text(b + ".key-encoding")) {
    auto parsed = parse_key_encoding(*e);
    if (!parsed) {
      c.error(b + ".key-encoding", fmt::format("{} is not auto, base64 or utf8", shown(*e)));
      return;
    }
    enc = *parsed;
  }
  const EsKeyInfo info = describe_es_key(*secret, enc);
  if (!info.ok) {
    c.error(b + ".secret", "unusable encryption key: " + info.problem,
            "generate one with: openssl rand -base64 32");
    return;
  }
  if (info.used == KeyEncoding::base64) {
    c.note(b + ".secret", fmt::format("encryption key: Base64 of {} bytes, AES-{}-GCM (Kestra compatible)",
                                      info.key_bytes, info.key_bytes * 8));
    if (info.ambiguous)
      c.warn(b + ".secret", "the key is valid Base64 and also 32 characters or more: Base64 is used",
             "set key-encoding: base64 or utf8 to pin the choice");
  } else {
    c.note(b + ".secret", "encryption key: first 32 bytes of its UTF-8 text, AES-256-GCM");
    c.warn(b + ".secret", "Kestra's EncryptionService only accepts a Base64 key of 16, 24 or 32 bytes",
           "Kestra itself cannot decrypt with this key; generate one with: openssl rand -base64 32");
  }
}

void check_es_client(Checker& c, bool with_credentials) {
  const std::string cl = std::string(kElasticRoot) + ".client";
  const auto* hosts = c.at(cl + ".http-hosts");
  if (!hosts || hosts->is_null()) {
    c.warn(cl + ".http-hosts", fmt::format("not configured: {} is used", kDefaultElasticHost));
  } else if (hosts->is_string()) {
    check_endpoint(c, cl + ".http-hosts", hosts->get<std::string>(), with_credentials);
  } else if (hosts->is_array()) {
    for (const auto& h : *hosts)
      if (h.is_string()) check_endpoint(c, cl + ".http-hosts", h.get<std::string>(), with_credentials);
  }
  if (const auto* t = c.at(cl + ".trust-all-ssl"); t && t->is_boolean() && t->get<bool>())
    c.warn(cl + ".trust-all-ssl", "TLS certificates are NOT verified: anyone on the path can read the secrets",
           "give the cluster's CA with --ca-file or kestra.secret.elasticsearch.ca-file instead");
}

}  // namespace

void check_vault(Checker& c) {
  const auto methods = vault_methods(c);
  if (methods.size() > 1) {
    std::string names;
    for (const auto& m : methods) names += (names.empty() ? "" : ", ") + m;
    c.error(kVault, fmt::format("conflicting auth methods: {}", names), "keep exactly one");
  }
  c.report.credential_source = methods.empty() ? vault_default_credentials(c) : vault_credentials(c, methods.front());
  if (auto addr = c.text(kVault + ".address")) {
    check_endpoint(c, kVault + ".address", *addr, true);
  } else if (auto env = c.ctx.getenv("VAULT_ADDR"); env && !env->empty()) {
    c.note(kVault + ".address", "not configured: VAULT_ADDR is used");
    check_endpoint(c, "VAULT_ADDR", *env, true);
  } else {
    c.warn(kVault + ".address", fmt::format("not configured: {} (the Vault CLI's default) is used", kDefaultVaultAddress),
           "set kestra.secret.vault.address or VAULT_ADDR");
  }
  check_vault_engine(c);
  check_vault_paths(c);
  check_ca_file(c, kVault);
}

void check_elasticsearch(Checker& c) {
  const std::string b = std::string(kSecretRoot) + "." + std::string(kTypeElastic);
  const std::string cl = std::string(kElasticRoot) + ".client";
  check_es_key(c, b);
  const bool user = c.present(cl + ".basic-auth.username"), pass = c.present(cl + ".basic-auth.password");
  const bool api_key = c.present(cl + ".api-key");
  if (user != pass)
    c.error(cl + ".basic-auth." + (user ? "password" : "username"), "basic-auth needs both username and password");
  if (user && api_key) c.error(cl + ".api-key", "conflicting auth methods: basic-auth and api-key", "keep exactly one");
  c.report.credential_source = api_key ? "API key in configuration"
                               : user  ? fmt::format("basic auth in configuration (user {})", *c.text(cl + ".basic-auth.username"))
                                       : "none (anonymous)";
  check_es_client(c, user || api_key);
  const std::string prefix_path = std::string(kElasticRoot) + ".defaults.indice-prefix";
  if (const auto* p = c.at(prefix_path); p && p->is_string())
    if (auto problem = index_name_problem(p->get<std::string>() + "secrets"))
      c.error(prefix_path, fmt::format("{} makes an invalid index name: {}", shown(*p), *problem),
              "lower-case letters, digits, '-' and '_' (not first)");
  check_ca_file(c, b);
}

}  // namespace ks::config
