// KV response shapes (spec/providers.md §4.2, §4.3) turned into the tool's values and metadata:
// pure functions over parsed JSON, shared by every backend operation.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "backends/backend.hpp"

namespace ks::vault {

// Vault's RFC 3339 with nanoseconds → the tool's RFC 3339 UTC; nullopt for "" or unparsable.
std::optional<std::string> vault_time(const nlohmann::json& obj, const char* field);

// custom_metadata (null or an object of strings) as tags.
Tags tags_of(const nlohmann::json& custom_metadata);

// The state of one entry of metadata.versions: destroyed, deleted or enabled.
std::string version_state(const nlohmann::json& v);

// SecretInfo from a KV v2 metadata document (`data` of GET metadata/...).
SecretInfo info_from_metadata(const nlohmann::json& md);

// Versions of a KV v2 metadata document, newest first.
std::vector<VersionInfo> versions_from_metadata(const nlohmann::json& md);

// The write body of a value: its fields, or {"value": bytes}.
nlohmann::json fields_of(const Secret& value);

}  // namespace ks::vault
