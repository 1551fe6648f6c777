#include "backends/aws/sm_client.hpp"

#include <fmt/format.h>
#include <set>

namespace ks::aws {
namespace {

constexpr std::string_view kContentType = "application/x-amz-json-1.1";
constexpr std::string_view kService = "secretsmanager";

// Throttling codes of the AWS SDKs' standard retry mode: the request was not processed, so even a
// write is safe to repeat. LimitExceededException is a quota for Secrets Manager: not retried.
const std::set<std::string, std::less<>> kThrottling = {
    "Throttling", "ThrottlingException", "ThrottledException", "RequestThrottledException",
    "TooManyRequestsException", "ProvisionedThroughputExceededException", "TransactionInProgressException",
    "RequestLimitExceeded", "BandwidthLimitExceeded", "RequestThrottled", "SlowDown", "EC2ThrottledException"};
const std::set<std::string, std::less<>> kTransient = {"RequestTimeout", "RequestTimeoutException",
                                                       "PriorRequestNotComplete", "InternalServiceError"};
const std::set<std::string, std::less<>> kDenied = {
    "AccessDeniedException", "AccessDenied", "UnrecognizedClientException", "InvalidSignatureException",
    "SignatureDoesNotMatch", "IncompleteSignatureException", "ExpiredTokenException", "ExpiredToken",
    "InvalidClientTokenId", "MissingAuthenticationToken", "MissingAuthenticationTokenException",
    "DecryptionFailure", "KMSAccessDeniedException", "NotAuthorized"};

std::string xml_tag(std::string_view body, std::string_view tag) {
  std::string open = fmt::format("<{}>", tag), close = fmt::format("</{}>", tag);
  auto a = body.find(open);
  if (a == std::string_view::npos) return {};
  a += open.size();
  auto b = body.find(close, a);
  if (b == std::string_view::npos) return {};
  return std::string(body.substr(a, b - a));
}

std::string clean_code(std::string code) {
  if (auto colon = code.find(':'); colon != std::string::npos) code.resize(colon);
  if (auto hash = code.rfind('#'); hash != std::string::npos) code = code.substr(hash + 1);
  return code;
}

std::string host_header(const std::string& url) {
  // scheme://host[:port]/... → host[:port], with the default port dropped as curl sends it.
  auto start = url.find("://");
  start = start == std::string::npos ? 0 : start + 3;
  auto end = url.find_first_of("/?#", start);
  std::string host = url.substr(start, end == std::string::npos ? std::string::npos : end - start);
  bool https = url.rfind("https://", 0) == 0;
  if ((https && host.ends_with(":443")) || (!https && host.ends_with(":80"))) host.resize(host.rfind(':'));
  return host;
}

std::string path_of(const std::string& url) {
  auto start = url.find("://");
  start = start == std::string::npos ? 0 : start + 3;
  auto slash = url.find('/', start);
  if (slash == std::string::npos) return "/";
  auto q = url.find('?', slash);
  return url.substr(slash, q == std::string::npos ? std::string::npos : q - slash);
}

std::string partition_suffix(const std::string& region) {
  return region.rfind("cn-", 0) == 0 ? "amazonaws.com.cn" : "amazonaws.com";
}

std::string strip_slash(std::string url) {
  while (url.size() > 1 && url.back() == '/') url.pop_back();
  return url;
}

}  // namespace

std::string error_code(const http::Response& r) {
  auto doc = nlohmann::json::parse(r.body, nullptr, false);
  if (doc.is_object()) {
    for (const char* k : {"__type", "code", "Code"})
      if (doc.contains(k) && doc[k].is_string()) return clean_code(doc[k].get<std::string>());
  }
  if (auto t = r.headers.get("x-amzn-ErrorType"); t && !t->empty()) return clean_code(*t);
  return xml_tag(r.body, "Code");
}

AwsError map_error(const http::Response& r, std::string_view op) {
  std::string code = error_code(r);
  std::string label = code.empty() ? fmt::format("HTTP {}", r.status) : code;
  std::string message = fmt::format("AWS {} failed: {}", op, label);
  if (code == "ExpiredTokenException" || code == "ExpiredToken")
    return AwsError(ErrorKind::denied, code, message,
                    "the temporary credentials have expired: get new ones (aws sso login, or assume the role again)");
  if (r.status == 401 || r.status == 403 || kDenied.count(code))
    return AwsError(ErrorKind::denied, code, message,
                    "check the credentials (check-config --connect names the principal) and its IAM policy");
  if (code == "ResourceNotFoundException") return AwsError(ErrorKind::not_found, code, message);
  if (code == "ResourceExistsException") return AwsError(ErrorKind::conflict, code, message);
  if (code == "InvalidRequestException") return AwsError(ErrorKind::conflict, code, message);
  if (kThrottling.count(code) || kTransient.count(code) || code == "LimitExceededException" || r.status >= 500)
    return AwsError(ErrorKind::unavailable, code, message);
  if (code == "ValidationException" || code == "InvalidParameterException")
    return AwsError(ErrorKind::usage, code, message);
  return AwsError(ErrorKind::bad_data, code, message);
}

std::string secrets_manager_endpoint(const std::optional<std::string>& override_url, const std::string& region,
                                     const Context& ctx) {
  if (override_url && !override_url->empty()) return strip_slash(*override_url);
  for (const char* var : {"AWS_ENDPOINT_URL_SECRETS_MANAGER", "AWS_ENDPOINT_URL"}) {
    auto v = ctx.getenv_or(var, "");
    if (!v.empty()) return strip_slash(v);
  }
  return fmt::format("https://secretsmanager.{}.{}", region, partition_suffix(region));
}

std::string sts_endpoint(const std::string& region, const Context& ctx) {
  for (const char* var : {"AWS_ENDPOINT_URL_STS", "AWS_ENDPOINT_URL"}) {
    auto v = ctx.getenv_or(var, "");
    if (!v.empty()) return strip_slash(v);
  }
  return fmt::format("https://sts.{}.{}", region, partition_suffix(region));
}

SmClient::SmClient(http::Client& http, std::string endpoint, std::string region, CredentialFn credentials,
                   std::function<std::chrono::system_clock::time_point()> clock)
    : http_(http), endpoint_(std::move(endpoint)), region_(std::move(region)), credentials_(std::move(credentials)),
      clock_(std::move(clock)) {}

http::Request SmClient::request(std::string_view op, const nlohmann::json& body) const {
  http::Request req("POST", endpoint_ + "/", {}, body.dump(-1, ' ', false, nlohmann::json::error_handler_t::strict));
  req.headers.add("Content-Type", std::string(kContentType));
  req.headers.add("X-Amz-Target", fmt::format("secretsmanager.{}", op));
  // Every operation we send is safe to repeat: reads, and writes that carry a ClientRequestToken.
  req.idempotent = true;
  return req;
}

http::Policy SmClient::policy(std::string_view service) const {
  http::Policy p;
  std::string svc(service);
  p.prepare = [this, svc](http::Request& req, int) {
    req.headers.set("Host", host_header(req.url));
    crypto::sigv4::Request sreq;
    sreq.method = req.method;
    sreq.path = path_of(req.url);
    for (const auto& [k, v] : req.headers) sreq.headers.emplace_back(k, v);
    sreq.payload = req.body;
    auto creds = credentials_();
    auto signed_headers = crypto::sigv4::sign(sreq, creds, region_, svc, clock_());
    for (auto& [k, v] : signed_headers.headers_to_add) req.headers.set(k, v);
  };
  p.classify = [this](const http::Response& r) -> std::optional<http::Retry> {
    if (r.status == 400 || r.status == 403) {
      auto code = error_code(r);
      if ((code == "ExpiredTokenException" || code == "ExpiredToken") && renew_ && renew_()) return http::Retry::always;
    }
    if (r.status == 400) {
      auto code = error_code(r);
      if (kThrottling.count(code)) return http::Retry::always;
      if (kTransient.count(code)) return http::Retry::if_idempotent;
      return http::Retry::no;
    }
    return std::nullopt;
  };
  return p;
}

nlohmann::json SmClient::call(std::string_view op, const nlohmann::json& body) {
  auto r = http_.send(request(op, body), policy(kService));
  if (r.status != 200) throw map_error(r, op);
  auto doc = nlohmann::json::parse(r.body, nullptr, false);
  if (doc.is_discarded() || !doc.is_object())
    throw AwsError(ErrorKind::bad_data, "", fmt::format("AWS {}: the response is not a JSON object{}", op,
                                                        http::body_summary(r)));
  return doc;
}

std::vector<std::variant<nlohmann::json, AwsError>> SmClient::call_many(const std::vector<Call>& calls) {
  std::vector<http::Request> reqs;
  for (const auto& [op, body] : calls) reqs.push_back(request(op, body));
  auto results = http_.send_many(reqs, policy(kService));
  std::vector<std::variant<nlohmann::json, AwsError>> out;
  for (size_t i = 0; i < results.size(); ++i) {
    auto& res = results[i];
    const std::string& op = calls[i].first;
    if (auto* e = std::get_if<Error>(&res)) {
      out.emplace_back(AwsError(e->kind(), "", e->what(), e->hint()));
      continue;
    }
    auto& r = std::get<http::Response>(res);
    if (r.status != 200) {
      out.emplace_back(map_error(r, op));
      continue;
    }
    auto doc = nlohmann::json::parse(r.body, nullptr, false);
    if (doc.is_discarded() || !doc.is_object())
      out.emplace_back(AwsError(ErrorKind::bad_data, "",
                                fmt::format("AWS {}: the response is not a JSON object{}", op, http::body_summary(r))));
    else
      out.emplace_back(std::move(doc));
  }
  return out;
}

std::string SmClient::caller_arn(const std::string& sts_url) {
  http::Request req("POST", sts_url + "/", {}, "Action=GetCallerIdentity&Version=2011-06-15");
  req.headers.add("Content-Type", "application/x-www-form-urlencoded; charset=utf-8");
  auto r = http_.send(req, policy("sts"));
  if (r.status != 200) throw map_error(r, "sts:GetCallerIdentity");
  auto arn = xml_tag(r.body, "Arn");
  if (arn.empty()) throw AwsError(ErrorKind::bad_data, "", "STS GetCallerIdentity: no Arn in the response");
  return arn;
}

}  // namespace ks::aws
