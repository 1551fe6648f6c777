#include "src/output/diag.hpp"

#include <cstdio>
#include <nlohmann/json.hpp>

namespace ks::out {
namespace {

void write_stderr(const std::string& s) {
  std::fwrite(s.data(), 1, s.size(), stderr);
  std::fflush(stderr);
}

}  // namespace

DiagSettings& diag() {
  static DiagSettings settings;
  return settings;
}

void warn(std::string_view message) {
  if (diag().quiet) return;
  write_stderr("kestra-secrets: warning: " + std::string(message) + "\n");
}

void note(std::string_view message, int level) {
  if (diag().quiet || diag().verbose < level) return;
  write_stderr("kestra-secrets: " + std::string(message) + "\n");
}

void error(const Error& e) {
  if (diag().json) {
    nlohmann::json doc = {{"error",
                           {{"kind", kind_name(e.kind())},
                            {"message", e.what()},
                            {"hint", e.hint().empty() ? nlohmann::json(nullptr) : nlohmann::json(e.hint())},
                            {"exit", exit_code(e.kind())}}}};
    write_stderr(doc.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n");
    return;
  }
  std::string s = "kestra-secrets: error: " + std::string(e.what()) + "\n";
  if (!e.hint().empty()) s += "hint: " + e.hint() + "\n";
  write_stderr(s);
}

}  // namespace ks::out
