// The loader's steps after the file source (internal to src/config; config.hpp gives the order):
// KESTRA_SECRET_… variables, --set, the azure-secret-manager alias, typing by schema, the type.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "src/config/config.hpp"
#include "src/core/context.hpp"

namespace ks::config {

// KESTRA_SECRET_… and KESTRA_ELASTICSEARCH_… variables, each resolved against the key schema
// (schema.hpp path_for_env). A name that matches no known key is ignored with a warning.
void apply_env_overrides(nlohmann::json& tree, const Context& ctx, std::vector<std::string>& warnings);

// One --set key=value: relative to kestra.secret unless the key starts with "kestra.".
// Throws Error{config} without '=' or for a key outside kestra.secret / kestra.elasticsearch.
void apply_set(nlohmann::json& tree, const std::string& assignment);

// Options of type azure-secret-manager live in azure-key-vault:, else azure-secret-manager:
// (spec/kestra.md §1): the latter is moved to the former when the former is absent.
void apply_azure_alias(nlohmann::json& tree, std::vector<std::string>& warnings);

// Values of known keys typed by the schema: "true"/"false" → bool, digits → integer, a
// comma-separated string → list for list keys. A value that does not parse is left as it is
// (validate() reports it).
void apply_types(nlohmann::json& tree);

// cfg.type / cfg.type_written from -t, else kestra.secret.type, else "env"; the alias resolved and
// the canonical type written back into the tree.
void resolve_type(Loaded& cfg, const std::optional<std::string>& type_flag);

}  // namespace ks::config
