// Per-key reports of the bulk writers (import, copy, adopt): one line per key on stderr in text
// mode, one JSON array on stdout with -o json; the command exits with the highest code met.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "cmd/globals.hpp"

namespace ks::cmd {

struct KeyReport {
  std::string key;
  std::string status;   // created | updated | unchanged | skipped | refused | failed
  int exit = 0;
  std::string message;  // never a value
  std::optional<std::string> ns{};  // the namespace, when the key has one
};

// Prints the report and returns the highest exit code in it.
int print_report(const Globals& g, const std::vector<KeyReport>& rows);

// diff's report (status only-source | only-destination | different | equal, or failed/refused
// with an exit code): -o json prints an array of {key, namespace, status} (plus exit and message
// for errors); text prints one line per key that is not equal on stdout, errors on stderr.
// Returns the highest error code when a key failed, else 10 when anything differs, else 0.
int print_diff(const Globals& g, const std::vector<KeyReport>& rows);

}  // namespace ks::cmd
