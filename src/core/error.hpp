// The one error type of kestra-secrets. Every failure a user can see is a ks::Error with a kind;
// exit_code() below is the only place that turns a kind into a process exit status (spec/cli.md).
// CONTRACT: a message or hint never contains a secret value; callers name keys, never values.
#pragma once

#include <stdexcept>
#include <string>
#include <string_view>

namespace ks {

enum class ErrorKind {
  usage,        // 2: bad flags or arguments, unreadable input file, option the backend cannot honour
  config,       // 3: configuration invalid or missing what the command needs
  not_found,    // 4: secret or subkey not found (also hidden, deleted-but-recoverable, disabled)
  denied,       // 5: authentication failed or permission denied
  read_only,    // 6: refused, the backend is read-only
  unavailable,  // 7: unreachable, timed out, still throttled after retries
  conflict,     // 8: check-and-set mismatch, already exists, name taken, copy refused
  bad_data,     // 9: malformed response, undecryptable value, syntax error in an input file
  different,    // 10: a check found a difference (encode-env --check, diff)
  internal,     // 1: unexpected internal error
};

class Error : public std::runtime_error {
public:
  Error(ErrorKind kind, std::string message, std::string hint = {})
      : std::runtime_error(std::move(message)), kind_(kind), hint_(std::move(hint)) {}
  ErrorKind kind() const noexcept { return kind_; }
  const std::string& hint() const noexcept { return hint_; }

private:
  ErrorKind kind_;
  std::string hint_;
};

// The exit status of spec/cli.md for a kind (0 is success and has no kind).
int exit_code(ErrorKind kind) noexcept;
// The kind's name as used in `-o json` error documents ("not_found", ...).
std::string_view kind_name(ErrorKind kind) noexcept;

}  // namespace ks
