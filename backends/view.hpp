// The view: ONE decorator over any backend that owns Kestra's visibility rules (spec/kestra.md §5–6),
// so that no provider re-implements them:
// - read-only: every write is refused (Error{read_only}) before the inner backend is called;
// - filter-on-tags (every listed tag with that value), excluded-tags (any one hides): checked on the
//   tags the provider reports; a hidden secret behaves exactly like a missing one (not_found);
// - filter-on-prefix + keep-prefix: only provider keys starting with the prefix are visible, and the
//   prefix is stripped from the Kestra key unless keep-prefix;
// - namespaces: `get` climbs a.b.c → a.b → a unless SecretRef::inherit is false;
// - the configured `tags` and the filter-on-tags tags are added to every write.
// A provider may push a filter down to its server as an optimisation; the view's check still applies.
#pragma once

#include <memory>

#include "backends/backend.hpp"
#include "src/config/settings.hpp"

namespace ks::backends {

std::unique_ptr<Backend> make_view(std::unique_ptr<Backend> inner, const config::ViewSettings& settings);

// True when the tags pass filter-on-tags and excluded-tags.
bool tags_visible(const Tags& tags, const config::ViewSettings& settings);

// The namespaces `get` tries for ns, in order: "a.b.c" → {"a.b.c", "a.b", "a"}.
std::vector<std::string> namespace_chain(const std::string& ns);

}  // namespace ks::backends
