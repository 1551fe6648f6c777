#include "cmd/report.hpp"

#include <algorithm>
#include <fmt/format.h>

#include "src/output/diag.hpp"

namespace ks::cmd {

int print_report(const Globals& g, const std::vector<KeyReport>& rows) {
  int worst = 0;
  for (const auto& r : rows) worst = std::max(worst, r.exit);
  if (g.json()) {
    nlohmann::json arr = nlohmann::json::array();
    for (const auto& r : rows)
      arr.push_back({{"key", r.key}, {"status", r.status}, {"exit", r.exit},
                     {"message", r.message.empty() ? nlohmann::json(nullptr) : nlohmann::json(r.message)}});
    write_json(arr);
    return worst;
  }
  std::string text;
  for (const auto& r : rows) {
    if (g.quiet && r.exit == 0) continue;
    text += fmt::format("{:<10} {}{}\n", r.status, r.key, r.message.empty() ? "" : ": " + r.message);
  }
  std::fwrite(text.data(), 1, text.size(), stderr);
  return worst;
}

}  // namespace ks::cmd
