#include "backends/aws/sts.hpp"

#include <fmt/format.h>
#include <set>

#include "backends/aws/sm_client.hpp"
#include "src/core/time_format.hpp"

namespace ks::aws {
namespace {

constexpr std::string_view kFormType = "application/x-www-form-urlencoded; charset=utf-8";
// Throttling, and the one web identity error STS documents as retryable.
const std::set<std::string, std::less<>> kRetryAlways = {"Throttling", "ThrottlingException", "RequestLimitExceeded",
                                                         "IDPCommunicationError"};

std::string url_path(const std::string& url) {
  auto start = url.find("://");
  start = start == std::string::npos ? 0 : start + 3;
  auto slash = url.find('/', start);
  if (slash == std::string::npos) return "/";
  auto q = url.find('?', slash);
  return url.substr(slash, q == std::string::npos ? std::string::npos : q - slash);
}

http::Policy sts_policy(const StsTarget& sts, const crypto::sigv4::Credentials* source) {
  http::Policy p;
  if (source) {
    crypto::sigv4::Credentials keys = *source;
    std::string region = sts.region;
    auto clock = sts.clock;
    p.prepare = [keys, region, clock](http::Request& req, int) {
      req.headers.set("Host", http::host_header_of(req.url));
      crypto::sigv4::Request sreq;
      sreq.method = req.method;
      sreq.path = url_path(req.url);
      for (const auto& [k, v] : req.headers) sreq.headers.emplace_back(k, v);
      sreq.payload = req.body;
      auto signed_headers = crypto::sigv4::sign(sreq, keys, region, "sts", clock());
      for (auto& [k, v] : signed_headers.headers_to_add) req.headers.set(k, v);
    };
  }
  p.classify = [](const http::Response& r) -> std::optional<http::Retry> {
    if (r.status == 400 && kRetryAlways.count(error_code(r))) return http::Retry::always;
    return std::nullopt;
  };
  return p;
}

AwsCredentials call(const StsTarget& sts, std::string_view op, const std::string& body,
                    const crypto::sigv4::Credentials* source, const std::string& role_arn) {
  http::Request req("POST", sts.endpoint + "/", {}, body);
  req.headers.add("Content-Type", std::string(kFormType));
  auto r = sts.http.send(req, sts_policy(sts, source));
  if (r.status != 200) {
    auto mapped = map_error(r, fmt::format("sts:{}", op));
    if (r.status >= 400 && r.status < 500 && mapped.kind() != ErrorKind::unavailable)
      throw Error(ErrorKind::denied, fmt::format("AWS STS {} of {} failed: {}", op, role_arn,
                                                 mapped.code().empty() ? fmt::format("HTTP {}", r.status) : mapped.code()),
                  "check the role's trust policy and the source credentials");
    throw Error(mapped.kind(), mapped.what(), mapped.hint());
  }
  return parse_sts_credentials(r.body, op);
}

std::vector<std::pair<std::string, std::string>> role_fields(std::string_view action, const RoleRequest& role) {
  std::vector<std::pair<std::string, std::string>> f = {
      {"Action", std::string(action)}, {"Version", std::string(kStsVersion)}, {"RoleArn", role.role_arn},
      {"RoleSessionName", role.session_name}};
  if (role.external_id) f.emplace_back("ExternalId", *role.external_id);
  if (role.duration_seconds) f.emplace_back("DurationSeconds", std::to_string(*role.duration_seconds));
  return f;
}

std::string decode_entities(std::string s) {
  static const std::pair<std::string_view, char> kEntities[] = {
      {"&amp;", '&'}, {"&lt;", '<'}, {"&gt;", '>'}, {"&quot;", '"'}, {"&apos;", '\''}};
  std::string out;
  for (size_t i = 0; i < s.size();) {
    bool done = false;
    if (s[i] == '&')
      for (const auto& [e, c] : kEntities)
        if (s.compare(i, e.size(), e) == 0) {
          out += c;
          i += e.size();
          done = true;
          break;
        }
    if (!done) out += s[i++];
  }
  return out;
}

}  // namespace

std::optional<std::string> xml_text(std::string_view xml, std::string_view tag) {
  std::string open = fmt::format("<{}>", tag), close = fmt::format("</{}>", tag);
  auto a = xml.find(open);
  if (a == std::string_view::npos) return std::nullopt;
  a += open.size();
  auto b = xml.find(close, a);
  if (b == std::string_view::npos) return std::nullopt;
  return decode_entities(std::string(xml.substr(a, b - a)));
}

AwsCredentials parse_sts_credentials(std::string_view xml, std::string_view op) {
  auto block = xml_text(xml, "Credentials");
  if (!block) throw Error(ErrorKind::bad_data, fmt::format("AWS STS {}: no Credentials in the response", op));
  auto key = xml_text(*block, "AccessKeyId");
  auto secret = xml_text(*block, "SecretAccessKey");
  auto token = xml_text(*block, "SessionToken");
  auto expiration = xml_text(*block, "Expiration");
  if (!key || !secret || !token || key->empty() || secret->empty())
    throw Error(ErrorKind::bad_data, fmt::format("AWS STS {}: the response's Credentials are incomplete", op));
  AwsCredentials c;
  c.keys = {*key, *secret, *token};
  if (expiration) {
    c.expiration = parse_rfc3339(*expiration);
    if (!c.expiration)
      throw Error(ErrorKind::bad_data, fmt::format("AWS STS {}: Expiration '{}' is not a timestamp", op, *expiration));
  }
  return c;
}

std::string form_body(const std::vector<std::pair<std::string, std::string>>& fields) {
  std::string out;
  for (const auto& [k, v] : fields) {
    if (!out.empty()) out += '&';
    out += crypto::sigv4::uri_encode(k, false) + "=" + crypto::sigv4::uri_encode(v, false);
  }
  return out;
}

std::string default_session_name(std::chrono::system_clock::time_point now) {
  return fmt::format("botocore-session-{}", std::chrono::duration_cast<std::chrono::seconds>(now.time_since_epoch()).count());
}

AwsCredentials assume_role(const StsTarget& sts, const crypto::sigv4::Credentials& source, const RoleRequest& role) {
  return call(sts, "AssumeRole", form_body(role_fields("AssumeRole", role)), &source, role.role_arn);
}

AwsCredentials assume_role_with_web_identity(const StsTarget& sts, const RoleRequest& role, const std::string& token) {
  auto fields = role_fields("AssumeRoleWithWebIdentity", role);
  fields.emplace_back("WebIdentityToken", token);
  return call(sts, "AssumeRoleWithWebIdentity", form_body(fields), nullptr, role.role_arn);
}

}  // namespace ks::aws
