#include "backends/elasticsearch/es_client.hpp"

#include <fmt/format.h>

namespace ks::es {
namespace {

using nlohmann::json;

// Types that say the node refused the work before doing it: safe to repeat even when not idempotent.
bool throttled_type(const std::string& type) {
  return type == "es_rejected_execution_exception" || type == "circuit_breaking_exception";
}

std::string strip_slash(std::string url) {
  while (!url.empty() && url.back() == '/') url.pop_back();
  return url;
}

}  // namespace

std::string error_type(const http::Response& r) {
  auto doc = json::parse(r.body, nullptr, false);
  if (!doc.is_object() || !doc.contains("error")) return {};
  const auto& e = doc["error"];
  if (e.is_object() && e.contains("type") && e["type"].is_string()) return e["type"].get<std::string>();
  return {};
}

Error map_error(const http::Response& r, std::string_view what) {
  std::string type = error_type(r);
  std::string message = fmt::format("Elasticsearch {} failed: HTTP {}{}", what, r.status, type.empty() ? "" : " " + type);
  if (r.status == 401)
    return Error(ErrorKind::denied, message,
                 "check kestra.elasticsearch.client.basic-auth or kestra.elasticsearch.client.api-key");
  if (r.status == 403)
    return Error(ErrorKind::denied, message, "the user or API key lacks a privilege on the secrets index");
  if (r.status == 404) return Error(ErrorKind::not_found, message);
  if (r.status == 409) return Error(ErrorKind::conflict, message);
  if (r.status == 429 || r.status >= 500 || throttled_type(type)) return Error(ErrorKind::unavailable, message);
  return Error(ErrorKind::bad_data, message);
}

json parse_body(const http::Response& r, std::string_view what) {
  auto doc = json::parse(r.body, nullptr, false);
  if (doc.is_discarded() || !doc.is_object())
    throw Error(ErrorKind::bad_data,
                fmt::format("Elasticsearch {}: the response is not a JSON object{}", what, http::body_summary(r)));
  return doc;
}

Client::Client(http::Client& http, std::vector<std::string> hosts, std::string authorization)
    : http_(http), authorization_(std::move(authorization)) {
  for (auto& h : hosts) hosts_.push_back(strip_slash(std::move(h)));
  if (hosts_.empty()) throw Error(ErrorKind::config, "no Elasticsearch host configured",
                                  "set kestra.elasticsearch.client.http-hosts");
}

http::Policy Client::policy() const {
  http::Policy p;
  p.prepare = [this](http::Request& req, int) {
    if (!authorization_.empty()) req.headers.set("Authorization", authorization_);
  };
  p.classify = [](const http::Response& r) -> std::optional<http::Retry> {
    if (r.status == 429) return http::Retry::always;
    if (r.status == 502 || r.status == 503 || r.status == 504)
      return throttled_type(error_type(r)) ? http::Retry::always : http::Retry::if_idempotent;
    if (r.status >= 400 && throttled_type(error_type(r))) return http::Retry::always;
    return std::nullopt;
  };
  return p;
}

http::Response Client::send(std::string_view method, const std::string& path, const std::optional<json>& body) {
  http::Request req;
  req.method = std::string(method);
  req.headers.add("Accept", "application/json");
  if (body) {
    req.body = body->dump(-1, ' ', false, json::error_handler_t::strict);
    req.headers.add("Content-Type", "application/json");
  }
  // Every request this backend sends is by id, a search or a read: safe to repeat.
  req.idempotent = true;
  std::optional<Error> last;
  for (size_t tried = 0; tried < hosts_.size(); ++tried) {
    size_t i = (current_ + tried) % hosts_.size();
    req.url = hosts_[i] + path;
    try {
      auto r = http_.send(req, policy());
      current_ = i;
      return r;
    } catch (const Error& e) {
      if (e.kind() != ErrorKind::unavailable) throw;
      last = e;
    }
  }
  if (hosts_.size() == 1) throw *last;
  throw Error(ErrorKind::unavailable, fmt::format("no Elasticsearch host answered ({} tried); last: {}", hosts_.size(), last->what()),
              last->hint());
}

}  // namespace ks::es
