// Per-key reports of the bulk writers (import, copy, adopt): one line per key on stderr in text
// mode, one JSON array on stdout with -o json; the command exits with the highest code met.
#pragma once

#include <string>
#include <vector>

#include "cmd/globals.hpp"

namespace ks::cmd {

struct KeyReport {
  std::string key;
  std::string status;   // created | updated | unchanged | skipped | refused | failed
  int exit = 0;
  std::string message;  // never a value
};

// Prints the report and returns the highest exit code in it.
int print_report(const Globals& g, const std::vector<KeyReport>& rows);

}  // namespace ks::cmd
