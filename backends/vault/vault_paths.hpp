// Kestra's naming in Vault KV (spec/kestra.md §5) as pure functions: where a key lives under the
// mount, how a path is written in a URL, and how listed paths turn back into keys. No I/O.
// CONTRACT: every path returned has no leading/trailing '/' and no empty, "." or ".." segment
// (Vault's router would answer 301 to those); build_* throw Error{usage} naming the key otherwise.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace ks::vault {

struct Naming {
  std::string secret_path_prefix;  // trimmed of '/'
  std::string prefix;              // the `prefix` option, prepended to the key
  std::string tenant;              // --tenant (default main)
};

// Joins non-empty parts with '/' (each part's own leading/trailing '/' removed).
std::string join(std::initializer_list<std::string_view> parts);

// The folder under the mount that holds the keys of a namespace: `<spp>/<tenant>/a/b/c` for
// "a.b.c", `<spp>` without one.
std::string folder_of(const Naming& n, const std::optional<std::string>& ns);

// The path of a key under the mount: `<folder>/<prefix><key>`. Error{usage} for a key that would
// make an empty, "." or ".." segment.
std::string secret_path(const Naming& n, const std::optional<std::string>& ns, const std::string& key);

// Percent-encodes every byte outside RFC 3986's unreserved set in each segment; '/' stays.
std::string escape_path(std::string_view path);

// The key for a path relative to a listed folder, or nullopt when the configured prefix hides it
// (the key is the relative path without the prefix).
std::optional<std::string> key_of(const Naming& n, const std::string& relative);

}  // namespace ks::vault
