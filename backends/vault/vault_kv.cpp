#include "backends/vault/vault_kv.hpp"

#include <algorithm>

#include "src/core/time_format.hpp"

namespace ks::vault {

using nlohmann::json;

std::optional<std::string> vault_time(const json& obj, const char* field) {
  if (!obj.is_object() || !obj.contains(field) || !obj[field].is_string()) return std::nullopt;
  auto t = parse_rfc3339(obj[field].get<std::string>());
  if (!t) return std::nullopt;
  return rfc3339(*t);
}

Tags tags_of(const json& cm) {
  Tags t;
  if (!cm.is_object()) return t;
  for (const auto& [k, v] : cm.items()) t[k] = v.is_string() ? v.get<std::string>() : v.dump();
  return t;
}

std::string version_state(const json& v) {
  if (v.value("destroyed", false)) return "destroyed";
  if (!v.value("deletion_time", std::string()).empty()) return "deleted";
  return "enabled";
}

SecretInfo info_from_metadata(const json& md) {
  SecretInfo i;
  i.tags = tags_of(md.value("custom_metadata", json()));
  i.created = vault_time(md, "created_time");
  i.updated = vault_time(md, "updated_time");
  if (md.contains("current_version") && md["current_version"].is_number_integer()) {
    auto cur = md["current_version"].get<long long>();
    i.version = std::to_string(cur);
    const json versions = md.value("versions", json::object());
    auto it = versions.find(*i.version);
    if (it != versions.end() && it->is_object()) {
      if (auto d = vault_time(*it, "deletion_time")) i.deleted = d;
      else if (it->value("destroyed", false)) i.deleted = vault_time(*it, "created_time");
    }
  }
  return i;
}

std::vector<VersionInfo> versions_from_metadata(const json& md) {
  std::vector<std::pair<long long, VersionInfo>> all;
  const json versions = md.value("versions", json::object());  // named: items() of a temporary dangles
  for (const auto& [id, v] : versions.items()) {
    long long n = 0;
    try {
      n = std::stoll(id);
    } catch (const std::exception&) {
      continue;
    }
    all.push_back({n, VersionInfo{id, vault_time(v, "created_time"), version_state(v)}});
  }
  std::sort(all.begin(), all.end(), [](const auto& a, const auto& b) { return a.first > b.first; });
  std::vector<VersionInfo> out;
  for (auto& [_, v] : all) out.push_back(std::move(v));
  return out;
}

json fields_of(const Secret& value) {
  if (value.fields && value.fields->is_object()) return *value.fields;
  return json{{"value", value.bytes}};
}

}  // namespace ks::vault
