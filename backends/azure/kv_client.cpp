#include "backends/azure/kv_client.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <thread>

namespace ks::azure {
namespace {

using nlohmann::json;

bool busy(const http::Response& r) {
  if (r.status != 409) return false;
  auto e = map_error(r, "");
  return e.is("ObjectIsBeingDeleted") || e.is("ObjectIsBeingRecovered");
}

std::string scheme_host(const std::string& url) {
  auto s = url.find("://");
  std::string scheme = s == std::string::npos ? "https" : url.substr(0, s);
  return scheme + "://" + http::host_header_of(url);
}

}  // namespace

json parse_object(const std::string& body, std::string_view what) {
  http::Response r;
  r.body = body;
  return parse_object(r, what);
}

json parse_object(const http::Response& r, std::string_view what) {
  auto doc = json::parse(r.body, nullptr, false);
  if (doc.is_discarded() || !doc.is_object())
    throw Error(ErrorKind::bad_data,
                fmt::format("Azure Key Vault {}: the response is not a JSON object{}", what, http::body_summary(r)));
  return doc;
}

KvError map_error(const http::Response& r, std::string_view what) {
  std::string code, inner, message;
  auto doc = json::parse(r.body, nullptr, false);
  if (doc.is_object() && doc.contains("error") && doc["error"].is_object()) {
    const auto& e = doc["error"];
    if (e.contains("code") && e["code"].is_string()) code = e["code"].get<std::string>();
    if (e.contains("message") && e["message"].is_string()) message = e["message"].get<std::string>();
    if (e.contains("innererror") && e["innererror"].is_object() && e["innererror"].contains("code") &&
        e["innererror"]["code"].is_string())
      inner = e["innererror"]["code"].get<std::string>();
  }
  std::string label = code.empty() ? fmt::format("HTTP {}", r.status) : (inner.empty() ? code : code + "/" + inner);
  std::string text = fmt::format("Azure Key Vault {} failed: {}{}", what, label, message.empty() ? "" : ": " + message);
  auto make = [&](ErrorKind k, std::string hint = {}) { return KvError(k, code, inner, r.status, text, std::move(hint)); };
  auto is = [&](std::string_view c) { return code == c || inner == c; };
  if (r.status == 404 || is("SecretNotFound")) return make(ErrorKind::not_found);
  if (is("SecretDisabled")) return make(ErrorKind::not_found, "the secret is disabled; enable it in the vault");
  if (r.status == 401) return make(ErrorKind::denied, "check the credential's tenant (check-config --connect names it)");
  if (r.status == 403) return make(ErrorKind::denied, "grant the identity a Key Vault role (or access policy) for secrets");
  if (is("ObjectIsDeletedButRecoverable"))
    return make(ErrorKind::conflict, "run 'kestra-secrets restore' to recover it, or 'delete --purge' to remove it for good");
  if (r.status == 409) return make(ErrorKind::conflict);
  if (r.status == 429 || r.status >= 500) return make(ErrorKind::unavailable);
  if (r.status == 400) return make(ErrorKind::usage);
  return make(ErrorKind::bad_data);
}

KvClient::KvClient(http::Client& http, std::string vault_url, Credential& credential,
                   std::chrono::steady_clock::time_point deadline)
    : http_(http), vault_url_(std::move(vault_url)), credential_(credential), deadline_(deadline) {
  while (vault_url_.size() > 1 && vault_url_.back() == '/') vault_url_.pop_back();
}

std::string KvClient::url(const std::string& path, const std::string& query) const {
  return fmt::format("{}{}?api-version={}{}{}", vault_url_, path, kApiVersion, query.empty() ? "" : "&", query);
}

http::Policy KvClient::policy() const {
  http::Policy p;
  p.prepare = [this](http::Request& req, int) {
    if (token_) req.headers.set("Authorization", "Bearer " + *token_);
  };
  return p;
}

void KvClient::learn_challenge(const http::Response& r) {
  auto header = r.headers.get("WWW-Authenticate");
  auto c = header ? parse_challenge(*header) : std::nullopt;
  if (!c) {
    if (challenge_) return;  // keep what the first challenge said
    throw Error(ErrorKind::denied, "Azure Key Vault answered 401 without a usable WWW-Authenticate challenge");
  }
  if (c->scope.empty()) c->scope = challenge_ ? challenge_->scope : "https://vault.azure.net/.default";
  if (!challenge_resource_ok(vault_url_, c->scope))
    throw Error(ErrorKind::denied,
                fmt::format("the vault's challenge names the resource '{}', which does not match the vault host {}",
                            c->resource(), http::host_of(vault_url_)),
                "check kestra.secret.azure-key-vault.vault-name / key-vault-uri");
  challenge_ = std::move(*c);
}

// The first request goes without a token (and without its body, so nothing is sent before we know
// the vault is who we think): its 401 challenge names the tenant and scope of the token to get.
http::Response KvClient::send_authenticated(const http::Request& req) {
  if (!challenged_) {
    http::Request probe = req;
    probe.body.clear();
    auto r = http_.send(probe, policy());
    challenged_ = true;
    if (r.status != 401) {
      if (req.body.empty()) return r;
      return http_.send(req, policy());
    }
    learn_challenge(r);
    token_ = credential_.token(*challenge_);
  }
  auto r = http_.send(req, policy());
  if (r.status == 401 && token_) {
    // Expired or revoked mid-run: renew once, then the 401 stands.
    learn_challenge(r);
    credential_.invalidate();
    token_ = credential_.token(*challenge_);
    r = http_.send(req, policy());
  }
  return r;
}

http::Response KvClient::send_url(http::Request req) {
  auto r = send_authenticated(req);
  auto wait = kBusyBackoffFirst;
  while (busy(r) && std::chrono::steady_clock::now() + wait < deadline_) {
    std::this_thread::sleep_for(wait);
    wait = std::min(wait * 2, std::chrono::duration_cast<std::chrono::milliseconds>(kBusyBackoffCap));
    r = send_authenticated(req);
  }
  return r;
}

http::Response KvClient::send(const std::string& method, const std::string& path, const std::optional<json>& body,
                              const std::string& query) {
  http::Request req(method, url(path, query));
  if (body) {
    req.body = body->dump(-1, ' ', false, json::error_handler_t::strict);
    req.headers.add("Content-Type", "application/json");
  }
  req.idempotent = method != "POST";  // recover is not safe to repeat blindly
  return send_url(std::move(req));
}

json KvClient::call(const std::string& method, const std::string& path, const std::optional<json>& body,
                    const std::string& query) {
  auto r = send(method, path, body, query);
  if (r.status >= 300) throw map_error(r, method + " " + path.substr(0, path.find('/', 1)));
  if (r.status == 204 || r.body.empty()) return nullptr;
  return parse_object(r, method + " " + path.substr(0, path.find('/', 1)));
}

void KvClient::for_each(const std::string& path, const std::function<void(const json&)>& visit) {
  // No maxresults: the service's default page is its maximum (25).
  std::string next = url(path, "");
  std::string home = scheme_host(vault_url_);
  while (!next.empty()) {
    auto r = send_url(http::Request("GET", next));
    if (r.status >= 300) throw map_error(r, "list " + path);
    auto doc = parse_object(r, "list " + path);
    if (doc.contains("value") && !doc["value"].is_array())
      throw Error(ErrorKind::bad_data, "Azure Key Vault list: `value` is not an array");
    for (const auto& item : doc.value("value", json::array())) visit(item);
    std::string link = doc.contains("nextLink") && doc["nextLink"].is_string() ? doc["nextLink"].get<std::string>() : "";
    // The token goes only to the vault itself; a nextLink elsewhere is not followed.
    if (!link.empty() && scheme_host(link) != home)
      throw Error(ErrorKind::bad_data, fmt::format("Azure Key Vault list: nextLink points to another host ({})",
                                                   http::host_of(link)));
    if (link == next) break;  // would loop for ever
    next = link;
  }
}

std::vector<std::variant<json, KvError>> KvClient::get_many(const std::vector<std::string>& paths) {
  std::vector<std::variant<json, KvError>> out;
  if (paths.empty()) return out;
  std::vector<http::Request> reqs;
  for (const auto& p : paths) reqs.emplace_back("GET", url(p, ""));
  // The first one alone: it runs the challenge and fetches the token the others then reuse.
  std::vector<http::Result> results;
  results.emplace_back(send_url(reqs.front()));
  if (reqs.size() > 1) {
    auto rest = http_.send_many(std::vector<http::Request>(reqs.begin() + 1, reqs.end()), policy());
    for (auto& r : rest) results.push_back(std::move(r));
  }
  for (auto& res : results) {
    if (auto* e = std::get_if<Error>(&res)) {
      out.emplace_back(KvError(e->kind(), "", "", 0, e->what(), e->hint()));
      continue;
    }
    auto& r = std::get<http::Response>(res);
    if (r.status >= 300) {
      out.emplace_back(map_error(r, "get"));
      continue;
    }
    try {
      out.emplace_back(parse_object(r, "get"));
    } catch (const Error& e) {
      out.emplace_back(KvError(e.kind(), "", "", 0, e.what()));
    }
  }
  return out;
}

}  // namespace ks::azure
