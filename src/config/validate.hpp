// Validation behind `check-config` (spec/cli.md): unknown keys (with "did you mean"), missing
// required keys, wrong types, impossible values, conflicting auth methods, plain-http endpoints
// that receive credentials, SECRET_ variables that collide after upper-casing. Static: nothing is
// contacted; a provider with a default credential chain is never an error for want of credentials.
// CONTRACT: no message, hint or effective value ever contains a secret (schema.hpp decides).
#pragma once

#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <vector>

#include "src/config/config.hpp"
#include "src/core/context.hpp"

namespace ks::config {

inline constexpr std::string_view kRedacted = "<redacted>";
inline constexpr std::string_view kDefaultChain = "default chain (resolved by --connect)";

struct Issue {
  std::string path;     // "kestra.secret.vault.address", "environment", ...
  std::string message;
  std::string hint;     // may be empty
  bool note = false;    // informational (printed "note:"); only among warnings
};

struct Report {
  bool valid = true;            // no errors
  std::string type;             // canonical type
  std::string config_source;    // Loaded::source
  std::string credential_source;
  std::vector<Issue> errors;
  std::vector<Issue> warnings;  // warnings and notes
  nlohmann::json effective;     // the configuration with every secret redacted
};

// `available_types`: the canonical types this build can connect to; for any other known type the
// report carries a note saying so.
Report validate(const Loaded& cfg, const Context& ctx, const std::set<std::string>& available_types);

// The tree with secret values replaced by "<redacted>" (schema secrets; unknown keys whose name
// looks secret or whose closest known key is secret; scalars where a mapping belongs; URL
// credentials). kestra.elasticsearch is included only for type elasticsearch.
nlohmann::json redacted_tree(const Loaded& cfg);

// {valid, type, config_source, credential_source, errors: [{path, message, hint}], warnings:
// [{path, message, hint}], effective} (spec/cli.md). Empty hints are null.
nlohmann::json render_json(const Report& report);

// Human-readable report: source, type, credentials, effective configuration (one key per line,
// extensions labelled), then warnings, notes, errors and a verdict line.
std::string render_text(const Report& report);

}  // namespace ks::config
