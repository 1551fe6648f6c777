// Micronaut's relaxed binding and the tree operations the loader builds on (spec/kestra.md §1):
// canonical kebab-case segments, dotted paths that keep map-entry names (tags) as written, deep
// merge (later wins key by key), and ${NAME} / ${NAME:default} placeholders from the environment.
// Pure functions over nlohmann::json; no YAML here.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "src/core/context.hpp"

namespace ks::config {

// One segment in canonical form: '_' and ' ' → '-', a '-' before an upper-case letter that follows
// a lower-case letter or digit, then lower-case. accessKeyId, access-key-id, access_key_id →
// access-key-id.
std::string canonical_segment(std::string_view segment);

// Appends the segments of a dotted key to `base` in canonical form. Once the path reaches a map key
// of the schema (tags, filter-on-tags.tags, excluded-tags), the rest of the key is ONE entry name,
// kept as written (tag names may contain dots and capitals).
std::vector<std::string> extend_path(std::vector<std::string> base, std::string_view dotted_key);

// "a.b.c" from segments.
std::string join_path(const std::vector<std::string>& segments);

// True when this canonical path is inside kestra.secret or kestra.elasticsearch (or an ancestor of
// them): the only parts of a configuration this tool keeps.
bool is_kept_path(const std::vector<std::string>& segments);

// A comma-separated list, items trimmed, empty items dropped (Micronaut's String → List).
std::vector<std::string> split_list(const std::string& text);

// Merges src into dst: objects key by key (recursively), anything else replaced.
void deep_merge(nlohmann::json& dst, const nlohmann::json& src);

// Sets a value at a path, creating (or replacing non-object) intermediate objects.
void set_path(nlohmann::json& root, const std::vector<std::string>& segments, nlohmann::json value);

// The value at a path, or nullptr when absent.
const nlohmann::json* get_path(const nlohmann::json& root, const std::vector<std::string>& segments);
const nlohmann::json* get_path(const nlohmann::json& root, std::string_view dotted);

// Resolves ${NAME} and ${NAME:default} in every string of the tree (defaults may hold placeholders
// themselves). NAME is looked up as written, then in its environment form (upper-case, '.' and '-'
// → '_'). Throws Error{config} naming the variable and the key for a missing one without default.
void resolve_placeholders(nlohmann::json& tree, const Context& ctx);

}  // namespace ks::config
