// The configuration loader (src/config) over arbitrary text given as KESTRA_CONFIGURATION (YAML,
// relaxed binding, placeholders), with the input's `KESTRA_SECRET_…=` / `KESTRA_ELASTICSEARCH_…=`
// lines also set as variables and its `--set k=v` lines given as overrides; then validation, the
// reports and every backend's typed settings.
#include "src/config/config.hpp"
#include "src/config/settings.hpp"
#include "src/config/validate.hpp"
#include "src/config/schema.hpp"
#include "tests/fuzz/fuzz_common.hpp"

using namespace ks;

namespace {

void add_lines(const std::string& input, Context& ctx, config::Sources& sources) {
  size_t pos = 0;
  while (pos < input.size()) {
    size_t nl = input.find('\n', pos);
    std::string line = input.substr(pos, nl == std::string::npos ? std::string::npos : nl - pos);
    pos = nl == std::string::npos ? input.size() : nl + 1;
    if (line.rfind("--set ", 0) == 0) {
      sources.sets.push_back(line.substr(6));
      continue;
    }
    auto eq = line.find('=');
    if (eq != std::string::npos && (line.rfind("KESTRA_SECRET_", 0) == 0 || line.rfind("KESTRA_ELASTICSEARCH_", 0) == 0))
      ctx.env[line.substr(0, eq)] = line.substr(eq + 1);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string input = fuzz::text(data, size);
  Context ctx;
  ctx.now = [] { return Context::Clock::time_point{}; };
  ctx.env["KESTRA_CONFIGURATION"] = input;
  ctx.env["VAULT_TOKEN"] = "fuzz-token";  // a placeholder target that is set
  config::Sources sources;
  add_lines(input, ctx, sources);
  fuzz::tolerate([&] { config::parse_yaml(input, "fuzz"); });
  fuzz::tolerate([&] {
    auto cfg = config::load(sources, ctx);
    std::set<std::string> types(config::known_types().begin(), config::known_types().end());
    auto report = config::validate(cfg, ctx, types);
    config::render_json(report).dump(2, ' ', false, nlohmann::json::error_handler_t::replace);  // as check-config -o json
    config::render_text(report);
    config::redacted_tree(cfg);
    config::env_settings(cfg, sources);
    for (const auto& t : config::known_types()) fuzz::tolerate([&] { config::view_settings(cfg, t); });
    fuzz::tolerate([&] { config::aws_settings(cfg); });
    fuzz::tolerate([&] { config::azure_vault_url(config::azure_settings(cfg)); });
    fuzz::tolerate([&] { config::google_settings(cfg); });
    fuzz::tolerate([&] {
      auto v = config::vault_settings(cfg);
      config::resolve_vault_address(v, ctx);
      config::resolve_vault_namespace(v, ctx);
    });
    fuzz::tolerate([&] { config::elasticsearch_settings(cfg); });
  });
  return 0;
}
