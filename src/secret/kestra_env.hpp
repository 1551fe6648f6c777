// Kestra open source's env-var secrets (spec/kestra.md §3): how a SECRET_ variable's value is
// decoded, and how variable names map to keys. Shared by the env backend and by encode-env.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace ks::kestra_env {

inline constexpr std::string_view kDefaultPrefix = "SECRET_";

// Removes every line break Java's \R matches (\r\n, \n, \v, \f, \r, U+0085, U+2028, U+2029), as
// Kestra does before decoding. Nothing else is trimmed.
std::string strip_line_breaks(std::string_view value);

// Kestra's decoding of a variable's value: line breaks removed, then standard Base64 with optional
// padding. nullopt when the result is not Base64 (Kestra then skips the variable with a warning).
std::optional<std::string> decode_value(std::string_view value);

// The Kestra key of a variable: the name without the prefix, upper-cased (ASCII). nullopt when the
// name does not start with the prefix (case-sensitive) or nothing follows it.
std::optional<std::string> key_of(std::string_view var_name, std::string_view prefix = kDefaultPrefix);

// ASCII upper-case, as Kestra's lookup does (Java's toUpperCase on the key; non-ASCII keys are rare
// in variable names and are left as they are).
std::string upper(std::string_view s);

}  // namespace ks::kestra_env
