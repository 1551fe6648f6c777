// The registry: `kestra.secret.type` → the backend that serves it. Aliases are resolved by the
// configuration loader; a type this build cannot serve yet is Error{config} (exit 3), never a stub.
#pragma once

#include <memory>
#include <set>
#include <string>

#include "backends/backend.hpp"
#include "backends/transport.hpp"
#include "src/config/config.hpp"

namespace ks::backends {

// The canonical types this build can connect to.
const std::set<std::string>& available_types();

// Builds the backend for the loaded configuration. Throws Error{config} for a type this build does
// not serve.
std::unique_ptr<Backend> make_backend(const config::Loaded& cfg, const config::Sources& sources,
                                      const BackendOptions& opts, const Context& ctx);

}  // namespace ks::backends
