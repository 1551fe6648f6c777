#include "backends/aws/metadata.hpp"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "src/core/error.hpp"
#include "src/core/fs.hpp"
#include "src/core/time_format.hpp"

namespace ks::aws {
namespace {

constexpr std::string_view kTokenPath = "/latest/api/token";
constexpr std::string_view kRolePath = "/latest/meta-data/iam/security-credentials/";

std::string strip_slash(std::string url) {
  while (!url.empty() && url.back() == '/') url.pop_back();
  return url;
}

// The host of a URL without port or IPv6 brackets, lower-case.
std::string bare_host(const std::string& url) {
  std::string h = http::host_of(url);
  if (!h.empty() && h.front() == '[') return h.substr(1, h.find(']') - 1);
  if (auto colon = h.rfind(':'); colon != std::string::npos) h.resize(colon);
  for (auto& c : h) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return h;
}

bool allowed_full_uri(const std::string& url) {
  if (url.rfind("https://", 0) == 0) return true;
  if (url.rfind("http://", 0) != 0) return false;
  std::string h = bare_host(url);
  return h == "localhost" || h.rfind("127.", 0) == 0 || h == "::1" || h == "169.254.170.2" || h == "169.254.170.23" ||
         h == "fd00:ec2::23";
}

std::optional<std::string> container_token(const Context& ctx) {
  std::optional<std::string> token;
  if (auto file = ctx.getenv("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE"); file && !file->empty()) {
    token = fs::read_file(*file, ErrorKind::config);
    while (!token->empty() && (token->back() == '\n' || token->back() == '\r')) token->pop_back();
  } else if (auto t = ctx.getenv("AWS_CONTAINER_AUTHORIZATION_TOKEN"); t && !t->empty()) {
    token = t;
  }
  if (token && token->find_first_of("\r\n") != std::string::npos)
    throw Error(ErrorKind::config, "the container authorization token contains a line break");
  return token;
}

// One metadata request; nullopt when the service did not answer (timeout, refused).
std::optional<http::Response> try_send(http::Client& http, const http::Request& req) {
  try {
    return http.send(req);
  } catch (const Error& e) {
    if (e.kind() == ErrorKind::unavailable) return std::nullopt;
    throw;
  }
}

std::string first_line(const std::string& body) {
  auto end = body.find_first_of("\r\n");
  std::string line = body.substr(0, end);
  while (!line.empty() && line.back() == ' ') line.pop_back();
  return line;
}

}  // namespace

http::Options metadata_http_options(const http::Options& base, std::chrono::milliseconds timeout, int attempts) {
  http::Options o = base;
  o.connect_timeout = timeout;
  o.request_timeout = timeout;
  o.max_attempts = attempts;
  o.backoff_base = std::chrono::milliseconds(1000);  // "up to 3 attempts, 1 s apart"
  o.backoff_cap = std::chrono::milliseconds(1000);
  o.proxy = {};
  o.concurrency = 1;
  return o;
}

AwsCredentials parse_metadata_credentials(const std::string& body, const std::string& what) {
  auto doc = nlohmann::json::parse(body, nullptr, false);
  if (!doc.is_object()) throw Error(ErrorKind::bad_data, fmt::format("{} did not answer a JSON object", what));
  if (doc.contains("Code") && doc["Code"].is_string() && doc["Code"] != "Success")
    throw Error(ErrorKind::denied, fmt::format("{} answered Code {}", what, doc["Code"].get<std::string>()));
  auto str = [&](const char* k) -> std::string {
    return doc.contains(k) && doc[k].is_string() ? doc[k].get<std::string>() : std::string();
  };
  AwsCredentials c;
  c.keys = {str("AccessKeyId"), str("SecretAccessKey"), str("Token")};
  if (c.keys.access_key_id.empty() || c.keys.secret_access_key.empty())
    throw Error(ErrorKind::bad_data, fmt::format("{} answered without AccessKeyId/SecretAccessKey", what));
  if (auto exp = str("Expiration"); !exp.empty()) {
    c.expiration = parse_rfc3339(exp);
    if (!c.expiration) throw Error(ErrorKind::bad_data, fmt::format("{}: Expiration '{}' is not a timestamp", what, exp));
  }
  return c;
}

bool container_configured(const Context& ctx) {
  return !ctx.getenv_or("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", "").empty() ||
         !ctx.getenv_or("AWS_CONTAINER_CREDENTIALS_FULL_URI", "").empty();
}

std::string container_url(const Context& ctx) {
  if (auto rel = ctx.getenv_or("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", ""); !rel.empty())
    return std::string(kContainerHost) + (rel.front() == '/' ? "" : "/") + rel;
  auto full = ctx.getenv_or("AWS_CONTAINER_CREDENTIALS_FULL_URI", "");
  if (!allowed_full_uri(full))
    throw Error(ErrorKind::config,
                fmt::format("AWS_CONTAINER_CREDENTIALS_FULL_URI names {}, which is neither https nor a loopback or "
                            "container address", http::host_of(full)),
                "use https, a loopback address, 169.254.170.2, 169.254.170.23 or fd00:ec2::23");
  return full;
}

std::optional<AwsCredentials> container_credentials(http::Client& http, const Context& ctx) {
  if (!container_configured(ctx)) return std::nullopt;
  http::Request req("GET", container_url(ctx));
  req.headers.add("Accept", "application/json");
  if (auto token = container_token(ctx)) req.headers.add("Authorization", *token);
  auto r = http.send(req);
  std::string what = fmt::format("the container credentials endpoint ({})", http::host_of(req.url));
  if (r.status != 200)
    throw Error(r.status == 401 || r.status == 403 ? ErrorKind::denied : ErrorKind::unavailable,
                fmt::format("{} answered HTTP {}", what, r.status));
  auto c = parse_metadata_credentials(r.body, what);
  c.source = fmt::format("container credentials ({})", http::host_of(req.url));
  return c;
}

bool imds_disabled(const Context& ctx) {
  auto v = ctx.getenv_or("AWS_EC2_METADATA_DISABLED", "");
  for (auto& c : v) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return v == "true";
}

std::string imds_endpoint(const Context& ctx) {
  if (auto e = ctx.getenv_or("AWS_EC2_METADATA_SERVICE_ENDPOINT", ""); !e.empty()) return strip_slash(e);
  auto mode = ctx.getenv_or("AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE", "");
  return std::string(mode == "IPv6" || mode == "ipv6" ? kImdsIpv6Endpoint : kImdsEndpoint);
}

std::chrono::milliseconds imds_timeout(const Context& ctx) {
  try {
    double s = std::stod(ctx.getenv_or("AWS_METADATA_SERVICE_TIMEOUT", "0"));
    if (s > 0) return std::chrono::milliseconds(static_cast<long>(s * 1000));
  } catch (const std::exception&) {
  }
  return kImdsTimeout;
}

int imds_attempts(const Context& ctx) {
  try {
    int n = std::stoi(ctx.getenv_or("AWS_METADATA_SERVICE_NUM_ATTEMPTS", "0"));
    if (n > 0) return n;
  } catch (const std::exception&) {
  }
  return kImdsAttempts;
}

std::optional<AwsCredentials> imds_credentials(http::Client& http, const Context& ctx, std::string& why) {
  std::string base = imds_endpoint(ctx);
  http::Request token_req("PUT", base + std::string(kTokenPath));
  token_req.headers.add("X-aws-ec2-metadata-token-ttl-seconds", std::to_string(kImdsTokenTtlSeconds));
  auto tr = try_send(http, token_req);
  if (!tr) {
    why = "EC2 instance metadata (no answer)";
    return std::nullopt;
  }
  std::optional<std::string> token;
  if (tr->status == 200) {
    token = tr->body;
  } else if (tr->status == 400) {
    throw Error(ErrorKind::bad_data, "EC2 instance metadata refused the IMDSv2 token request (HTTP 400)");
  } else if (!(tr->status == 403 || tr->status == 404 || tr->status == 405) ||
             ctx.getenv_or("AWS_EC2_METADATA_V1_DISABLED", "") == "true") {
    why = fmt::format("EC2 instance metadata (token request: HTTP {})", tr->status);
    return std::nullopt;
  }
  auto get = [&](const std::string& path) {
    http::Request req("GET", base + path);
    if (token) req.headers.add("X-aws-ec2-metadata-token", *token);
    return try_send(http, req);
  };
  auto roles = get(std::string(kRolePath));
  std::string role = roles && roles->status == 200 ? first_line(roles->body) : std::string();
  if (role.empty()) {
    why = roles ? "EC2 instance metadata (no IAM role)" : "EC2 instance metadata (no answer)";
    return std::nullopt;
  }
  auto creds = get(std::string(kRolePath) + role);
  if (!creds || creds->status != 200) {
    why = fmt::format("EC2 instance metadata (role {}: {})", role, creds ? fmt::format("HTTP {}", creds->status) : "no answer");
    return std::nullopt;
  }
  auto c = parse_metadata_credentials(creds->body, "EC2 instance metadata");
  c.source = fmt::format("EC2 instance metadata (role {})", role);
  return c;
}

}  // namespace ks::aws
