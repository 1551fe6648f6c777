#include "backends/vault/vault_client.hpp"

#include <fmt/format.h>

namespace ks::vault {
namespace {

using nlohmann::json;

constexpr std::string_view kJson = "application/json";
// Not "json": the HTTP tracer then prints the body as its size only (see Client::login).

// "1 error occurred:\n\t* permission denied\n\n" → "permission denied".
std::string flatten(const std::string& msg) {
  if (msg.find(" occurred:") == std::string::npos) return msg;
  std::string out;
  size_t pos = 0;
  while ((pos = msg.find("* ", pos)) != std::string::npos) {
    pos += 2;
    auto end = msg.find('\n', pos);
    if (!out.empty()) out += ", ";
    out += msg.substr(pos, end == std::string::npos ? std::string::npos : end - pos);
    if (end == std::string::npos) break;
    pos = end;
  }
  return out.empty() ? msg : out;
}

bool is_cas_failure(const std::string& text) { return text.find("check-and-set") != std::string::npos; }

std::string strip_slash(std::string url) {
  while (!url.empty() && url.back() == '/') url.pop_back();
  return url;
}

}  // namespace

std::string error_text(const http::Response& r) {
  auto doc = json::parse(r.body, nullptr, false);
  if (!doc.is_object() || !doc.contains("errors") || !doc["errors"].is_array()) return {};
  std::string out;
  for (const auto& e : doc["errors"]) {
    if (!e.is_string()) continue;
    if (!out.empty()) out += "; ";
    out += flatten(e.get<std::string>());
  }
  return out;
}

Error map_error(const http::Response& r, std::string_view what) {
  std::string text = error_text(r);
  std::string message = fmt::format("Vault {} failed: HTTP {}{}{}", what, r.status, text.empty() ? "" : ": ", text);
  if (r.status == 400 && is_cas_failure(text))
    return Error(ErrorKind::conflict, message, "the secret changed since it was read: read it again and retry");
  if (r.status == 400) return Error(ErrorKind::usage, message);
  if (token_gone(r))
    return Error(ErrorKind::denied, message,
                 "Vault no longer knows the token (expired, revoked or its uses spent): get a new one "
                 "(vault login, or a login method in kestra.secret.vault)");
  if (r.status == 401 || r.status == 403)
    return Error(ErrorKind::denied, message,
                 "check the token (check-config --connect shows it) and that its policies grant this path");
  if (r.status == 404) return Error(ErrorKind::not_found, message);
  if (r.status == 412 || r.status == 429 || r.status >= 500) return Error(ErrorKind::unavailable, message);
  return Error(ErrorKind::bad_data, message);
}

json parse_body(const http::Response& r, std::string_view what) {
  auto doc = json::parse(r.body, nullptr, false);
  if (doc.is_discarded() || !doc.is_object())
    throw Error(ErrorKind::bad_data, fmt::format("Vault {}: the response is not a JSON object{}", what, http::body_summary(r)));
  return doc;
}

Client::Client(http::Client& http, std::string address, std::optional<std::string> ns)
    : http_(http), address_(strip_slash(std::move(address))), ns_(std::move(ns)) {}

http::Request Client::request(const Call& call) const {
  std::string url = fmt::format("{}/v1/{}{}{}", address_, call.path, call.query.empty() ? "" : "?", call.query);
  http::Request req(call.method, url, {}, {}, call.idempotent);
  if (call.body) {
    req.body = call.body->dump(-1, ' ', false, json::error_handler_t::strict);
    req.headers.add("Content-Type", std::string(kJson));
  }
  req.headers.add("X-Vault-Request", "true");
  return req;
}

http::Policy Client::policy() const {
  http::Policy p;
  p.prepare = [this](http::Request& req, int) {
    if (!token_.empty()) req.headers.set("X-Vault-Token", token_);
    if (ns_) req.headers.set("X-Vault-Namespace", *ns_);
  };
  p.classify = [](const http::Response& r) -> std::optional<http::Retry> {
    // Sealed (503), standby without an active node (500), Enterprise consistency (412): the request
    // was not processed, so repeating it is safe even for a write. 501 (not initialised) is final.
    if (r.status == 412 || r.status == 503) return http::Retry::always;
    if (r.status == 500 && error_text(r).find("active") != std::string::npos) return http::Retry::always;
    if (r.status == 501) return http::Retry::no;
    return std::nullopt;
  };
  return p;
}

// A 403 that says the token is gone (expired, revoked, uses spent), not that a policy denies.
bool token_gone(const http::Response& r) {
  return r.status == 403 && error_text(r).find("invalid token") != std::string::npos;
}

// True when `r` says the token is gone and a new one was got (once per run).
bool Client::renewed_after(const http::Response& r) {
  if (!renew_ || !token_gone(r)) return false;
  auto login = std::exchange(renew_, nullptr);
  token_ = login();
  return true;
}

http::Response Client::send(const Call& call) {
  auto r = http_.send(request(call), policy());
  return renewed_after(r) ? http_.send(request(call), policy()) : r;
}

std::vector<http::Result> Client::send_many(const std::vector<Call>& calls) {
  std::vector<http::Request> reqs;
  reqs.reserve(calls.size());
  for (const auto& c : calls) reqs.push_back(request(c));
  auto results = http_.send_many(reqs, policy());
  bool renewed = false;
  for (size_t i = 0; i < results.size(); ++i) {
    auto* r = std::get_if<http::Response>(&results[i]);
    if (!r || !token_gone(*r)) continue;
    if (!renewed && !renewed_after(*r)) break;  // nothing to renew with: the 403s stand
    renewed = true;
    results[i] = http_.send(reqs[i], policy());
  }
  return results;
}

std::string Client::login(const std::string& path, const json& body, std::string_view method) {
  http::Request req = request(Call{"POST", path, "", body, true});
  http::Policy p = policy();
  p.prepare = [this](http::Request& r, int) {
    if (ns_) r.headers.set("X-Vault-Namespace", *ns_);
  };
  auto r = http_.send(req, p);
  std::string what = fmt::format("login ({})", method);
  if (r.status == 400 || r.status == 401 || r.status == 403) {
    std::string text = error_text(r);
    throw Error(ErrorKind::denied,
                fmt::format("Vault authentication failed ({}): HTTP {}{}{}", method, r.status, text.empty() ? "" : ": ",
                            text),
                fmt::format("check the {} credentials in kestra.secret.vault and the auth mount '{}'", method, path));
  }
  if (r.status != 200) throw map_error(r, what);
  auto doc = parse_body(r, what);
  const json* tok = nullptr;
  if (doc.contains("auth") && doc["auth"].is_object() && doc["auth"].contains("client_token"))
    tok = &doc["auth"]["client_token"];
  if (!tok || !tok->is_string() || tok->get<std::string>().empty())
    throw Error(ErrorKind::bad_data, fmt::format("Vault {}: the answer holds no auth.client_token", what));
  return tok->get<std::string>();
}

}  // namespace ks::vault
