// The Secret Manager REST v1 client (spec/providers.md §3): bearer auth from a TokenSource before
// every attempt (one refresh after a 401), retries per §3.6 (429 always; 500/502/503/504 only for
// idempotent requests: addVersion is not), errors mapped by the envelope's `status`, never by text.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "backends/google/credentials.hpp"
#include "src/core/error.hpp"
#include "src/http/client.hpp"

namespace ks::google {

// A failure the API reported, with its canonical status (NOT_FOUND, ...).
class GoogleError : public Error {
public:
  GoogleError(ErrorKind kind, std::string status, std::string message, std::string hint = {})
      : Error(kind, std::move(message), std::move(hint)), status_(std::move(status)) {}
  const std::string& status() const { return status_; }

private:
  std::string status_;
};

// Maps a failed response ({"error":{code,message,status}}) to the tool's error kinds.
GoogleError map_error(const http::Response& r, const std::string& what);

// The API base URL ending in "/v1": endpoint-override (+ "/v1"), else
// CLOUDSDK_API_ENDPOINT_OVERRIDES_SECRETMANAGER (+ "v1"), else the regional or global host.
std::string api_base(const std::optional<std::string>& endpoint_override, const std::optional<std::string>& location,
                     const Context& ctx);

struct Call {
  std::string method;
  std::string path;          // after the base, e.g. "/projects/p/secrets/s"
  nlohmann::json body{};     // null: no body
  bool idempotent = true;
};

using CallResult = std::variant<nlohmann::json, GoogleError>;

class SmClient {
public:
  SmClient(http::Client& http, TokenSource& tokens, std::string base);

  nlohmann::json call(const Call& c);
  std::vector<CallResult> call_many(const std::vector<Call>& calls);
  const std::string& base() const { return base_; }

private:
  http::Request request(const Call& c) const;
  http::Policy policy();
  CallResult result_of(const http::Response& r, const Call& c) const;

  http::Client& http_;
  TokenSource& tokens_;
  std::string base_;
};

}  // namespace ks::google
