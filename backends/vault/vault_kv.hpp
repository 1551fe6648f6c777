// KV response shapes (spec/providers.md §4.2, §4.3) turned into the tool's values and metadata:
// pure functions over parsed JSON, shared by every backend operation.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "backends/backend.hpp"
#include "src/http/client.hpp"

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

// The `data` object of a response envelope; an empty object when it has none.
const nlohmann::json& data_of(const nlohmann::json& doc);

// The value of a GET data/... answer (status 200 or 404) on a KV `kv_version`
// mount, and what the read says about it (tags, version, updated; the caller names it). Throws
// Error{not_found} for 404 or a deleted/destroyed version, Error{bad_data} for a malformed body.
std::pair<Secret, SecretInfo> read_answer(const http::Response& r, int kv_version, const SecretRef& ref);
std::pair<Secret, SecretInfo> read_answer(long status, const std::string& body, int kv_version, const SecretRef& ref);

// Keys and sub-folders ("x/" without its slash) of a LIST answer; Error{bad_data} when data.keys
// is not an array.
std::pair<std::vector<std::string>, std::vector<std::string>> list_answer(const nlohmann::json& doc);

}  // namespace ks::vault
