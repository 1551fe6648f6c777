#include "backends/google/sm_client.hpp"

#include <fmt/format.h>

namespace ks::google {
namespace {

using nlohmann::json;

constexpr std::string_view kGlobalHost = "https://secretmanager.googleapis.com";

std::string strip_slash(std::string url) {
  while (!url.empty() && url.back() == '/') url.pop_back();
  return url;
}

}  // namespace

GoogleError map_error(const http::Response& r, const std::string& what) {
  auto doc = json::parse(r.body, nullptr, false);
  std::string status, detail;
  if (doc.is_object() && doc.contains("error") && doc["error"].is_object()) {
    const auto& e = doc["error"];
    if (e.contains("status") && e["status"].is_string()) status = e["status"].get<std::string>();
    if (e.contains("message") && e["message"].is_string()) detail = e["message"].get<std::string>();
  }
  std::string label = status.empty() ? fmt::format("HTTP {}", r.status) : status;
  std::string message = fmt::format("Google {} failed: {}{}", what, label, detail.empty() ? "" : " (" + detail + ")");
  if (status == "PERMISSION_DENIED" || status == "UNAUTHENTICATED" || r.status == 401 || r.status == 403)
    return GoogleError(ErrorKind::denied, status, message,
                       "check the credentials (check-config --connect names the principal) and its IAM roles");
  if (status == "NOT_FOUND" || r.status == 404) return GoogleError(ErrorKind::not_found, status, message);
  if (status == "FAILED_PRECONDITION")
    return GoogleError(ErrorKind::not_found, status, message,
                       "the version is disabled or destroyed: enable it or write a new version");
  if (status == "ALREADY_EXISTS" || status == "ABORTED" || r.status == 409)
    return GoogleError(ErrorKind::conflict, status, message);
  if (r.status == 429 || r.status >= 500) return GoogleError(ErrorKind::unavailable, status, message);
  if (status == "INVALID_ARGUMENT" || status == "OUT_OF_RANGE") return GoogleError(ErrorKind::usage, status, message);
  return GoogleError(ErrorKind::bad_data, status, message);
}

std::string api_base(const std::optional<std::string>& endpoint_override, const std::optional<std::string>& location,
                     const Context& ctx) {
  if (endpoint_override && !endpoint_override->empty()) return strip_slash(*endpoint_override) + "/v1";
  auto env = ctx.getenv_or("CLOUDSDK_API_ENDPOINT_OVERRIDES_SECRETMANAGER", "");
  if (!env.empty()) return strip_slash(env) + "/v1";
  if (location && !location->empty()) return fmt::format("https://secretmanager.{}.rep.googleapis.com/v1", *location);
  return std::string(kGlobalHost) + "/v1";
}

SmClient::SmClient(http::Client& http, TokenSource& tokens, std::string base)
    : http_(http), tokens_(tokens), base_(std::move(base)) {}

http::Request SmClient::request(const Call& c) const {
  http::Request req(c.method, base_ + c.path);
  if (!c.body.is_null()) {
    req.body = c.body.dump(-1, ' ', false, json::error_handler_t::strict);
    req.headers.add("Content-Type", "application/json");
  }
  req.idempotent = c.idempotent;
  return req;
}

http::Policy SmClient::policy() {
  http::Policy p;
  // The token is fetched before sending (the token endpoint has its own client), so prepare only
  // stamps it: re-entering the HTTP client from prepare is not allowed.
  std::string token = tokens_.token();
  auto quota = tokens_.quota_project();
  p.prepare = [token, quota](http::Request& req, int) {
    req.headers.set("Authorization", "Bearer " + token);
    if (quota) req.headers.set("x-goog-user-project", *quota);
  };
  return p;
}

CallResult SmClient::result_of(const http::Response& r, const Call& c) const {
  std::string what = fmt::format("{} {}", c.method, c.path);
  if (r.status < 200 || r.status >= 300) return map_error(r, what);
  auto doc = json::parse(r.body, nullptr, false);
  if (doc.is_discarded() || !doc.is_object())
    return GoogleError(ErrorKind::bad_data, "",
                       fmt::format("Google {}: the response is not a JSON object{}", what, http::body_summary(r)));
  return doc;
}

json SmClient::call(const Call& c) {
  auto r = http_.send(request(c), policy());
  if (r.status == 401) {  // expired or revoked token: refresh once
    tokens_.invalidate();
    r = http_.send(request(c), policy());
  }
  auto res = result_of(r, c);
  if (auto* e = std::get_if<GoogleError>(&res)) throw *e;
  return std::get<json>(std::move(res));
}

std::vector<CallResult> SmClient::call_many(const std::vector<Call>& calls) {
  std::vector<http::Request> reqs;
  for (const auto& c : calls) reqs.push_back(request(c));
  auto results = http_.send_many(reqs, policy());
  bool refreshed = false;
  std::vector<CallResult> out;
  for (size_t i = 0; i < results.size(); ++i) {
    if (auto* e = std::get_if<Error>(&results[i])) {
      out.emplace_back(GoogleError(e->kind(), "", e->what(), e->hint()));
      continue;
    }
    auto& r = std::get<http::Response>(results[i]);
    if (r.status == 401 && !refreshed) {
      tokens_.invalidate();
      refreshed = true;
    }
    if (r.status == 401) r = http_.send(reqs[i], policy());
    out.push_back(result_of(r, calls[i]));
  }
  return out;
}

}  // namespace ks::google
