// Microsoft Entra access tokens for Key Vault (spec/providers.md §2.5): the configured client
// secret, else the default chain (environment client secret, workload identity, managed identity
// via App Service or IMDS, the Azure CLI). Azure Arc is recognised and reported as unsupported.
// CONTRACT: the source is chosen once, on the first token request; a token is cached for the run
// and fetched again only after invalidate(). No error message, hint or fact holds a secret or a
// token; Entra's error code and first description line are kept (they name no secret).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "backends/transport.hpp"
#include "src/config/settings.hpp"
#include "src/core/context.hpp"
#include "src/http/client.hpp"

namespace ks::azure {

inline constexpr std::string_view kDefaultAuthorityHost = "https://login.microsoftonline.com/";
inline constexpr std::string_view kDefaultImdsHost = "http://169.254.169.254";
inline constexpr std::chrono::milliseconds kImdsProbeTimeout{1000};  // so nothing hangs off Azure
inline constexpr std::string_view kImdsApiVersion = "2018-02-01";
inline constexpr std::string_view kAppServiceApiVersion = "2019-08-01";

// What the vault's 401 challenge told us: tenant (last segment of `authorization`) and scope.
struct Challenge {
  std::string tenant;
  std::string scope;  // e.g. https://vault.azure.net/.default
  // The resource form (no /.default) that managed identity and the CLI take.
  std::string resource() const;
};

// Parses `Bearer authorization="…", resource="…"` (or authorization_uri / scope); nullopt when
// neither a tenant nor a scope can be read.
std::optional<Challenge> parse_challenge(std::string_view www_authenticate);

// True when the challenge's resource may serve a vault at vault_url: its host is a domain suffix
// of the vault host, checked only for vaults under a Key Vault domain (private endpoints skip it).
bool challenge_resource_ok(const std::string& vault_url, const std::string& scope);

// Percent-encodes for a query string or a form body (RFC 3986 unreserved characters kept).
std::string url_encode(std::string_view s);

class Credential {
public:
  Credential(const config::AzureSettings& s, const backends::BackendOptions& opts, const Context& ctx,
             http::Client& http);

  // A bearer token for the challenge's scope (cached after the first call).
  std::string token(const Challenge& c);
  void invalidate() { token_.reset(); }

  // For check-config --connect: the source, the tenant and the client id (empty when unknown).
  const std::string& source() const { return source_; }
  const std::string& tenant() const { return tenant_; }
  const std::string& client() const { return client_; }

private:
  std::string fetch(const Challenge& c);
  std::optional<std::string> entra_token(const Challenge& c, const std::string& tenant, const std::string& client,
                                         const std::string& credential_form);
  std::optional<std::string> app_service_token(const Challenge& c);
  std::optional<std::string> imds_token(const Challenge& c);
  std::optional<std::string> cli_token(const Challenge& c);
  std::string authority_host() const;

  config::AzureSettings s_;
  [[maybe_unused]] const backends::BackendOptions& opts_;  // kept for options a credential may need
  const Context& ctx_;
  http::Client& http_;
  std::optional<std::string> token_;
  std::string source_, tenant_, client_;
  std::vector<std::string> tried_;
};

}  // namespace ks::azure
