// The azure-key-vault backend (spec/providers.md, spec/kestra.md). Built over the one HTTP client.
#pragma once

#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <utility>

#include "backends/backend.hpp"
#include "backends/transport.hpp"
#include "src/config/settings.hpp"

namespace ks::backends {

std::unique_ptr<Backend> make_azure_backend(const config::AzureSettings& settings, const BackendOptions& opts,
                                       const Context& ctx);

}  // namespace ks::backends

// Key Vault answers read as the backend reads them: pure functions over the JSON of one secret
// bundle or list item, public for tests and tests/fuzz/fuzz_azure.cpp. Nothing here sends.
namespace ks::azure {

// The tags of a bundle or list item (string values only).
Tags tags_of(const nlohmann::json& item);
// attributes.<field> (epoch seconds) as RFC 3339 UTC; nullopt when absent or not a number.
std::optional<std::string> attr_date(const nlohmann::json& item, const char* field);
// "https://v/secrets/NAME[/VERSION]" (or /deletedsecrets/) of `id` → (NAME, VERSION); empty when not one.
std::pair<std::string, std::string> split_id(const nlohmann::json& item);
// A name made legal for Key Vault: every character outside [0-9A-Za-z] becomes '-'.
std::string legal_name(std::string raw);
// The Kestra key of a vault name (its `key` tag, else the name minus the legal `prefix`, compared
// case-insensitively); nullopt when the configured prefix hides it.
std::optional<std::string> key_of(const std::string& name, const Tags& tags, const std::string& prefix);
// SecretInfo of a bundle or list item; nullopt when `prefix` hides it.
std::optional<SecretInfo> info_of(const nlohmann::json& item, const std::string& prefix);
// The value of a secret bundle; Error{bad_data} when it has no string `value`.
Secret secret_of(const nlohmann::json& bundle);
// One item of a versions list: its creation time (for sorting) and VersionInfo.
std::pair<double, VersionInfo> version_of(const nlohmann::json& item);

}  // namespace ks::azure
