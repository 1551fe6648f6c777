// PLACEHOLDER until the vault backend lands: a data command is exit 3, never a stub that pretends.
#include "backends/vault/vault_backend.hpp"

namespace ks::backends {

std::unique_ptr<Backend> make_vault_backend(const config::VaultSettings&, const BackendOptions&, const Context&) {
  throw Error(ErrorKind::config, "this build cannot serve the vault backend yet",
              "check-config validates its configuration; the backends available are: env, aws-secret-manager");
}

}  // namespace ks::backends
