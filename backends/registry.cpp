#include "backends/registry.hpp"

#include <fmt/format.h>

#include "backends/aws/aws_backend.hpp"
#include "backends/env/env_backend.hpp"
#include "backends/view.hpp"
#include "src/config/settings.hpp"

namespace ks::backends {

const std::set<std::string>& available_types() {
  static const std::set<std::string> types = {"env", "aws-secret-manager"};
  return types;
}

std::unique_ptr<Backend> make_backend(const config::Loaded& cfg, const config::Sources& sources,
                                      const BackendOptions& opts, const Context& ctx) {
  if (cfg.type == "env")
    return make_view(make_env_backend(config::env_settings(cfg, sources), ctx), config::view_settings(cfg, "env"));
  if (cfg.type == "aws-secret-manager") {
    auto settings = config::aws_settings(cfg);
    return make_view(make_aws_backend(settings, opts, ctx), settings.view);
  }
  static const std::set<std::string> known = {"aws-secret-manager", "azure-key-vault",
                                              "google-secret-manager", "vault", "elasticsearch"};
  if (known.count(cfg.type))
    throw Error(ErrorKind::config, fmt::format("this build cannot serve the {} backend yet", cfg.type),
                "check-config validates its configuration; the backends available are: env, aws-secret-manager");
  throw Error(ErrorKind::config, fmt::format("unknown secret backend type '{}'", cfg.type),
              "kestra.secret.type is one of env, aws-secret-manager, azure-key-vault, "
              "google-secret-manager, vault, elasticsearch");
}

}  // namespace ks::backends
