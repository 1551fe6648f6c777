// Reading many secrets at once (export, exec): every visible secret (or a glob, or a named list),
// fetched through Backend::get_many (batched or concurrent in the provider), all or nothing.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "cmd/globals.hpp"

namespace ks::cmd {

struct KeyValue {
  std::string key;
  std::string value;  // what `get` prints for the key
};

// The visible secrets matching the glob (or exactly the `only` keys when given), sorted by key.
// Throws the worst error met (naming its key) when any of them cannot be read: nothing is returned
// in part. An `only` key that does not exist is Error{not_found}.
std::vector<KeyValue> fetch_all(Backend& b, const Globals& g, const std::optional<std::string>& pattern,
                                const std::vector<std::string>& only);

// The highest exit code wins; used to report the worst of several per-key errors.
bool worse(const Error& a, const Error& b);

}  // namespace ks::cmd
