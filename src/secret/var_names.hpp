// Environment-variable names for secrets (`exec`, `export --format shell|dotenv|docker|env-encoded`),
// spec/cli.md: the key with every character outside [A-Za-z0-9_] replaced by '_', upper-cased with
// --upper, '_' in front of a leading digit. Names are never rewritten otherwise; two keys that map
// to one name are an error naming both.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace ks {

std::string var_name(std::string_view key, bool upper);

// Maps every key; throws Error{usage} naming both keys when two keys give one name.
std::vector<std::string> var_names(const std::vector<std::string>& keys, bool upper);

}  // namespace ks
