// Typed settings per backend, read from a Loaded configuration (config.hpp), so backend code never
// reads raw JSON. Each accessor reads its block (kestra.secret.<type>; Elasticsearch also
// kestra.elasticsearch.client/defaults) and throws Error{config} naming the key when a value has
// the wrong type or the block is contradictory (two Vault auth methods). Absent optional keys are
// std::nullopt; defaults are the named constants below. No environment fallback here except in the
// resolve_* helpers, which say so.
#pragma once

#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "src/config/config.hpp"
#include "src/core/context.hpp"

namespace ks::config {

inline constexpr bool kDefaultKeepPrefix = false;
inline constexpr int kDefaultVaultEngineVersion = 2;
inline constexpr std::string_view kDefaultVaultRootEngine = "secret";
inline constexpr std::string_view kDefaultVaultAppRolePath = "approle";
inline constexpr std::string_view kDefaultVaultKubernetesPath = "kubernetes";
inline constexpr std::string_view kDefaultVaultKubernetesTokenFile = "/var/run/secrets/kubernetes.io/serviceaccount/token";
inline constexpr std::string_view kDefaultVaultAddress = "https://127.0.0.1:8200";  // the Vault CLI's
inline constexpr std::string_view kDefaultElasticHost = "http://localhost:9200";
inline constexpr std::string_view kDefaultIndicePrefix = "kestra_";

// excluded-tags: a map entry hides secrets whose tag `name` has `value`; a list entry (value
// absent) hides secrets that carry the tag `name` with any value.
struct ExcludedTag {
  std::string name;
  std::optional<std::string> value;
  bool operator==(const ExcludedTag&) const = default;
};

// The read-only view options shared by every backend (spec/kestra.md §5, §6).
struct ViewSettings {
  bool read_only = false;                         // kestra.secret.read-only OR <block>.read-only
  std::string prefix;                             // <block>.prefix
  std::map<std::string, std::string> tags;        // added to every secret written
  std::map<std::string, std::string> filter_on_tags;
  std::vector<ExcludedTag> excluded_tags;
  std::optional<std::string> filter_on_prefix;    // AWS only
  bool keep_prefix = kDefaultKeepPrefix;          // AWS only
};

struct AwsSettings {
  std::optional<std::string> access_key_id, secret_key_id, session_token;  // absent: default chain
  std::optional<std::string> region, endpoint_override, ca_file;
  ViewSettings view;
};

struct AzureSettings {
  std::optional<std::string> tenant_id, client_id, client_secret;  // absent: default chain
  std::optional<std::string> vault_name, key_vault_uri, ca_file;
  ViewSettings view;
};
// key-vault-uri, else https://<vault-name>.vault.azure.net; nullopt when neither is configured.
std::optional<std::string> azure_vault_url(const AzureSettings& s);

struct GoogleSettings {
  std::optional<std::string> project;
  std::optional<std::string> service_account;  // the JSON key file's text; absent: default chain
  std::optional<std::string> endpoint_override, location, ca_file;
  ViewSettings view;
};

enum class VaultAuth { none, token, userpass, approle, kubernetes };
std::string_view vault_auth_name(VaultAuth a);

struct VaultSettings {
  std::optional<std::string> address, namespace_;
  int engine_version = kDefaultVaultEngineVersion;
  std::string root_engine{kDefaultVaultRootEngine};
  std::string secret_path_prefix;
  VaultAuth auth = VaultAuth::none;  // none: VAULT_TOKEN, then ~/.vault-token
  std::optional<std::string> token;
  std::optional<std::string> user, password;
  std::string approle_path{kDefaultVaultAppRolePath};
  std::optional<std::string> role_id, secret_id;
  std::string kubernetes_path{kDefaultVaultKubernetesPath};
  std::optional<std::string> kubernetes_role;
  std::string kubernetes_token_file{kDefaultVaultKubernetesTokenFile};
  std::optional<std::chrono::milliseconds> connect_timeout, read_timeout;
  std::optional<std::string> ca_file;
  ViewSettings view;
};
// address, else VAULT_ADDR, else kDefaultVaultAddress.
std::string resolve_vault_address(const VaultSettings& s, const Context& ctx);
// namespace, else VAULT_NAMESPACE; nullopt when neither.
std::optional<std::string> resolve_vault_namespace(const VaultSettings& s, const Context& ctx);

enum class KeyEncoding { auto_detect, base64, utf8 };

struct ElasticsearchSettings {
  std::string secret;                        // the configured key text (derivation: es_key.hpp)
  KeyEncoding key_encoding = KeyEncoding::auto_detect;
  std::vector<std::string> hosts;            // never empty
  bool hosts_defaulted = false;              // true when kDefaultElasticHost was used
  std::optional<std::string> username, password, api_key;
  bool trust_all_ssl = false;
  std::string indice_prefix{kDefaultIndicePrefix};
  std::optional<std::string> ca_file;
  bool read_only = false;
};

ViewSettings view_settings(const Loaded& cfg, std::string_view type);
AwsSettings aws_settings(const Loaded& cfg);
AzureSettings azure_settings(const Loaded& cfg);
GoogleSettings google_settings(const Loaded& cfg);
VaultSettings vault_settings(const Loaded& cfg);
ElasticsearchSettings elasticsearch_settings(const Loaded& cfg);

// ISO-8601 (PT15S, PT1M30S, P1DT2H, PT0.5S), Micronaut (15s, 500ms, 2m, 1h, 1d) or plain seconds
// ("15", "1.5"). nullopt when it does not parse or is negative.
std::optional<std::chrono::milliseconds> parse_duration(std::string_view text);

// "auto" | "base64" | "utf8"; nullopt otherwise.
std::optional<KeyEncoding> parse_key_encoding(std::string_view text);

}  // namespace ks::config
