// Where `put` reads the value from (spec/cli.md): exactly one of --from-file F (- = stdin), stdin
// when it is not a terminal, a hidden prompt at a terminal; --value V only when asked (it warns:
// argv is visible to other users). Bytes are kept exactly: nothing is trimmed or added.
#pragma once

#include <optional>
#include <string>

#include "src/core/context.hpp"

namespace ks::cmd {

struct ValueSource {
  std::optional<std::string> from_file;
  std::optional<std::string> value;   // --value (discouraged)
  bool allow_empty = false;
};

// Throws Error{usage} for two sources, an unreadable file, an empty value without allow_empty, or
// no source at all (stdin is a terminal and no terminal can be opened for the prompt).
std::string read_value(const ValueSource& src, const std::string& key, const Context& ctx);

// Asks "question [y/N]" on the terminal; false when there is no terminal to ask.
bool confirm(const std::string& question, const Context& ctx);

}  // namespace ks::cmd
