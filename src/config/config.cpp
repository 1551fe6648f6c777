// TEMPORARY minimal loader (type and env file only); the configuration issue replaces this file.
#include "src/config/config.hpp"

#include "src/core/error.hpp"
#include "src/core/fs.hpp"

namespace ks::config {

Loaded load(const Sources& sources, const Context&) {
  Loaded cfg;
  cfg.tree = {{"kestra", {{"secret", nlohmann::json::object()}}}};
  for (const auto& f : sources.files) {
    if (!fs::exists(f)) throw Error(ErrorKind::config, "configuration file '" + f + "' does not exist");
  }
  cfg.type = sources.type.value_or("env");
  cfg.source = "none (embedded default: env)";
  return cfg;
}

const nlohmann::json& secret_block(const Loaded& cfg) { return cfg.tree["kestra"]["secret"]; }

EnvSettings env_settings(const Loaded& cfg, const Sources& sources) {
  EnvSettings s;
  if (sources.env_file) s.file = sources.env_file;
  const auto& block = secret_block(cfg);
  if (!s.file && block.contains("env") && block["env"].contains("file"))
    s.file = block["env"]["file"].get<std::string>();
  if (block.contains("read-only")) s.read_only = block["read-only"].get<bool>();
  return s;
}

}  // namespace ks::config
