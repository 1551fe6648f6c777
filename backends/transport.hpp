// What every HTTP backend takes from the command line (deadline, concurrency, CA, tracing), and the
// one place that turns it into the HTTP client's options, with the CA order of spec/cli.md.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "src/core/context.hpp"
#include "src/http/client.hpp"

namespace ks::backends {

struct BackendOptions {
  std::optional<double> timeout_seconds;  // --timeout: the whole operation
  int concurrency = http::kDefaultConcurrency;
  std::optional<std::string> ca_file;     // --ca-file
  int verbose = 0;                        // -v count: -vv traces HTTP (redacted)
  std::string tenant = "main";
};

// HTTP options for a backend whose configuration has `ca-file` (config_ca, named config_key) and
// whose own CLI reads backend_variable (AWS_CA_BUNDLE, VAULT_CACERT; empty = none).
http::Options http_options(const BackendOptions& opts, const Context& ctx, const std::optional<std::string>& config_ca,
                           std::string_view config_key, std::string_view backend_variable);

}  // namespace ks::backends
