// Timestamps as every output of the tool writes them: RFC 3339 in UTC ("2026-11-23T20:46:43Z").
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace ks {

// Seconds since the epoch (AWS writes floats such as 1523477145.713) → RFC 3339 UTC, whole seconds.
std::string rfc3339_from_epoch(double seconds);
std::string rfc3339(std::chrono::system_clock::time_point t);
// Parses RFC 3339 / ISO 8601 UTC or with an offset ("2026-01-02T03:04:05.123Z", "...+01:00");
// nullopt when it does not parse.
std::optional<std::chrono::system_clock::time_point> parse_rfc3339(std::string_view text);

}  // namespace ks
