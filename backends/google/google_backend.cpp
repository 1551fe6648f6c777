// PLACEHOLDER until the google-secret-manager backend lands: a data command is exit 3, never a stub that pretends.
#include "backends/google/google_backend.hpp"

namespace ks::backends {

std::unique_ptr<Backend> make_google_backend(const config::GoogleSettings&, const BackendOptions&, const Context&) {
  throw Error(ErrorKind::config, "this build cannot serve the google-secret-manager backend yet",
              "check-config validates its configuration; the backends available are: env, aws-secret-manager");
}

}  // namespace ks::backends
