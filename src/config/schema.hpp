// The key schema: every configuration key kestra-secrets knows, in ONE table (schema.cpp), with its
// value type, whether it holds a secret (redaction), whether Kestra requires it, and whether it is
// an "extension" of this tool. Paths are full and canonical ("kestra.secret.vault.app-role.role-id").
// Loader (env-var resolution, typing), validation (unknown keys, types) and redaction all read it.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ks::config {

enum class ValueType {
  string,
  boolean,
  integer,
  duration,       // ISO-8601 (PT15S), Micronaut (15s, 500ms) or plain seconds
  url,
  map,            // user data: string → string; entry names keep their case
  list,           // list of strings (a comma-separated string is accepted)
  string_or_list, // one string or a list of strings (http-hosts)
  map_or_list,    // excluded-tags: a map (name → value) or a list of names
  opaque,         // a Kestra subtree this tool does not read (cache, jdbc, defaults...): anything goes
};

struct KeySpec {
  std::string path;
  ValueType type;
  bool secret = false;     // the value is redacted everywhere
  bool required = false;   // required when its backend is the active type (simple cases only)
  bool extension = false;  // a key this tool adds beyond Kestra's own
  std::string backend;  // the block it belongs to ("" = common to every type)
};

inline constexpr std::string_view kSecretRoot = "kestra.secret";
inline constexpr std::string_view kElasticRoot = "kestra.elasticsearch";

// Canonical backend types, and the one alias Kestra's older docs use.
inline constexpr std::string_view kTypeEnv = "env";
inline constexpr std::string_view kTypeAws = "aws-secret-manager";
inline constexpr std::string_view kTypeAzure = "azure-key-vault";
inline constexpr std::string_view kTypeAzureAlias = "azure-secret-manager";
inline constexpr std::string_view kTypeGoogle = "google-secret-manager";
inline constexpr std::string_view kTypeVault = "vault";
inline constexpr std::string_view kTypeElastic = "elasticsearch";

const std::vector<std::string>& known_types();  // canonical, in documentation order

// The whole table (both Azure block spellings included).
const std::vector<KeySpec>& schema();

// The spec of exactly this path, if any.
const KeySpec* find_key(std::string_view path);

// How a path relates to the schema.
enum class PathKind {
  leaf,          // a key of the table
  branch,        // a prefix of known keys: must be a mapping
  in_user_map,   // an entry (or deeper) of a map/map_or_list key: user data
  in_opaque,     // inside an opaque subtree
  unknown,
};
struct PathInfo {
  PathKind kind = PathKind::unknown;
  const KeySpec* spec = nullptr;  // leaf: the key; in_user_map / in_opaque: the enclosing key
};
PathInfo classify(std::string_view path);

// Names of the known children of a branch ("kestra.secret.vault" → address, token, ...).
std::vector<std::string> known_children(std::string_view branch);

// A key's environment-variable form, Micronaut style: upper-case, '.' and '-' → '_'.
std::string env_form(std::string_view path);

// Resolves an environment variable name (KESTRA_SECRET_… / KESTRA_ELASTICSEARCH_…) against the
// schema: the full path it sets, or nullopt when no known key matches. Names under a map key set a
// map entry whose name is the rest of the variable name, lower-cased; names under an opaque
// subtree resolve to "" (a Kestra key this tool ignores).
std::optional<std::string> path_for_env(std::string_view var_name);

// Heuristic for keys the table does not know: a name that contains secret, password, token,
// key-id, api-key, private-key or credential.
bool looks_secret(std::string_view key_name);

}  // namespace ks::config
