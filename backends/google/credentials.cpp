#include "backends/google/credentials.hpp"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "backends/google/naming.hpp"
#include "src/core/fs.hpp"
#include "src/crypto/rs256.hpp"

namespace ks::google {
namespace {

using nlohmann::json;

constexpr std::string_view kMetadataTokenPath = "/computeMetadata/v1/instance/service-accounts/default/token";
constexpr std::string_view kMetadataEmailPath = "/computeMetadata/v1/instance/service-accounts/default/email";
constexpr std::string_view kMetadataProjectPath = "/computeMetadata/v1/project/project-id";
constexpr std::string_view kAdcFile = "application_default_credentials.json";

std::string field(const json& doc, const char* name, const std::string& where) {
  if (!doc.contains(name) || !doc[name].is_string() || doc[name].get<std::string>().empty())
    throw Error(ErrorKind::config, fmt::format("{}: the credentials have no '{}'", where, name));
  return doc[name].get<std::string>();
}

// The access_token of a token endpoint's answer; OAuth errors name their code, never a credential.
std::string access_token_of(const http::Response& r, const std::string& what) {
  auto doc = json::parse(r.body, nullptr, false);
  if (r.status == 200) {
    if (doc.is_object() && doc.contains("access_token") && doc["access_token"].is_string())
      return doc["access_token"].get<std::string>();
    throw Error(ErrorKind::bad_data, fmt::format("{}: the token response has no access_token", what));
  }
  std::string code = doc.is_object() && doc.contains("error") && doc["error"].is_string()
                         ? doc["error"].get<std::string>() : fmt::format("HTTP {}", r.status);
  if (r.status >= 500 || r.status == 429)
    throw Error(ErrorKind::unavailable, fmt::format("{} failed: {}", what, code));
  std::string desc = doc.is_object() && doc.contains("error_description") && doc["error_description"].is_string()
                         ? ": " + doc["error_description"].get<std::string>() : "";
  throw Error(ErrorKind::denied, fmt::format("{} refused the credentials: {}{}", what, code, desc),
              "check the key file (a revoked key, a wrong token_uri or a skewed clock are the usual causes)");
}

}  // namespace

std::string metadata_host(const Context& ctx) {
  for (const char* var : {"GCE_METADATA_HOST", "GCE_METADATA_ROOT"}) {
    auto v = ctx.getenv_or(var, "");
    if (!v.empty()) return v;
  }
  return std::string(kDefaultMetadataHost);
}

TokenSource::TokenSource(const http::Options& base, const Context& ctx, std::optional<std::string> inline_key)
    : ctx_(ctx), inline_key_(std::move(inline_key)) {
  http_ = std::make_unique<http::Client>(base);
  // Off GCP nothing answers 169.254.169.254: one short attempt, as google-auth's ping but shorter.
  http::Options md = base;
  md.connect_timeout = kMetadataProbeTimeout;
  md.max_attempts = 1;
  metadata_http_ = std::make_unique<http::Client>(md);
}

TokenSource::~TokenSource() {
  if (token_) token_->assign(token_->size(), '\0');
  private_key_.assign(private_key_.size(), '\0');
}

void TokenSource::load_json(const std::string& text, const std::string& where) {
  auto doc = json::parse(text, nullptr, false);
  if (!doc.is_object()) throw Error(ErrorKind::config, fmt::format("{} is not a JSON object", where));
  std::string type = doc.value("type", "");
  if (doc.contains("project_id") && doc["project_id"].is_string()) project_ = doc["project_id"].get<std::string>();
  token_uri_ = doc.contains("token_uri") && doc["token_uri"].is_string() ? doc["token_uri"].get<std::string>()
                                                                          : std::string(kDefaultTokenUri);
  if (type == "service_account") {
    kind_ = Kind::service_account;
    email_ = field(doc, "client_email", where);
    private_key_ = field(doc, "private_key", where);
    if (doc.contains("private_key_id") && doc["private_key_id"].is_string()) key_id_ = doc["private_key_id"];
  } else if (type == "authorized_user") {
    kind_ = Kind::authorized_user;
    client_id_ = field(doc, "client_id", where);
    client_secret_ = field(doc, "client_secret", where);
    refresh_token_ = field(doc, "refresh_token", where);
    if (doc.contains("quota_project_id") && doc["quota_project_id"].is_string())
      quota_project_ = doc["quota_project_id"].get<std::string>();
  } else {
    throw Error(ErrorKind::config, fmt::format("{}: credentials of type '{}' are not supported", where, type),
                "use a service_account key or an authorized_user file (gcloud auth application-default login)");
  }
}

void TokenSource::resolve() {
  if (resolved_) return;
  resolved_ = true;
  if (inline_key_) {
    load_json(*inline_key_, "kestra.secret.google-secret-manager.service-account");
    source_ = "service-account (configuration)";
    return;
  }
  if (auto path = ctx_.getenv("GOOGLE_APPLICATION_CREDENTIALS"); path && !path->empty()) {
    load_json(fs::read_file(*path, ErrorKind::config), "GOOGLE_APPLICATION_CREDENTIALS");
    source_ = fmt::format("GOOGLE_APPLICATION_CREDENTIALS ({})", kind_ == Kind::service_account ? "service_account"
                                                                                               : "authorized_user");
    return;
  }
  std::string dir = ctx_.getenv_or("CLOUDSDK_CONFIG", ctx_.home.empty() ? "" : ctx_.home + "/.config/gcloud");
  if (!dir.empty() && fs::exists(dir + "/" + std::string(kAdcFile))) {
    std::string path = dir + "/" + std::string(kAdcFile);
    load_json(fs::read_file(path, ErrorKind::config), path);
    source_ = fmt::format("application default credentials ({})", path);
    return;
  }
  if (!metadata_available())
    throw Error(ErrorKind::denied, "no Google credentials found",
                "set kestra.secret.google-secret-manager.service-account, GOOGLE_APPLICATION_CREDENTIALS, or run "
                "'gcloud auth application-default login'; the metadata server did not answer");
  kind_ = Kind::metadata;
  source_ = fmt::format("metadata server ({})", metadata_host(ctx_));
}

bool TokenSource::metadata_available() {
  try {
    http::Request req("GET", fmt::format("http://{}/", metadata_host(ctx_)));
    req.headers.add("Metadata-Flavor", "Google");
    auto r = metadata_http_->send(req);
    auto flavor = r.headers.get("Metadata-Flavor");
    return r.status == 200 && flavor && *flavor == "Google";
  } catch (const Error&) {
    return false;
  }
}

std::string TokenSource::metadata_get(const std::string& path) {
  http::Request req("GET", fmt::format("http://{}{}", metadata_host(ctx_), path));
  req.headers.add("Metadata-Flavor", "Google");
  auto r = http_->send(req);
  if (r.status != 200)
    throw Error(r.status == 403 || r.status == 401 ? ErrorKind::denied : ErrorKind::unavailable,
                fmt::format("the metadata server answered HTTP {} for {}", r.status, path));
  return r.body;
}

std::string TokenSource::token_post(const std::string& body) {
  http::Request req("POST", token_uri_, {}, body);
  req.headers.add("Content-Type", "application/x-www-form-urlencoded");
  http::Policy p;
  p.classify = [](const http::Response& r) -> std::optional<http::Retry> {
    if (r.status == 408 || r.status == 429 || r.status == 500 || r.status == 503) return http::Retry::always;
    return std::nullopt;
  };
  return access_token_of(http_->send(req, p), fmt::format("the token endpoint {}", http::host_of(token_uri_)));
}

std::string TokenSource::fetch_service_account() {
  auto now = std::chrono::duration_cast<std::chrono::seconds>(ctx_.now().time_since_epoch()).count();
  auto jwt = crypto::jwt_rs256(private_key_, jwt_bearer_claims(email_, token_uri_, static_cast<long>(now)),
                               key_id_.empty() ? std::nullopt : std::optional<std::string>(key_id_));
  return token_post("grant_type=" + url_encode("urn:ietf:params:oauth:grant-type:jwt-bearer") + "&assertion=" + jwt);
}

std::string TokenSource::fetch_authorized_user() {
  return token_post(fmt::format("grant_type=refresh_token&client_id={}&client_secret={}&refresh_token={}",
                                url_encode(client_id_), url_encode(client_secret_), url_encode(refresh_token_)));
}

std::string TokenSource::fetch_metadata() {
  std::string path = std::string(kMetadataTokenPath) + "?scopes=" + url_encode(kCloudPlatformScope);
  http::Response fake;
  fake.status = 200;
  fake.body = metadata_get(path);
  return access_token_of(fake, "the metadata server");
}

std::string TokenSource::token() {
  resolve();
  if (!token_) {
    switch (kind_) {
      case Kind::service_account: token_ = fetch_service_account(); break;
      case Kind::authorized_user: token_ = fetch_authorized_user(); break;
      case Kind::metadata: token_ = fetch_metadata(); break;
    }
  }
  return *token_;
}

std::string TokenSource::source() {
  resolve();
  return source_;
}

std::optional<std::string> TokenSource::principal() {
  resolve();
  if (kind_ == Kind::service_account) return email_;
  if (kind_ == Kind::metadata) return metadata_get(std::string(kMetadataEmailPath));
  return fmt::format("authorized_user (client {})", client_id_);
}

std::optional<std::string> TokenSource::project_id() {
  resolve();
  if (!project_ && kind_ == Kind::metadata) project_ = metadata_get(std::string(kMetadataProjectPath));
  return project_;
}

std::optional<std::string> TokenSource::quota_project() {
  resolve();
  return quota_project_;
}

}  // namespace ks::google
