// Configuration: where it comes from (spec/cli.md "Configuration sources"), how it is merged and
// normalised (Micronaut relaxed binding), and the typed view each backend reads.
// Only kestra.secret.** and kestra.elasticsearch.** are kept; everything else is ignored silently.
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
  // resolved, overrides applied.
  nlohmann::json tree = nlohmann::json::object();
  std::string source;   // human description of the source used, e.g. "-c /etc/kestra.yml"
  std::string type;     // canonical backend type (aliases resolved); "env" when none configured
};

// Loads and merges configuration. Throws Error{config} for a -c file that does not exist, invalid
// YAML (with file and line), a --set without '='.
Loaded load(const Sources& sources, const Context& ctx);

// The kestra.secret block (an object, possibly empty).
const nlohmann::json& secret_block(const Loaded& cfg);

// Settings of the env backend (spec/kestra.md §1).
struct EnvSettings {
  std::optional<std::string> file;   // --env-file, else kestra.secret.env.file
  bool read_only = false;
};
EnvSettings env_settings(const Loaded& cfg, const Sources& sources);

}  // namespace ks::config
