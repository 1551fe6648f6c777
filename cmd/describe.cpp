#include <fmt/format.h>

#include "cmd/commands.hpp"
#include "src/output/diag.hpp"

namespace ks::cmd {
namespace {

std::string line(const char* label, const std::optional<std::string>& v) {
  return v ? fmt::format("{:<12} {}\n", label, *v) : std::string();
}

}  // namespace

int run_describe(const Globals& g, const DescribeOptions& o, const Context& ctx) {
  Session s = open_session(g, ctx);
  SecretInfo i = s.backend->describe(SecretRef{o.key, g.ns, std::nullopt});
  if (g.json()) {
    write_json({{"key", o.key}, {"namespace", opt(i.ns ? i.ns : g.ns)}, {"name", i.name},
                {"tags", nlohmann::json(i.tags)}, {"description", opt(i.description)},
                {"created", opt(i.created)}, {"updated", opt(i.updated)}, {"version", opt(i.version)},
                {"deleted", opt(i.deleted)}});
    return 0;
  }
  std::string text = line("key", o.key) + line("namespace", i.ns ? i.ns : g.ns) + line("name", i.name) +
                     line("description", i.description) + line("created", i.created) +
                     line("updated", i.updated) + line("version", i.version) + line("deleted", i.deleted);
  for (const auto& [k, v] : i.tags) text += fmt::format("{:<12} {}={}\n", "tag", k, v);
  write_stdout(text);
  return 0;
}

int run_versions(const Globals& g, const DescribeOptions& o, const Context& ctx) {
  Session s = open_session(g, ctx);
  auto versions = s.backend->versions(SecretRef{o.key, g.ns, std::nullopt});
  if (g.json()) {
    nlohmann::json arr = nlohmann::json::array();
    for (const auto& v : versions) arr.push_back({{"version", v.version}, {"created", opt(v.created)}, {"state", v.state}});
    write_json(arr);
    return 0;
  }
  std::string text;
  for (const auto& v : versions) text += fmt::format("{}\t{}\t{}\n", v.version, v.created.value_or("-"), v.state);
  write_stdout(text);
  return 0;
}

int run_restore(const Globals& g, const DescribeOptions& o, bool dry_run, const Context& ctx) {
  Session s = open_session(g, ctx);
  if (dry_run) {
    write_stdout(fmt::format("dry-run: would restore secret {}\n", o.key));
    return 0;
  }
  s.backend->restore(SecretRef{o.key, g.ns, std::nullopt});
  out::note(fmt::format("restored secret {}", o.key));
  return 0;
}

}  // namespace ks::cmd
