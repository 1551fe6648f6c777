// `check-config [--connect]` (spec/cli.md): loads the configuration, validates it statically and
// prints the report (text, or the -o json document) on stdout. Returns 0 when valid, 3 otherwise.
// Load failures (missing -c file, invalid YAML, unset placeholder) propagate as ks::Error{config}
// for main() to report. With `--connect`, a statically valid configuration is then used for real:
// the backend authenticates and makes one cheap read (Backend::probe), and the facts it reports
// (principal, credential source, region, endpoint, ...) are printed ("connection" in JSON). A
// failure to connect is reported with its own exit code (5 denied, 7 unavailable, ...).
#pragma once

#include <functional>
#include <set>
#include <string>

#include "backends/backend.hpp"
#include "src/config/config.hpp"
#include "src/core/context.hpp"

namespace ks::cmd {

int run_check_config(const config::Sources& sources, const Context& ctx, bool json_output, bool connect,
                     const std::set<std::string>& available_types, const std::function<Probe()>& probe);

}  // namespace ks::cmd
