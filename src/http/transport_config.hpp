// Where the HTTP client's trust store and proxies come from (spec/cli.md, "Endpoints and TLS").
// CA order: --ca-file, extension kestra.secret.<type>.ca-file, the backend's own variable
// (AWS_CA_BUNDLE, VAULT_CACERT), then SSL_CERT_FILE; the first one set is used INSTEAD of the
// system store (like curl --cacert). Proxies come from the Context's environment, not from the
// process, so tests and the binary decide the same way; both cases of each variable are honoured
// (lower case first, as curl does), including HTTP_PROXY, which libcurl itself ignores in upper
// case (httpoxy: a concern for CGI programs, not for a CLI).
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "src/core/context.hpp"

namespace ks::http {

struct CaChoice {
  std::string file;    // a PEM bundle
  std::string source;  // "--ca-file", "kestra.secret.vault.ca-file", "VAULT_CACERT", "SSL_CERT_FILE"
};

// nullopt = the system store. An empty value counts as not set. A chosen file that cannot be read
// is Error{config} naming its source (check-config reports it before any request is made).
std::optional<CaChoice> resolve_ca_file(const Context& ctx, const std::optional<std::string>& flag,
                                        const std::optional<std::string>& config_value,
                                        std::string_view config_key, std::string_view backend_variable);

struct ProxyConfig {
  std::string http;      // proxy for http:// URLs ("" = none)
  std::string https;     // proxy for https:// URLs
  std::string no_proxy;  // comma-separated hosts/domains/CIDRs that bypass the proxy; "*" = all
};

// http_proxy|HTTP_PROXY, https_proxy|HTTPS_PROXY, falling back to all_proxy|ALL_PROXY; no_proxy|NO_PROXY.
ProxyConfig proxy_from_env(const Context& ctx);

}  // namespace ks::http
