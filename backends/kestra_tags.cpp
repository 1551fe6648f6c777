#include "backends/kestra_tags.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>

namespace ks::backends {

Tags kestra_tags(Tags extra, const SecretRef& ref, const std::string& prefix) {
  extra["key"] = ref.key;
  if (ref.ns) extra["namespace"] = *ref.ns;
  if (!prefix.empty()) extra["prefix"] = prefix;
  return extra;
}

Tags tags_to_adopt(const std::string& name, const Tags& current, const SecretRef& as, const std::string& prefix,
                   const Tags& extra) {
  auto refuse = [&](const std::string& what, const std::string& hint) {
    throw Error(ErrorKind::conflict, fmt::format("'{}' is already tagged {}", name, what), hint);
  };
  if (auto k = opt_tag(current, "key"); k && *k != as.key)
    refuse(fmt::format("as the key '{}'", *k), "adopt it with --key " + *k + ", or change its tags by hand");
  if (auto ns = opt_tag(current, "namespace"); ns && ns != as.ns)
    refuse(fmt::format("for the namespace '{}'", *ns), "adopt it with -n " + *ns);
  if (auto p = opt_tag(current, "prefix"); p && *p != prefix)
    refuse(fmt::format("with the prefix '{}'", *p), "it belongs to the configuration with that prefix");
  Tags add;
  for (auto& [k, v] : kestra_tags(extra, as, prefix)) {
    auto it = current.find(k);
    if (it == current.end() || it->second != v) add.emplace(k, v);
  }
  return add;
}

std::optional<std::string> kestra_key(const std::string& name, const Tags& tags, const std::string& prefix,
                                      const std::string& name_prefix, bool ignore_case) {
  const bool starts = name.size() >= name_prefix.size() &&
                      std::equal(name_prefix.begin(), name_prefix.end(), name.begin(), [&](char a, char b) {
                        return ignore_case ? std::tolower(static_cast<unsigned char>(a)) ==
                                                 std::tolower(static_cast<unsigned char>(b))
                                           : a == b;
                      });
  if (!prefix.empty()) {
    auto tagged = opt_tag(tags, "prefix");
    if (tagged ? *tagged != prefix : !starts) return std::nullopt;
  }
  if (auto k = opt_tag(tags, "key")) return k;
  return prefix.empty() || !starts ? name : name.substr(name_prefix.size());
}

std::optional<SecretInfo> tagged_info(const std::string& name, Tags tags, const std::string& prefix,
                                      const std::string& name_prefix, bool ignore_case) {
  auto key = kestra_key(name, tags, prefix, name_prefix, ignore_case);
  if (!key) return std::nullopt;
  SecretInfo i;
  i.key = *key;
  i.ns = opt_tag(tags, "namespace");
  i.name = name;
  i.tags = std::move(tags);
  return i;
}

}  // namespace ks::backends
