// The Vault HTTP client (spec/providers.md §4): requests under `<address>/v1/`, the token in
// X-Vault-Token and the Enterprise namespace in X-Vault-Namespace set before every attempt, retries
// as the Vault Go client (§4.7: 412, 429, sealed 503 and standby 500 are retried even for writes,
// since the server did not act on them), and the mapping of `{"errors":[…]}` responses to ks::Error
// kinds by status (§4.6, §4.8).
// CONTRACT: messages name the operation, the status and Vault's own error text (which never holds a
// value); never a header, a token, a password or a request body.
#pragma once

#include <functional>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "src/core/error.hpp"
#include "src/http/client.hpp"

namespace ks::vault {

// Vault's `errors` list, each multi-error ("1 error occurred:\n\t* permission denied\n\n") flattened
// to its items, joined with "; ". Empty when the body has none.
std::string error_text(const http::Response& r);

// A 403 that says the token is gone ("invalid token": expired, revoked, uses spent).
bool token_gone(const http::Response& r);

// A failed response of operation `what`: 400 with a check-and-set message → conflict, other 400 →
// usage, 401/403 → denied, 404 → not_found, 412/429/5xx → unavailable, anything else → bad_data.
Error map_error(const http::Response& r, std::string_view what);

// The JSON object body of a response; Error{bad_data} naming `what` otherwise.
nlohmann::json parse_body(const http::Response& r, std::string_view what);

struct Call {
  std::string method;              // GET, POST, DELETE
  std::string path;                // under /v1/, already escaped
  std::string query;               // without '?', may be empty
  std::optional<nlohmann::json> body{};
  bool idempotent = true;
};

class Client {
public:
  Client(http::Client& http, std::string address, std::optional<std::string> ns);

  void set_token(std::string token) { token_ = std::move(token); }
  bool has_token() const { return !token_.empty(); }
  // How to get a new token (a login method: password, app-role, kubernetes). With it, a call whose
  // token Vault no longer knows (403 "invalid token": expired, revoked, or its uses spent) logs in
  // again, once per run, and is sent again. A static token has none: its 403 stands.
  void set_renewal(std::function<std::string()> login) { renew_ = std::move(login); }

  // Sends one call; returns the response whatever its status.
  http::Response send(const Call& call);
  // Many calls, concurrently (bounded by --concurrency); results in order.
  std::vector<http::Result> send_many(const std::vector<Call>& calls);

  // POST auth/<path> without a token: the client_token of the answer. A 400 or 403 is
  // Error{denied} "authentication failed" (§4.8). `method` names the auth method in messages.
  std::string login(const std::string& path, const nlohmann::json& body, std::string_view method);

  const std::string& address() const { return address_; }
  const std::optional<std::string>& ns() const { return ns_; }

private:
  http::Request request(const Call& call) const;
  http::Policy policy() const;
  bool renewed_after(const http::Response& r);

  http::Client& http_;
  std::string address_;
  std::optional<std::string> ns_;
  std::string token_;
  std::function<std::string()> renew_;
};

}  // namespace ks::vault
