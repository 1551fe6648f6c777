// The Elasticsearch REST client (spec/providers.md §5): one request at a time over the one HTTP
// client, with the auth header set before every attempt, fail-over across the configured hosts
// (an unreachable host passes the request to the next, which is then kept for later requests),
// retries of 429, 502/503/504 and es_rejected_execution / circuit_breaking bodies (§5.6), and the
// mapping of error bodies to ks::Error kinds by `error.type`, never by reason text.
// CONTRACT: messages name the operation, the HTTP status and the error type; never a header, a
// body, a credential or a value.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "src/core/error.hpp"
#include "src/http/client.hpp"

namespace ks::es {

// `error.type` of an Elasticsearch error body (`error` may also be a plain string: 406); "" when none.
std::string error_type(const http::Response& r);

// Maps a failed response of operation `what` to an Error: 401/403 denied, 404 not_found, 409
// conflict, 429/5xx unavailable, other 4xx bad_data.
Error map_error(const http::Response& r, std::string_view what);

// Parses a JSON object body; Error{bad_data} naming `what` otherwise.
nlohmann::json parse_body(const http::Response& r, std::string_view what);

class Client {
public:
  // hosts: base URLs (scheme://host[:port][/prefix]); authorization: the full header value or "".
  Client(http::Client& http, std::vector<std::string> hosts, std::string authorization);

  // Sends METHOD path (with query) and an optional JSON body to the current host, failing over to
  // the next ones while a host is unavailable. Returns the response whatever its status.
  http::Response send(std::string_view method, const std::string& path, const std::optional<nlohmann::json>& body = {});

  const std::string& current_host() const { return hosts_[current_]; }

private:
  http::Policy policy() const;

  http::Client& http_;
  std::vector<std::string> hosts_;
  std::string authorization_;
  size_t current_ = 0;
};

}  // namespace ks::es
