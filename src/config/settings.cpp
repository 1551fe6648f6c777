#include "src/config/settings.hpp"

#include <cmath>
#include <fmt/format.h>

#include "src/config/binding.hpp"
#include "src/config/schema.hpp"
#include "src/core/error.hpp"

namespace ks::config {
namespace {

using nlohmann::json;

std::string block_path(std::string_view type) { return std::string(kSecretRoot) + "." + std::string(type); }

[[noreturn]] void wrong_type(const std::string& path, std::string_view expected) {
  throw Error(ErrorKind::config, fmt::format("{} must be {}", path, expected),
              "run kestra-secrets check-config for every problem of the configuration");
}

std::optional<std::string> opt_string(const Loaded& cfg, const std::string& path) {
  const json* v = get_path(cfg.tree, path);
  if (!v || v->is_null()) return std::nullopt;
  if (v->is_string()) return v->get<std::string>();
  if (v->is_number() || v->is_boolean()) return v->dump();
  wrong_type(path, "a string");
}

bool opt_bool(const Loaded& cfg, const std::string& path, bool fallback) {
  const json* v = get_path(cfg.tree, path);
  if (!v || v->is_null()) return fallback;
  if (!v->is_boolean()) wrong_type(path, "true or false");
  return v->get<bool>();
}

std::string scalar_text(const json& v, const std::string& path) {
  if (v.is_string()) return v.get<std::string>();
  if (v.is_number() || v.is_boolean()) return v.dump();
  if (v.is_null()) return "";
  wrong_type(path, "a map of strings");
}

std::map<std::string, std::string> opt_map(const Loaded& cfg, const std::string& path) {
  std::map<std::string, std::string> out;
  const json* v = get_path(cfg.tree, path);
  if (!v || v->is_null()) return out;
  if (!v->is_object()) wrong_type(path, "a map of tag names to values");
  for (auto it = v->begin(); it != v->end(); ++it) out[it.key()] = scalar_text(it.value(), path + "." + it.key());
  return out;
}

std::vector<ExcludedTag> opt_excluded(const Loaded& cfg, const std::string& path) {
  std::vector<ExcludedTag> out;
  const json* v = get_path(cfg.tree, path);
  if (!v || v->is_null()) return out;
  if (v->is_object()) {
    for (auto it = v->begin(); it != v->end(); ++it)
      out.push_back({it.key(), scalar_text(it.value(), path + "." + it.key())});
  } else if (v->is_array()) {
    for (const auto& item : *v) out.push_back({scalar_text(item, path), std::nullopt});
  } else {
    wrong_type(path, "a map of tags or a list of tag names");
  }
  return out;
}

std::optional<std::chrono::milliseconds> opt_duration(const Loaded& cfg, const std::string& path) {
  const json* v = get_path(cfg.tree, path);
  if (!v || v->is_null()) return std::nullopt;
  const std::string text = v->is_string() ? v->get<std::string>() : v->dump();
  auto d = parse_duration(text);
  if (!d) wrong_type(path, "a duration such as PT15S or 15");
  return d;
}

std::optional<double> iso_number(std::string_view& s) {
  size_t n = 0;
  while (n < s.size() && ((s[n] >= '0' && s[n] <= '9') || s[n] == '.' || s[n] == ',')) ++n;
  if (n == 0) return std::nullopt;
  std::string num(s.substr(0, n));
  for (auto& c : num)
    if (c == ',') c = '.';
  s.remove_prefix(n);
  try {
    return std::stod(num);
  } catch (...) {
    return std::nullopt;
  }
}

// PnDTnHnMnS, upper or lower case.
std::optional<double> parse_iso_seconds(std::string_view s) {
  if (s.empty() || (s[0] != 'P' && s[0] != 'p')) return std::nullopt;
  s.remove_prefix(1);
  double total = 0;
  bool in_time = false, any = false;
  while (!s.empty()) {
    if (s[0] == 'T' || s[0] == 't') {
      in_time = true;
      s.remove_prefix(1);
      continue;
    }
    auto n = iso_number(s);
    if (!n || s.empty()) return std::nullopt;
    const char unit = static_cast<char>(std::toupper(static_cast<unsigned char>(s[0])));
    s.remove_prefix(1);
    if (!in_time && unit == 'D') total += *n * 86400;
    else if (in_time && unit == 'H') total += *n * 3600;
    else if (in_time && unit == 'M') total += *n * 60;
    else if (in_time && unit == 'S') total += *n;
    else return std::nullopt;
    any = true;
  }
  return any ? std::optional<double>(total) : std::nullopt;
}

std::optional<double> parse_simple_seconds(std::string_view s) {
  std::string_view rest = s;
  auto n = iso_number(rest);
  if (!n) return std::nullopt;
  if (rest.empty() || rest == "s") return *n;
  if (rest == "ms") return *n / 1000;
  if (rest == "m") return *n * 60;
  if (rest == "h") return *n * 3600;
  if (rest == "d") return *n * 86400;
  return std::nullopt;
}

ViewSettings view_of(const Loaded& cfg, const std::string& block) {
  ViewSettings v;
  v.read_only = opt_bool(cfg, std::string(kSecretRoot) + ".read-only", false) || opt_bool(cfg, block + ".read-only", false);
  v.prefix = opt_string(cfg, block + ".prefix").value_or("");
  v.tags = opt_map(cfg, block + ".tags");
  v.filter_on_tags = opt_map(cfg, block + ".filter-on-tags.tags");
  v.excluded_tags = opt_excluded(cfg, block + ".excluded-tags");
  v.filter_on_prefix = opt_string(cfg, block + ".filter-on-prefix.prefix");
  v.keep_prefix = opt_bool(cfg, block + ".filter-on-prefix.keep-prefix", kDefaultKeepPrefix);
  return v;
}

VaultAuth pick_vault_auth(const VaultSettings& s) {
  std::vector<VaultAuth> set;
  if (s.token) set.push_back(VaultAuth::token);
  if (s.user || s.password) set.push_back(VaultAuth::userpass);
  if (s.role_id || s.secret_id) set.push_back(VaultAuth::approle);
  if (s.kubernetes_role) set.push_back(VaultAuth::kubernetes);
  if (set.size() > 1)
    throw Error(ErrorKind::config,
                fmt::format("kestra.secret.vault configures two auth methods ({} and {})",
                            vault_auth_name(set[0]), vault_auth_name(set[1])),
                "keep exactly one of token, password, app-role, kubernetes");
  return set.empty() ? VaultAuth::none : set[0];
}

}  // namespace

std::optional<std::chrono::milliseconds> parse_duration(std::string_view text) {
  while (!text.empty() && text.front() == ' ') text.remove_prefix(1);
  while (!text.empty() && text.back() == ' ') text.remove_suffix(1);
  auto secs = parse_iso_seconds(text);
  if (!secs) secs = parse_simple_seconds(text);
  if (!secs || *secs < 0 || !std::isfinite(*secs)) return std::nullopt;
  return std::chrono::milliseconds(static_cast<long long>(std::llround(*secs * 1000)));
}

std::optional<KeyEncoding> parse_key_encoding(std::string_view t) {
  if (t == "auto") return KeyEncoding::auto_detect;
  if (t == "base64") return KeyEncoding::base64;
  if (t == "utf8" || t == "utf-8") return KeyEncoding::utf8;
  return std::nullopt;
}

std::string_view vault_auth_name(VaultAuth a) {
  switch (a) {
    case VaultAuth::token: return "token";
    case VaultAuth::userpass: return "password";
    case VaultAuth::approle: return "app-role";
    case VaultAuth::kubernetes: return "kubernetes";
    case VaultAuth::none: break;
  }
  return "none";
}

EnvSettings env_settings(const Loaded& cfg, const Sources& sources) {
  EnvSettings s;
  s.file = sources.env_file ? sources.env_file : opt_string(cfg, block_path(kTypeEnv) + ".file");
  s.read_only = opt_bool(cfg, std::string(kSecretRoot) + ".read-only", false) ||
                opt_bool(cfg, block_path(kTypeEnv) + ".read-only", false);
  return s;
}

ViewSettings view_settings(const Loaded& cfg, std::string_view type) {
  return view_of(cfg, block_path(type == kTypeAzureAlias ? kTypeAzure : type));
}

AwsSettings aws_settings(const Loaded& cfg) {
  const std::string b = block_path(kTypeAws);
  AwsSettings s;
  s.access_key_id = opt_string(cfg, b + ".access-key-id");
  s.secret_key_id = opt_string(cfg, b + ".secret-key-id");
  s.session_token = opt_string(cfg, b + ".session-token");
  s.region = opt_string(cfg, b + ".region");
  s.endpoint_override = opt_string(cfg, b + ".endpoint-override");
  s.ca_file = opt_string(cfg, b + ".ca-file");
  s.view = view_of(cfg, b);
  return s;
}

AzureSettings azure_settings(const Loaded& cfg) {
  const std::string b = block_path(kTypeAzure);
  AzureSettings s;
  s.tenant_id = opt_string(cfg, b + ".client-secret.tenant-id");
  s.client_id = opt_string(cfg, b + ".client-secret.client-id");
  s.client_secret = opt_string(cfg, b + ".client-secret.client-secret");
  s.vault_name = opt_string(cfg, b + ".vault-name");
  s.key_vault_uri = opt_string(cfg, b + ".key-vault-uri");
  s.ca_file = opt_string(cfg, b + ".ca-file");
  s.view = view_of(cfg, b);
  return s;
}

std::optional<std::string> azure_vault_url(const AzureSettings& s) {
  if (s.key_vault_uri && !s.key_vault_uri->empty()) return s.key_vault_uri;
  if (s.vault_name && !s.vault_name->empty()) return "https://" + *s.vault_name + ".vault.azure.net";
  return std::nullopt;
}

GoogleSettings google_settings(const Loaded& cfg) {
  const std::string b = block_path(kTypeGoogle);
  GoogleSettings s;
  s.project = opt_string(cfg, b + ".project");
  s.service_account = opt_string(cfg, b + ".service-account");
  s.endpoint_override = opt_string(cfg, b + ".endpoint-override");
  s.location = opt_string(cfg, b + ".location");
  s.ca_file = opt_string(cfg, b + ".ca-file");
  s.view = view_of(cfg, b);
  return s;
}

VaultSettings vault_settings(const Loaded& cfg) {
  const std::string b = block_path(kTypeVault);
  VaultSettings s;
  s.address = opt_string(cfg, b + ".address");
  s.namespace_ = opt_string(cfg, b + ".namespace");
  if (const json* v = get_path(cfg.tree, b + ".engine-version"); v && !v->is_null()) {
    if (!v->is_number_integer()) wrong_type(b + ".engine-version", "1 or 2");
    s.engine_version = v->get<int>();
  }
  s.root_engine = opt_string(cfg, b + ".root-engine").value_or(std::string(kDefaultVaultRootEngine));
  s.secret_path_prefix = opt_string(cfg, b + ".secret-path-prefix").value_or("");
  s.token = opt_string(cfg, b + ".token.token");
  s.user = opt_string(cfg, b + ".password.user");
  s.password = opt_string(cfg, b + ".password.password");
  s.approle_path = opt_string(cfg, b + ".app-role.path").value_or(std::string(kDefaultVaultAppRolePath));
  s.role_id = opt_string(cfg, b + ".app-role.role-id");
  s.secret_id = opt_string(cfg, b + ".app-role.secret-id");
  s.kubernetes_path = opt_string(cfg, b + ".kubernetes.path").value_or(std::string(kDefaultVaultKubernetesPath));
  s.kubernetes_role = opt_string(cfg, b + ".kubernetes.role");
  s.kubernetes_token_file =
      opt_string(cfg, b + ".kubernetes.token-file").value_or(std::string(kDefaultVaultKubernetesTokenFile));
  s.connect_timeout = opt_duration(cfg, b + ".connect-timeout");
  s.read_timeout = opt_duration(cfg, b + ".read-timeout");
  s.ca_file = opt_string(cfg, b + ".ca-file");
  s.view = view_of(cfg, b);
  s.auth = pick_vault_auth(s);
  return s;
}

std::string resolve_vault_address(const VaultSettings& s, const Context& ctx) {
  if (s.address && !s.address->empty()) return *s.address;
  return ctx.getenv_or("VAULT_ADDR", std::string(kDefaultVaultAddress));
}

std::optional<std::string> resolve_vault_namespace(const VaultSettings& s, const Context& ctx) {
  if (s.namespace_ && !s.namespace_->empty()) return s.namespace_;
  if (auto ns = ctx.getenv("VAULT_NAMESPACE"); ns && !ns->empty()) return ns;
  return std::nullopt;
}

ElasticsearchSettings elasticsearch_settings(const Loaded& cfg) {
  const std::string b = block_path(kTypeElastic), c = std::string(kElasticRoot) + ".client";
  ElasticsearchSettings s;
  s.secret = opt_string(cfg, b + ".secret").value_or("");
  if (auto enc = opt_string(cfg, b + ".key-encoding")) {
    auto parsed = parse_key_encoding(*enc);
    if (!parsed) wrong_type(b + ".key-encoding", "auto, base64 or utf8");
    s.key_encoding = *parsed;
  }
  if (const json* h = get_path(cfg.tree, c + ".http-hosts"); h && !h->is_null()) {
    if (h->is_string()) s.hosts = split_list(h->get<std::string>());
    else if (h->is_array())
      for (const auto& item : *h) s.hosts.push_back(scalar_text(item, c + ".http-hosts"));
    else wrong_type(c + ".http-hosts", "a URL or a list of URLs");
  }
  if (s.hosts.empty()) {
    s.hosts = {std::string(kDefaultElasticHost)};
    s.hosts_defaulted = true;
  }
  s.username = opt_string(cfg, c + ".basic-auth.username");
  s.password = opt_string(cfg, c + ".basic-auth.password");
  s.api_key = opt_string(cfg, c + ".api-key");
  s.trust_all_ssl = opt_bool(cfg, c + ".trust-all-ssl", false);
  s.indice_prefix = opt_string(cfg, std::string(kElasticRoot) + ".defaults.indice-prefix")
                        .value_or(std::string(kDefaultIndicePrefix));
  s.ca_file = opt_string(cfg, b + ".ca-file");
  s.read_only = opt_bool(cfg, std::string(kSecretRoot) + ".read-only", false) || opt_bool(cfg, b + ".read-only", false);
  return s;
}

}  // namespace ks::config
