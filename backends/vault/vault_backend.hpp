// The vault backend (spec/providers.md, spec/kestra.md). Built over the one HTTP client.
#pragma once

#include <memory>

#include "backends/backend.hpp"
#include "backends/transport.hpp"
#include "src/config/settings.hpp"

namespace ks::backends {

std::unique_ptr<Backend> make_vault_backend(const config::VaultSettings& settings, const BackendOptions& opts,
                                       const Context& ctx);

}  // namespace ks::backends
