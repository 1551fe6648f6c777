// adopt: adds Kestra's tags (key, namespace, prefix, the configured tags) to secrets that already
// exist in the provider, without touching their values, so that a read-only Kestra sees them
// (spec/kestra.md §5–6). `adopt NAME… [--key K]` names provider secrets; `adopt --all [GLOB]` takes
// every provider secret under the configured prefix, its key being the name minus the prefix.
#include <fmt/format.h>
#include <fnmatch.h>
#include <map>

#include "cmd/commands.hpp"
#include "cmd/report.hpp"

namespace ks::cmd {
namespace {

struct Target {
  std::string name;   // the provider's name
  SecretRef as;       // the Kestra key and namespace it gets (empty key: the name minus the prefix)
};

std::vector<Target> targets_of(Backend& b, const Globals& g, const AdoptOptions& o, std::vector<KeyReport>& rows) {
  std::vector<Target> out;
  if (!o.all) {
    if (o.names.empty()) throw Error(ErrorKind::usage, "adopt needs provider names, or --all", "kestra-secrets adopt NAME... [--key K]");
    if (o.key && o.names.size() > 1)
      throw Error(ErrorKind::usage, "--key names the key of ONE secret; several names were given",
                  "adopt them one by one, or without --key (the key is then the name minus the prefix)");
    for (const auto& n : o.names) out.push_back({n, SecretRef{o.key.value_or(""), g.ns}});
    return out;
  }
  if (o.key) throw Error(ErrorKind::usage, "--key cannot be used with --all (each key is its name minus the prefix)");
  if (o.names.size() > 1) throw Error(ErrorKind::usage, "--all takes at most one glob");
  Query q;
  q.unfiltered = true;
  // Group by the key each secret would get: a key two names share is reported, not guessed.
  std::map<std::pair<std::optional<std::string>, std::string>, std::vector<std::string>> by_key;
  for (const auto& info : b.list(q)) {
    if (!o.names.empty() && fnmatch(o.names[0].c_str(), info.name.c_str(), 0) != 0) continue;
    auto ns = info.ns ? info.ns : g.ns;
    if (g.ns && info.ns && info.ns != g.ns) continue;
    by_key[{ns, info.key}].push_back(info.name);
  }
  for (auto& [k, names] : by_key) {
    if (names.size() == 1) {
      out.push_back({names[0], SecretRef{k.second, k.first}});
      continue;
    }
    for (const auto& n : names)
      rows.push_back({n, "refused", exit_code(ErrorKind::conflict),
                      fmt::format("{} secrets would share the key '{}': adopt them one by one with --key", names.size(),
                                  k.second),
                      k.first});
  }
  return out;
}

}  // namespace

int run_adopt(const Globals& g, const AdoptOptions& o, const Context& ctx) {
  Session s = open_session(g, ctx);
  s.backend->check_writable();
  std::vector<KeyReport> rows;
  for (const auto& t : targets_of(*s.backend, g, o, rows)) {
    try {
      Tags added = s.backend->adopt(t.name, t.as, {}, o.dry_run);
      std::string what;
      for (const auto& [k, v] : added) what += (what.empty() ? "" : ", ") + k + "=" + v;
      if (added.empty()) rows.push_back({t.name, "unchanged", 0, "already tagged", t.as.ns});
      else rows.push_back({t.name, "updated", 0, (o.dry_run ? "dry-run: would tag " : "tagged ") + what, t.as.ns});
    } catch (const Error& e) {
      rows.push_back({t.name, e.kind() == ErrorKind::conflict ? "refused" : "failed", exit_code(e.kind()), e.what(), t.as.ns});
    }
  }
  return print_report(g, rows);
}

}  // namespace ks::cmd
