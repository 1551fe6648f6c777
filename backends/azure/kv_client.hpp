// The Key Vault secrets data-plane client (spec/providers.md §2): one api-version, the 401 challenge
// (§2.5) before the first authenticated request, a bearer token renewed once on a later 401,
// 409 ObjectIsBeing* retried within the deadline, nextLink paging, errors mapped by the envelope's
// code and innererror code (never by message text).
#pragma once

#include <chrono>
#include <functional>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "backends/azure/credentials.hpp"
#include "src/core/error.hpp"
#include "src/http/client.hpp"

namespace ks::azure {

inline constexpr std::string_view kApiVersion = "7.5";                // named once (spec §2.1)
inline constexpr std::chrono::seconds kDefaultBusyWait{60};           // 409 ObjectIsBeing* without --timeout
inline constexpr std::chrono::milliseconds kBusyBackoffFirst{500};
inline constexpr std::chrono::milliseconds kBusyBackoffCap{4000};

// A failure the vault reported: error.code and innererror.code of the envelope.
class KvError : public Error {
public:
  KvError(ErrorKind kind, std::string code, std::string inner, long status, std::string message, std::string hint = {})
      : Error(kind, std::move(message), std::move(hint)), code_(std::move(code)), inner_(std::move(inner)),
        status_(status) {}
  const std::string& code() const { return code_; }
  const std::string& inner() const { return inner_; }
  long status() const { return status_; }
  // True for either code (the service puts the specific one in innererror or in code).
  bool is(std::string_view c) const { return code_ == c || inner_ == c; }

private:
  std::string code_, inner_;
  long status_;
};

// Maps a failed response (status >= 300) to the tool's error kinds (spec/cli.md exit table).
KvError map_error(const http::Response& r, std::string_view what);

class KvClient {
public:
  KvClient(http::Client& http, std::string vault_url, Credential& credential,
           std::chrono::steady_clock::time_point deadline);

  // One call; path is "/secrets/…" (names already legal), query extra parameters ("maxresults=1").
  // Returns the JSON body (null for 204). Throws KvError for a service error, Error otherwise.
  nlohmann::json call(const std::string& method, const std::string& path, const std::optional<nlohmann::json>& body = {},
                      const std::string& query = {});
  // The raw response of a call (any status), for callers that branch on 404.
  http::Response send(const std::string& method, const std::string& path, const std::optional<nlohmann::json>& body = {},
                      const std::string& query = {});
  // Visits every item of a list, following nextLink (empty pages included) on the vault's host only.
  void for_each(const std::string& path, const std::function<void(const nlohmann::json&)>& visit);
  // Concurrent GETs (after one authenticated request has set the token up); results in order.
  std::vector<std::variant<nlohmann::json, KvError>> get_many(const std::vector<std::string>& paths);

  const std::string& vault_url() const { return vault_url_; }
  std::chrono::steady_clock::time_point deadline() const { return deadline_; }

private:
  http::Response send_url(http::Request req);
  http::Response send_authenticated(const http::Request& req);
  void learn_challenge(const http::Response& r);
  http::Policy policy() const;
  std::string url(const std::string& path, const std::string& query) const;

  http::Client& http_;
  std::string vault_url_;
  Credential& credential_;
  std::chrono::steady_clock::time_point deadline_;
  bool challenged_ = false;
  std::optional<Challenge> challenge_;
  std::optional<std::string> token_;
};

// Parses a body that must be a JSON object; Error{bad_data} naming `what` (and, from a response,
// its content type and size) otherwise.
nlohmann::json parse_object(const std::string& body, std::string_view what);
nlohmann::json parse_object(const http::Response& r, std::string_view what);

}  // namespace ks::azure
