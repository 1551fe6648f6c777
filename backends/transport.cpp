#include "backends/transport.hpp"

#include <chrono>

namespace ks::backends {

http::Options http_options(const BackendOptions& opts, const Context& ctx, const std::optional<std::string>& config_ca,
                           std::string_view config_key, std::string_view backend_variable) {
  http::Options o;
  if (opts.timeout_seconds)
    o.timeout = std::chrono::milliseconds(static_cast<long long>(*opts.timeout_seconds * 1000.0));
  o.concurrency = opts.concurrency;
  if (auto ca = http::resolve_ca_file(ctx, opts.ca_file, config_ca, config_key, backend_variable)) {
    o.ca_file = ca->file;
    o.ca_source = ca->source;
  }
  o.proxy = http::proxy_from_env(ctx);
  o.trace_level = opts.verbose >= 2 ? 2 : 0;
  return o;
}

}  // namespace ks::backends
