// Google OAuth 2.0 access tokens for Secret Manager (spec/providers.md §3.5): a service-account key
// (JWT-bearer grant to the key file's token_uri, aud = that token_uri), an authorized_user (refresh
// token), or the metadata server. Without an inline key the chain is GOOGLE_APPLICATION_CREDENTIALS,
// then gcloud's application_default_credentials.json ($CLOUDSDK_CONFIG replaces ~/.config/gcloud),
// then the metadata server (probed once with a short timeout). No source: Error{denied}.
// CONTRACT: a token is fetched once per run and cached; invalidate() forces one refresh (after a
// 401). No token, private key or refresh token ever reaches a message.
#pragma once

#include <memory>
#include <optional>
#include <string>

#include "src/core/context.hpp"
#include "src/http/client.hpp"

namespace ks::google {

inline constexpr std::string_view kDefaultMetadataHost = "169.254.169.254";
inline constexpr std::chrono::milliseconds kMetadataProbeTimeout{1000};  // off GCP: fail fast

class TokenSource {
public:
  // inline_key: the configured `service-account` JSON text (nullopt: the default chain).
  TokenSource(const http::Options& base, const Context& ctx, std::optional<std::string> inline_key);
  ~TokenSource();

  std::string token();
  void invalidate() { token_.reset(); }

  // Resolved lazily (the first token() or these).
  std::string source();                        // "service-account (inline)", "metadata server", ...
  std::optional<std::string> principal();      // client_email / metadata email, when known
  std::optional<std::string> project_id();     // the key file's project_id, or the metadata project
  std::optional<std::string> quota_project();  // authorized_user quota_project_id

private:
  enum class Kind { service_account, authorized_user, metadata };
  void resolve();
  void load_json(const std::string& text, const std::string& where);
  std::string fetch_service_account();
  std::string fetch_authorized_user();
  std::string fetch_metadata();
  std::string metadata_get(const std::string& path);
  std::string token_post(const std::string& body);
  bool metadata_available();

  const Context& ctx_;
  std::optional<std::string> inline_key_;
  std::unique_ptr<http::Client> http_, metadata_http_;
  bool resolved_ = false;
  Kind kind_ = Kind::metadata;
  std::string source_;
  std::string token_uri_, email_, private_key_, key_id_;
  std::string client_id_, client_secret_, refresh_token_;
  std::optional<std::string> project_, quota_project_;
  std::optional<std::string> token_;
};

// Where the metadata server lives: GCE_METADATA_HOST, else GCE_METADATA_ROOT, else 169.254.169.254.
std::string metadata_host(const Context& ctx);

}  // namespace ks::google
