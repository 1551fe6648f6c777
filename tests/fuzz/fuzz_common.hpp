// Shared by the libFuzzer targets of tests/fuzz (scripts/fuzz builds and runs them).
// The rule every target follows: a documented failure of the project (ks::Error) is an expected
// outcome for malformed input and is swallowed; anything else that escapes (a JSON library
// exception, std::out_of_range, ...) aborts and is a finding, as are sanitizer reports and failed
// invariants (KS_FUZZ_CHECK).
#pragma once

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <utility>

#include "src/core/error.hpp"
#include "src/core/json_fields.hpp"
#include "src/http/client.hpp"

namespace ks::fuzz {

inline std::string text(const uint8_t* data, size_t size) { return std::string(reinterpret_cast<const char*>(data), size); }

// Runs f; a ks::Error is the documented answer to bad input.
template <class F>
void tolerate(F&& f) {
  try {
    f();
  } catch (const ks::Error&) {
  }
}

// The first line of `s` (without its '\n') and the rest after it.
inline std::pair<std::string, std::string> first_line(const std::string& s) {
  auto nl = s.find('\n');
  if (nl == std::string::npos) return {s, ""};
  return {s.substr(0, nl), s.substr(nl + 1)};
}

// An HTTP response carrying `body`, as the provider clients receive it.
inline http::Response response(long status, std::string body) {
  http::Response r;
  r.status = status;
  r.body = std::move(body);
  return r;
}

// The statuses the error mappers branch on.
inline constexpr long kStatuses[] = {200, 400, 401, 403, 404, 409, 412, 429, 500, 503};

// Runs a client's error readers, f(response), on `body` at every status they branch on.
template <class F>
void each_status(const std::string& body, F&& f) {
  for (long status : kStatuses) f(response(status, body));
}

// A listing as the backends read one: info_of(entry, prefix) on the document itself and on every
// item of its list `field`, without a configured prefix and with `prefix`.
template <class F>
void each_listed(const nlohmann::json& doc, const char* field, const char* prefix, F&& info_of) {
  for (const char* p : {"", prefix}) {
    tolerate([&] { info_of(doc, p); });
    tolerate([&] {
      for (const auto& e : json_list(doc, field)) info_of(e, p);
    });
  }
}

}  // namespace ks::fuzz

// An invariant of the code under test; a violation aborts (a finding).
#define KS_FUZZ_CHECK(cond)                                                           \
  do {                                                                                \
    if (!(cond)) {                                                                    \
      std::fprintf(stderr, "%s:%d: invariant failed: %s\n", __FILE__, __LINE__, #cond); \
      std::abort();                                                                   \
    }                                                                                 \
  } while (0)
