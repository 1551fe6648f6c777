#include "cmd/bulk.hpp"

#include <algorithm>
#include <fmt/format.h>
#include <fnmatch.h>

namespace ks::cmd {

bool worse(const Error& a, const Error& b) { return exit_code(a.kind()) > exit_code(b.kind()); }

std::vector<KeyValue> fetch_all(Backend& b, const Globals& g, const std::optional<std::string>& pattern,
                                const std::vector<std::string>& only) {
  std::vector<SecretRef> refs;
  if (!only.empty()) {
    for (const auto& k : only) refs.push_back(SecretRef{k, g.ns, std::nullopt});
  } else {
    Query q;
    q.ns = g.ns;
    for (const auto& info : b.list(q)) {
      if (pattern && fnmatch(pattern->c_str(), info.key.c_str(), 0) != 0) continue;
      SecretRef r{info.key, info.ns, std::nullopt};
      r.inherit = false;
      refs.push_back(std::move(r));
    }
  }
  std::sort(refs.begin(), refs.end(), [](const SecretRef& x, const SecretRef& y) { return x.key < y.key; });
  auto results = b.get_many(refs);
  std::vector<KeyValue> out;
  std::optional<Error> worst;
  for (size_t i = 0; i < refs.size(); ++i) {
    if (auto* e = std::get_if<Error>(&results[i])) {
      Error named(e->kind(), fmt::format("{}: {}", refs[i].key, e->what()), e->hint());
      if (!worst || worse(named, *worst)) worst = named;
      continue;
    }
    out.push_back({refs[i].key, std::get<Secret>(results[i]).printable()});
  }
  if (worst) throw *worst;
  return out;
}

}  // namespace ks::cmd
