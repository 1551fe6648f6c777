// The global options every subcommand shares (spec/cli.md "Global options"), and the few helpers
// commands use to open the configured backend and write results.
#pragma once

#include <memory>
#include <optional>
#include <string>

#include "backends/backend.hpp"
#include "src/config/config.hpp"
#include "src/core/context.hpp"

namespace ks::cmd {

inline constexpr int kDefaultConcurrency = 8;

struct Globals {
  config::Sources sources;
  std::optional<std::string> ns;        // -n/--namespace
  std::string tenant = "main";          // --tenant (Kestra's default tenant)
  std::string output = "text";          // -o text|json
  int verbose = 0;                      // -v (repeatable)
  bool quiet = false;                   // -q
  std::optional<double> timeout;        // --timeout SECONDS (whole operation)
  int concurrency = kDefaultConcurrency;
  std::optional<std::string> ca_file;   // --ca-file
  bool no_color = false;

  bool json() const { return output == "json"; }
};

struct Session {
  config::Loaded cfg;
  std::unique_ptr<Backend> backend;
};

// Loads the configuration and builds its backend (Error{config} when it cannot).
Session open_session(const Globals& g, const Context& ctx);

// Writes bytes to stdout exactly (no newline added), flushing; Error{internal} if stdout fails.
void write_stdout(const std::string& bytes);

// A JSON document on stdout, followed by a newline.
void write_json(const nlohmann::json& doc);

// A JSON object as a value for this backend: named fields in a field store (Vault KV), else the
// object's compact JSON text (keys sorted).
Secret object_secret(const Backend& b, nlohmann::json doc);

// JSON for an optional string: the string or null.
nlohmann::json opt(const std::optional<std::string>& v);

}  // namespace ks::cmd
