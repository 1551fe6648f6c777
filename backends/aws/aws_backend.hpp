// AWS Secrets Manager (spec/providers.md §1) with Kestra's naming and tags (spec/kestra.md §5):
// a secret's Kestra key is its `key` tag, else its name minus the configured prefix; `namespace`
// and `prefix` tags place it; `get` tries the direct name first (value and metadata requested
// concurrently) and searches by the `key` tag only when that misses.
#pragma once

#include <memory>

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
