// credential_process (spec/providers.md §1.9): the profile's command line, split as POSIX shlex
// does (botocore's compat_shell_split), run without a shell in the Context's environment; its
// stdout is {"Version":1,"AccessKeyId","SecretAccessKey","SessionToken"?,"Expiration"?}.
// CONTRACT: a non-zero exit, a timeout (kProcessTimeout) or a bad document throws Error{denied};
// the message may carry the first line of the process's stderr (≤ kStderrEcho characters), never
// anything of its stdout.
#pragma once

#include <chrono>
#include <string>
#include <string_view>
#include <vector>

#include "backends/aws/credentials.hpp"
#include "src/core/context.hpp"

namespace ks::aws {

using namespace std::chrono_literals;

inline constexpr std::chrono::seconds kProcessTimeout = 60s;
inline constexpr size_t kStderrEcho = 200;
inline constexpr size_t kMaxProcessOutput = 1u << 20;

// POSIX shell words: whitespace separates, '…' is literal, "…" keeps \\ \" \$ \` escapes, a
// backslash outside quotes escapes the next character. Throws Error{config} for an unclosed quote.
std::vector<std::string> shell_split(std::string_view line);

// Parses the process's stdout; throws Error{denied} naming `what` (never quoting the document).
AwsCredentials parse_process_output(const std::string& out, const std::string& what);

AwsCredentials process_credentials(const std::string& command_line, const std::string& profile, const Context& ctx);

}  // namespace ks::aws
