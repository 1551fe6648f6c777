#include "cmd/report.hpp"

#include <algorithm>
#include <fmt/format.h>

#include "src/output/diag.hpp"

namespace ks::cmd {
namespace {

std::string line_of(const KeyReport& r) {
  std::string key = r.ns ? fmt::format("{} (namespace {})", r.key, *r.ns) : r.key;
  return fmt::format("{:<10} {}{}\n", r.status, key, r.message.empty() ? "" : ": " + r.message);
}

}  // namespace

int print_report(const Globals& g, const std::vector<KeyReport>& rows) {
  int worst = 0;
  for (const auto& r : rows) worst = std::max(worst, r.exit);
  if (g.json()) {
    nlohmann::json arr = nlohmann::json::array();
    for (const auto& r : rows)
      arr.push_back({{"key", r.key}, {"namespace", opt(r.ns)}, {"status", r.status}, {"exit", r.exit},
                     {"message", r.message.empty() ? nlohmann::json(nullptr) : nlohmann::json(r.message)}});
    write_json(arr);
    return worst;
  }
  std::string text;
  for (const auto& r : rows) {
    if (g.quiet && r.exit == 0) continue;
    text += line_of(r);
  }
  std::fwrite(text.data(), 1, text.size(), stderr);
  return worst;
}

int print_diff(const Globals& g, const std::vector<KeyReport>& rows) {
  int worst = 0;
  bool differs = false;
  for (const auto& r : rows) {
    worst = std::max(worst, r.exit);
    differs = differs || r.status != "equal";
  }
  if (g.json()) {
    nlohmann::json arr = nlohmann::json::array();
    for (const auto& r : rows) {
      nlohmann::json e = {{"key", r.key}, {"namespace", opt(r.ns)}, {"status", r.status}};
      if (r.exit != 0) e.update({{"exit", r.exit}, {"message", r.message}});
      arr.push_back(std::move(e));
    }
    write_json(arr);
  } else {
    std::string out, err;
    for (const auto& r : rows) {
      if (r.exit != 0) err += line_of(r);
      else if (r.status != "equal" || g.verbose > 0) out += line_of(r);
    }
    write_stdout(out);
    std::fwrite(err.data(), 1, err.size(), stderr);
  }
  return worst != 0 ? worst : differs ? exit_code(ErrorKind::different) : 0;
}

}  // namespace ks::cmd
