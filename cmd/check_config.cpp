#include "cmd/check_config.hpp"

#include <cstdio>
#include <fmt/format.h>

#include "src/config/validate.hpp"
#include "src/core/error.hpp"
#include "src/output/diag.hpp"

namespace ks::cmd {
namespace {

void print(const std::string& out) {
  std::fwrite(out.data(), 1, out.size(), stdout);
  std::fflush(stdout);
}

}  // namespace

int run_check_config(const config::Sources& sources, const Context& ctx, bool json_output, bool connect,
                     const std::set<std::string>& available_types, const std::function<Probe()>& probe) {
  const config::Loaded cfg = config::load(sources, ctx);
  config::Report report = config::validate(cfg, ctx, available_types);
  std::optional<Probe> facts;
  std::optional<Error> failure;
  if (connect && report.valid) {
    try {
      facts = probe();
    } catch (const Error& e) {
      failure = e;
    }
  }
  if (json_output) {
    nlohmann::json doc = config::render_json(report);
    if (facts) {
      nlohmann::json conn = nlohmann::json::object();
      for (const auto& [k, v] : facts->facts) conn[k] = v;
      doc["connection"] = conn;
    }
    if (failure) {
      doc["valid"] = false;
      doc["connection"] = {{"error", {{"kind", kind_name(failure->kind())}, {"message", failure->what()},
                                      {"hint", failure->hint()}, {"exit", exit_code(failure->kind())}}}};
    }
    // Configured text need not be UTF-8: replace what JSON cannot carry instead of throwing.
    print(doc.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n");
  } else {
    std::string out = config::render_text(report);
    if (facts) {
      out += "connection: ok\n";
      for (const auto& [k, v] : facts->facts) out += fmt::format("  {}: {}\n", k, v);
    }
    print(out);
    if (failure) out::error(*failure);
  }
  if (failure) return exit_code(failure->kind());
  return report.valid ? 0 : exit_code(ErrorKind::config);
}

}  // namespace ks::cmd
