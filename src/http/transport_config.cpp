#include "src/http/transport_config.hpp"

#include <fstream>

#include "src/core/error.hpp"

namespace ks::http {
namespace {

std::optional<std::string> non_empty(const std::optional<std::string>& v) {
  if (v && !v->empty()) return v;
  return std::nullopt;
}

std::string first_env(const Context& ctx, std::initializer_list<const char*> names) {
  for (const char* n : names) {
    if (auto v = non_empty(ctx.getenv(n))) return *v;
  }
  return {};
}

}  // namespace

std::optional<CaChoice> resolve_ca_file(const Context& ctx, const std::optional<std::string>& flag,
                                        const std::optional<std::string>& config_value,
                                        std::string_view config_key, std::string_view backend_variable) {
  std::optional<CaChoice> choice;
  if (auto v = non_empty(flag)) {
    choice = CaChoice{*v, "--ca-file"};
  } else if (auto c = non_empty(config_value)) {
    choice = CaChoice{*c, std::string(config_key)};
  } else if (auto b = backend_variable.empty() ? std::nullopt : non_empty(ctx.getenv(std::string(backend_variable)))) {
    choice = CaChoice{*b, std::string(backend_variable)};
  } else if (auto s = non_empty(ctx.getenv("SSL_CERT_FILE"))) {
    choice = CaChoice{*s, "SSL_CERT_FILE"};
  }
  if (choice && !std::ifstream(choice->file).good()) {
    throw Error(ErrorKind::config, "cannot read the CA bundle '" + choice->file + "' (from " + choice->source + ")",
                "give a readable PEM file of trusted CA certificates");
  }
  return choice;
}

ProxyConfig proxy_from_env(const Context& ctx) {
  ProxyConfig p;
  const std::string all = first_env(ctx, {"all_proxy", "ALL_PROXY"});
  p.http = first_env(ctx, {"http_proxy", "HTTP_PROXY"});
  p.https = first_env(ctx, {"https_proxy", "HTTPS_PROXY"});
  if (p.http.empty()) p.http = all;
  if (p.https.empty()) p.https = all;
  p.no_proxy = first_env(ctx, {"no_proxy", "NO_PROXY"});
  return p;
}

}  // namespace ks::http
