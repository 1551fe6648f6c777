// Diagnostics on stderr: errors, warnings and verbose notes, in the one format of spec/cli.md
// ("kestra-secrets: error: …" plus "hint: …"; with -o json one {"error": {...}} document).
// CONTRACT: callers never pass a secret value; these functions print what they are given.
#pragma once

#include <string>
#include <string_view>

#include "src/core/error.hpp"

namespace ks::out {

struct DiagSettings {
  bool quiet = false;     // -q: no warnings or notes
  int verbose = 0;        // -v count
  bool json = false;      // -o json: errors as one JSON document
};

// Process-wide settings, set once by main() after parsing the command line.
DiagSettings& diag();

void warn(std::string_view message);
// Printed only with -v (level 1) or -vv (level 2).
void note(std::string_view message, int level = 1);
void error(const Error& e);

}  // namespace ks::out
