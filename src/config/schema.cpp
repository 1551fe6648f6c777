#include "src/config/schema.hpp"

#include <algorithm>
#include <set>

namespace ks::config {
namespace {

enum Flag : unsigned { kSecret = 1, kRequired = 2, kExtension = 4 };

struct Row {
  const char* rel;  // relative to the block
  ValueType type;
  unsigned flags = 0;
};

using VT = ValueType;

// Keys every type's block accepts: Kestra reads read-only in the block too (Vault docs).
const std::vector<Row> kBlockCommon = {{"read-only", VT::boolean}};

// The read-only view options (spec/kestra.md §6) of the stores that carry tags.
const std::vector<Row> kViewRows = {
    {"prefix", VT::string},
    {"tags", VT::map},
    {"filter-on-tags.tags", VT::map},
    {"excluded-tags", VT::map_or_list},
};

const std::vector<Row> kRootRows = {
    {"type", VT::string},
    {"read-only", VT::boolean},
    {"isolation.enabled", VT::boolean},        // Kestra EE: which services may resolve secrets
    {"isolation.denied-services", VT::list},
    {"cache", VT::opaque},                     // Kestra EE secret cache
    {"jdbc", VT::opaque},                      // Kestra's jdbc backend: not served by this tool
};

const std::vector<Row> kEnvRows = {{"file", VT::string, kExtension}};

const std::vector<Row> kAwsRows = {
    {"access-key-id", VT::string, kSecret},
    {"secret-key-id", VT::string, kSecret},
    {"session-token", VT::string, kSecret},
    {"region", VT::string},
    {"endpoint-override", VT::url},
    {"filter-on-prefix.prefix", VT::string},
    {"filter-on-prefix.keep-prefix", VT::boolean},
    {"ca-file", VT::string, kExtension},
};

const std::vector<Row> kAzureRows = {
    {"client-secret.tenant-id", VT::string},
    {"client-secret.client-id", VT::string},
    {"client-secret.client-secret", VT::string, kSecret},
    {"vault-name", VT::string},
    {"key-vault-uri", VT::url},
    {"ca-file", VT::string, kExtension},
};

const std::vector<Row> kGoogleRows = {
    {"project", VT::string},
    {"service-account", VT::string, kSecret},
    {"endpoint-override", VT::url, kExtension},
    {"location", VT::string, kExtension},
    {"ca-file", VT::string, kExtension},
};

const std::vector<Row> kVaultRows = {
    {"address", VT::url},
    {"namespace", VT::string},
    {"engine-version", VT::integer},
    {"root-engine", VT::string},
    {"secret-path-prefix", VT::string},
    {"password.user", VT::string},
    {"password.password", VT::string, kSecret},
    {"token.token", VT::string, kSecret},
    {"app-role.path", VT::string},
    {"app-role.role-id", VT::string},
    {"app-role.secret-id", VT::string, kSecret},
    {"kubernetes.path", VT::string},
    {"kubernetes.role", VT::string},
    {"kubernetes.token-file", VT::string, kExtension},
    {"connect-timeout", VT::duration},
    {"read-timeout", VT::duration},
    {"ca-file", VT::string, kExtension},
};

const std::vector<Row> kElasticSecretRows = {
    {"secret", VT::string, kSecret | kRequired},
    {"key-encoding", VT::string, kExtension},
    {"ca-file", VT::string, kExtension},
};

// kestra.elasticsearch: Kestra's own client settings, shared with its repository and queue.
const std::vector<Row> kElasticClientRows = {
    {"client.http-hosts", VT::string_or_list},
    {"client.basic-auth.username", VT::string},
    {"client.basic-auth.password", VT::string, kSecret},
    {"client.trust-all-ssl", VT::boolean},
    {"client.api-key", VT::string, kSecret | kExtension},
    {"defaults.indice-prefix", VT::string},
    {"defaults", VT::opaque},
    {"indices", VT::opaque},
};

void add(std::vector<KeySpec>& out, const std::string& base, const std::vector<Row>& rows,
         const std::string& backend) {
  for (const auto& r : rows)
    out.push_back(KeySpec{base + "." + r.rel, r.type, (r.flags & kSecret) != 0,
                          (r.flags & kRequired) != 0, (r.flags & kExtension) != 0, backend});
}

std::vector<KeySpec> build() {
  std::vector<KeySpec> out;
  const std::string root(kSecretRoot);
  add(out, root, kRootRows, "");
  auto block = [&](std::string_view type, std::string_view block_name,
                   std::initializer_list<const std::vector<Row>*> parts) {
    for (const auto* rows : parts) add(out, root + "." + std::string(block_name), *rows, std::string(type));
  };
  block(kTypeEnv, kTypeEnv, {&kEnvRows, &kBlockCommon});
  block(kTypeAws, kTypeAws, {&kAwsRows, &kViewRows, &kBlockCommon});
  block(kTypeAzure, kTypeAzure, {&kAzureRows, &kViewRows, &kBlockCommon});
  block(kTypeAzure, kTypeAzureAlias, {&kAzureRows, &kViewRows, &kBlockCommon});
  block(kTypeGoogle, kTypeGoogle, {&kGoogleRows, &kViewRows, &kBlockCommon});
  block(kTypeVault, kTypeVault, {&kVaultRows, &kViewRows, &kBlockCommon});
  block(kTypeElastic, kTypeElastic, {&kElasticSecretRows, &kBlockCommon});
  add(out, std::string(kElasticRoot), kElasticClientRows, std::string(kTypeElastic));
  return out;
}

bool starts_with(std::string_view s, std::string_view p) { return s.substr(0, p.size()) == p; }

std::string lower(std::string_view s) {
  std::string out(s);
  for (auto& c : out)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return out;
}

}  // namespace

const std::vector<std::string>& known_types() {
  static const std::vector<std::string> types = {
      std::string(kTypeEnv),   std::string(kTypeAws),   std::string(kTypeAzure),
      std::string(kTypeGoogle), std::string(kTypeVault), std::string(kTypeElastic)};
  return types;
}

const std::vector<KeySpec>& schema() {
  static const std::vector<KeySpec> table = build();
  return table;
}

const KeySpec* find_key(std::string_view path) {
  for (const auto& k : schema())
    if (k.path == path) return &k;
  return nullptr;
}

PathInfo classify(std::string_view path) {
  if (const auto* k = find_key(path)) return {PathKind::leaf, k};
  // The nearest enclosing key that holds user data or an opaque subtree.
  for (auto dot = path.rfind('.'); dot != std::string_view::npos; dot = path.rfind('.', dot - 1)) {
    if (const auto* k = find_key(path.substr(0, dot))) {
      if (k->type == VT::map || k->type == VT::map_or_list) return {PathKind::in_user_map, k};
      if (k->type == VT::opaque) return {PathKind::in_opaque, k};
      return {PathKind::unknown, nullptr};  // below a scalar key
    }
    if (dot == 0) break;
  }
  const std::string prefix = std::string(path) + ".";
  for (const auto& k : schema())
    if (starts_with(k.path, prefix)) return {PathKind::branch, nullptr};
  return {PathKind::unknown, nullptr};
}

std::vector<std::string> known_children(std::string_view branch) {
  std::set<std::string> names;
  const std::string prefix = std::string(branch) + ".";
  for (const auto& k : schema()) {
    if (!starts_with(k.path, prefix)) continue;
    std::string_view rest = std::string_view(k.path).substr(prefix.size());
    names.insert(std::string(rest.substr(0, rest.find('.'))));
  }
  return {names.begin(), names.end()};
}

std::string env_form(std::string_view path) {
  std::string out;
  for (char c : path) {
    if (c == '.' || c == '-') out.push_back('_');
    else if (c >= 'a' && c <= 'z') out.push_back(static_cast<char>(c - 'a' + 'A'));
    else out.push_back(c);
  }
  return out;
}

std::optional<std::string> path_for_env(std::string_view var) {
  for (const auto& k : schema())
    if (env_form(k.path) == var) return k.type == VT::opaque ? std::string() : k.path;
  for (const auto& k : schema()) {
    const std::string prefix = env_form(k.path) + "_";
    if (!starts_with(var, prefix) || var.size() == prefix.size()) continue;
    if (k.type == VT::map || k.type == VT::map_or_list) return k.path + "." + lower(var.substr(prefix.size()));
    if (k.type == VT::opaque) return std::string();
  }
  return std::nullopt;
}

bool looks_secret(std::string_view key_name) {
  static const char* const kWords[] = {"secret", "password", "passwd", "token", "key-id", "keyid",
                                       "api-key", "apikey", "private-key", "credential"};
  const std::string name = lower(key_name);
  return std::any_of(std::begin(kWords), std::end(kWords),
                     [&](const char* w) { return name.find(w) != std::string::npos; });
}

}  // namespace ks::config
