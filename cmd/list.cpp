#include <algorithm>
#include <fnmatch.h>

#include "cmd/commands.hpp"

namespace ks::cmd {

int run_list(const Globals& g, const ListOptions& o, const Context& ctx) {
  Session s = open_session(g, ctx);
  Query q;
  q.ns = g.ns;
  auto infos = s.backend->list(q);
  if (o.pattern) {
    std::erase_if(infos, [&](const SecretInfo& i) { return fnmatch(o.pattern->c_str(), i.key.c_str(), 0) != 0; });
  }
  // Sorted by bytes, as LC_ALL=C sort; ties (one key in several namespaces) by namespace.
  std::sort(infos.begin(), infos.end(), [](const SecretInfo& a, const SecretInfo& b) {
    return std::tie(a.key, a.ns) < std::tie(b.key, b.ns);
  });
  if (g.json()) {
    nlohmann::json arr = nlohmann::json::array();
    for (const auto& i : infos) {
      arr.push_back({{"key", i.key}, {"namespace", opt(i.ns)}, {"name", i.name},
                     {"tags", nlohmann::json(i.tags)}, {"updated", opt(i.updated)}});
    }
    write_json(arr);
    return 0;
  }
  std::string text;
  for (const auto& i : infos) text += i.key + "\n";
  write_stdout(text);
  return 0;
}

}  // namespace ks::cmd
