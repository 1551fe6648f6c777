// AWS Secrets Manager (spec/providers.md §1) with Kestra's naming and tags (spec/kestra.md §5):
// a secret's Kestra key is its `key` tag, else its name minus the configured prefix; `namespace`
// and `prefix` tags place it; `get` tries the direct name first (value and metadata requested
// concurrently) and searches by the `key` tag only when that misses.
#pragma once

#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <utility>
#include <vector>

#include "backends/backend.hpp"
#include "backends/transport.hpp"
#include "src/config/settings.hpp"

namespace ks::backends {

std::unique_ptr<Backend> make_aws_backend(const config::AwsSettings& settings, const BackendOptions& opts,
                                          const Context& ctx);

// The provider name for a Kestra key: <prefix>[<NS>/]<KEY> with every character outside
// [A-Za-z0-9/_+=.@-] replaced by '_'.
std::string aws_secret_name(const std::string& prefix, const std::optional<std::string>& ns, const std::string& key);

}  // namespace ks::backends

// Secrets Manager answers read as the backend reads them: pure functions over the JSON of one
// response or entry, public for tests and tests/fuzz/fuzz_aws.cpp. Nothing here sends a request.
namespace ks::aws {

// Tags of a ListSecrets / DescribeSecret entry.
Tags tags_of(const nlohmann::json& entry);
// An epoch-seconds field as RFC 3339 UTC; nullopt when absent or not a number.
std::optional<std::string> date_of(const nlohmann::json& entry, const char* field);
// The value of a GetSecretValue answer or a BatchGetSecretValue item. Error{bad_data} when it holds
// neither SecretString nor a Base64 SecretBinary.
Secret secret_of(const nlohmann::json& entry);
// The NextToken to continue with; nullopt to stop (none, empty, the one just sent, or an empty page).
std::optional<std::string> next_token(const nlohmann::json& page, const std::optional<std::string>& sent,
                                      bool empty_page);
// The Kestra key of a provider entry (its `key` tag, else its name minus `prefix`); nullopt when
// the configured prefix hides it.
std::optional<std::string> key_of(const std::string& name, const Tags& tags, const std::string& prefix);
// SecretInfo of a ListSecrets / DescribeSecret entry; nullopt when `prefix` hides it.
std::optional<SecretInfo> info_of(const nlohmann::json& entry, const std::string& prefix);
// The versions of one ListSecretVersionIds page, each with its CreatedDate (for sorting).
std::vector<std::pair<double, VersionInfo>> versions_of(const nlohmann::json& page);
// The results of a BatchGetSecretValue answer, by ARN and by name (values and per-secret errors).
void collect_batch(const nlohmann::json& answer, std::map<std::string, Result<Secret>>& by_id);

}  // namespace ks::aws
