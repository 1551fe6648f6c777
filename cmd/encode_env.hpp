// `encode-env`: .env → .env_encoded (and back with --decode), spec/cli.md + spec/dotenv.md.
#pragma once

#include <optional>
#include <string>

#include "src/core/context.hpp"

namespace ks::cmd {

struct EncodeEnvOptions {
  std::optional<std::string> input;         // default ".env" ("-" = stdin); with --decode ".env_encoded"
  std::optional<std::string> output;        // default ".env_encoded" ("-" = stdout); with --decode ".env"
  std::string prefix = "SECRET_";
  std::string dialect = "compose";
  bool interpolate = false;
  bool check = false;                       // compare OUTPUT with INPUT; exit 10 when different
  bool decode = false;                      // .env_encoded → .env (dotenv format)
  bool quiet = false;
};

// Runs the command; returns the exit status (0, or 10 for --check differences). Failures throw
// ks::Error (usage for a missing input, bad_data for a syntax error) which main() reports.
int run_encode_env(const EncodeEnvOptions& opts, const Context& ctx);

}  // namespace ks::cmd
