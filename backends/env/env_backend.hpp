// The env backend: Kestra open source's SECRET_ environment variables (spec/kestra.md §3), plus an
// optional file in .env_encoded form (`--env-file`, `kestra.secret.env.file`) whose SECRET_ lines win
// over the inherited environment. Without a file the backend is read-only. Tenants and namespaces
// mean nothing here, as in Kestra OSS.
#pragma once

#include <map>
#include <memory>
#include <optional>

#include "backends/backend.hpp"
#include "src/config/config.hpp"

namespace ks::backends {

std::unique_ptr<Backend> make_env_backend(const config::EnvSettings& settings, const Context& ctx);

}  // namespace ks::backends
