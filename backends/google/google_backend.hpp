// The google-secret-manager backend (spec/providers.md, spec/kestra.md). Built over the one HTTP client.
#pragma once

#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <utility>

#include "backends/backend.hpp"
#include "backends/transport.hpp"
#include "src/config/settings.hpp"

namespace ks::backends {

std::unique_ptr<Backend> make_google_backend(const config::GoogleSettings& settings, const BackendOptions& opts,
                                       const Context& ctx);

}  // namespace ks::backends

// Secret Manager answers read as the backend reads them: pure functions over the JSON of one
// response or list item, public for tests and tests/fuzz/fuzz_google.cpp. Nothing here sends.
namespace ks::google {

// Labels and annotations of a Secret resource merged: the tags Kestra and the view reason about.
Tags tags_of(const nlohmann::json& secret);
// The value of an :access answer, its CRC32C checked when the server sent one; Error{bad_data}
// naming `key` (never the value) for a missing, non-Base64 or corrupted payload.
Secret secret_of(const nlohmann::json& access, const std::string& key);
// The Kestra key of a secret id (its `key` tag, else the id minus `prefix`); nullopt when hidden.
std::optional<std::string> key_of(const std::string& id, const Tags& tags, const std::string& prefix);
// SecretInfo of a Secret resource; nullopt when the configured `prefix` hides it.
std::optional<SecretInfo> info_of(const nlohmann::json& secret, const std::string& prefix);
// One item of a versions list: its number (for sorting) and VersionInfo (state in lower case).
std::pair<long, VersionInfo> version_of(const nlohmann::json& version);

}  // namespace ks::google
