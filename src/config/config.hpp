// Configuration: where it comes from (spec/cli.md "Configuration sources"), how it is merged and
// normalised (Micronaut relaxed binding), and the typed view each backend reads (settings.hpp).
// Only kestra.secret.** and kestra.elasticsearch.** are kept; everything else is ignored silently.
//
// Order: ONE file source (-c FILE..., else KESTRA_CONFIGURATION, else MICRONAUT_CONFIG_FILES, else
// ~/.kestra/config.yml, else nothing), then KESTRA_SECRET_… / KESTRA_ELASTICSEARCH_… variables
// (resolved against the key schema), then --set, then --env-file; then ${NAME[:default]}
// placeholders; then the azure-secret-manager alias; then values typed by the schema; then -t.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "src/core/context.hpp"

namespace ks::config {

// What the command line says about configuration.
struct Sources {
  std::vector<std::string> files;       // -c/--config, in order (later overrides earlier)
  std::vector<std::string> sets;        // --set k=v, in order
  std::optional<std::string> type;      // -t/--type
  std::optional<std::string> env_file;  // --env-file (env backend)
};

struct Loaded {
  // {"kestra": {"secret": {...}, "elasticsearch": {...}}} with every key in canonical kebab-case
  // (map entries under tags, filter-on-tags.tags and excluded-tags keep their case), placeholders
  // resolved, overrides applied, values of known keys typed (bool, integer, lists) where they parse.
  // kestra.secret.type always holds the canonical type.
  nlohmann::json tree = nlohmann::json::object();
  std::string source;   // human description of the source used, e.g. "-c /etc/kestra.yml"
  std::string type;     // canonical backend type (aliases resolved); "env" when none configured
  std::string type_written;            // the type as configured or given to -t ("" when none)
  std::vector<std::string> warnings;   // load-time remarks (ignored variables, alias blocks); no values
};

// Loads and merges configuration. Throws Error{config} for a -c (or MICRONAUT_CONFIG_FILES) file
// that does not exist or cannot be read, invalid YAML (with file and line), a --set without '=' or
// outside kestra.secret / kestra.elasticsearch, a placeholder naming an unset variable without a
// default. Never throws for unknown keys or wrong values: validate() reports those.
Loaded load(const Sources& sources, const Context& ctx);

// Parses one YAML text into the kept, canonical tree (exposed for tests). `origin` names the text
// in error messages (a path, or "KESTRA_CONFIGURATION").
nlohmann::json parse_yaml(const std::string& text, const std::string& origin);

// The kestra.secret block (an object, possibly empty).
const nlohmann::json& secret_block(const Loaded& cfg);
// The kestra.elasticsearch block (an object, possibly empty).
const nlohmann::json& elasticsearch_block(const Loaded& cfg);

// Settings of the env backend (spec/kestra.md §1).
struct EnvSettings {
  std::optional<std::string> file;   // --env-file, else kestra.secret.env.file
  bool read_only = false;
};
EnvSettings env_settings(const Loaded& cfg, const Sources& sources);

}  // namespace ks::config
