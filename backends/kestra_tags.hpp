// Kestra's tags on provider secrets (spec/kestra.md §5), written once for the stores that identify
// secrets by tags (AWS, Azure, Google): what `put` sets, and what `adopt` adds.
#pragma once

#include <optional>
#include <string>

#include "backends/backend.hpp"

namespace ks::backends {

// The tags a write of `ref` carries: `extra`, then key=<KEY>, namespace=<NS> when given and
// prefix=<prefix> when configured (these three win over `extra`).
Tags kestra_tags(Tags extra, const SecretRef& ref, const std::string& prefix);

// adopt: the tags to add to the provider secret `name`, which carries `current`, so that Kestra
// sees it as `as` (REQUIRES: as.key non-empty). Empty when it carries them all already. Throws
// Error{conflict} when its own key, namespace or prefix tag says otherwise: adopt never retags a
// secret Kestra already places elsewhere.
Tags tags_to_adopt(const std::string& name, const Tags& current, const SecretRef& as, const std::string& prefix,
                   const Tags& extra);

// The read side, for listings: the Kestra key of the provider secret `name` carrying `tags` (its
// `key` tag, else the name minus `name_prefix`, the configured `prefix` as the store spells names);
// nullopt when the configured prefix hides it (a different `prefix` tag, or no tag and a name that
// does not start with it). `ignore_case` compares the name's prefix case-insensitively (Azure).
std::optional<std::string> kestra_key(const std::string& name, const Tags& tags, const std::string& prefix,
                                      const std::string& name_prefix, bool ignore_case = false);

// SecretInfo of such a secret: key (kestra_key), namespace tag, name and tags; nullopt when hidden.
std::optional<SecretInfo> tagged_info(const std::string& name, Tags tags, const std::string& prefix,
                                      const std::string& name_prefix, bool ignore_case = false);

}  // namespace ks::backends
