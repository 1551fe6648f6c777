// PLACEHOLDER until the azure-key-vault backend lands: a data command is exit 3, never a stub that pretends.
#include "backends/azure/azure_backend.hpp"

namespace ks::backends {

std::unique_ptr<Backend> make_azure_backend(const config::AzureSettings&, const BackendOptions&, const Context&) {
  throw Error(ErrorKind::config, "this build cannot serve the azure-key-vault backend yet",
              "check-config validates its configuration; the backends available are: env, aws-secret-manager");
}

}  // namespace ks::backends
