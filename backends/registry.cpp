#include "backends/registry.hpp"

#include <fmt/format.h>

#include "backends/aws/aws_backend.hpp"
#include "backends/azure/azure_backend.hpp"
#include "backends/elasticsearch/elasticsearch_backend.hpp"
#include "backends/env/env_backend.hpp"
#include "backends/google/google_backend.hpp"
#include "backends/vault/vault_backend.hpp"
#include "backends/view.hpp"
#include "src/config/settings.hpp"

namespace ks::backends {

const std::set<std::string>& available_types() {
  static const std::set<std::string> types = {"env", "aws-secret-manager", "azure-key-vault", "google-secret-manager",
                                               "vault", "elasticsearch"};
  return types;
}

std::unique_ptr<Backend> make_backend(const config::Loaded& cfg, const config::Sources& sources,
                                      const BackendOptions& opts, const Context& ctx) {
  const std::string& t = cfg.type;
  if (t == "env") return make_view(make_env_backend(config::env_settings(cfg, sources), ctx), config::view_settings(cfg, t));
  if (t == "aws-secret-manager") {
    auto s = config::aws_settings(cfg);
    return make_view(make_aws_backend(s, opts, ctx), s.view);
  }
  if (t == "azure-key-vault") {
    auto s = config::azure_settings(cfg);
    return make_view(make_azure_backend(s, opts, ctx), s.view);
  }
  if (t == "google-secret-manager") {
    auto s = config::google_settings(cfg);
    return make_view(make_google_backend(s, opts, ctx), s.view);
  }
  if (t == "vault") {
    auto s = config::vault_settings(cfg);
    return make_view(make_vault_backend(s, opts, ctx), s.view);
  }
  if (t == "elasticsearch") {
    auto s = config::elasticsearch_settings(cfg);
    config::ViewSettings view;
    view.read_only = s.read_only;
    return make_view(make_elasticsearch_backend(s, opts, ctx), view);
  }
  throw Error(ErrorKind::config, fmt::format("unknown secret backend type '{}'", t),
              "kestra.secret.type is one of env, aws-secret-manager, azure-key-vault, "
              "google-secret-manager, vault, elasticsearch");
}

}  // namespace ks::backends
