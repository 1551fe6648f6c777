#include "backends/vault/vault_kv.hpp"

#include <algorithm>
#include <fmt/format.h>

#include "src/core/json_fields.hpp"
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
  if (json_bool(v, "destroyed", false)) return "destroyed";
  if (!json_string(v, "deletion_time").empty()) return "deleted";
  return "enabled";
}

SecretInfo info_from_metadata(const json& md) {
  SecretInfo i;
  i.tags = tags_of(json_field(md, "custom_metadata"));
  i.created = vault_time(md, "created_time");
  i.updated = vault_time(md, "updated_time");
  if (md.contains("current_version") && md["current_version"].is_number_integer()) {
    auto cur = md["current_version"].get<long long>();
    i.version = std::to_string(cur);
    const json& v = json_field(json_field(md, "versions"), i.version->c_str());
    if (auto d = vault_time(v, "deletion_time")) i.deleted = d;
    else if (json_bool(v, "destroyed", false)) i.deleted = vault_time(v, "created_time");
  }
  return i;
}

std::vector<VersionInfo> versions_from_metadata(const json& md) {
  std::vector<std::pair<long long, VersionInfo>> all;
  const json& versions = json_field(md, "versions");
  if (!versions.is_object()) return {};
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

const json& data_of(const json& doc) {
  static const json empty = json::object();
  return doc.contains("data") && doc["data"].is_object() ? doc["data"] : empty;
}

std::pair<Secret, SecretInfo> read_answer(long status, const std::string& body, int kv_version, const SecretRef& ref) {
  http::Response r;
  r.status = status;
  r.body = body;
  return read_answer(r, kv_version, ref);
}

std::pair<Secret, SecretInfo> read_answer(const http::Response& r, int kv_version, const SecretRef& ref) {
  const long status = r.status;
  auto doc = json::parse(r.body, nullptr, false);
  if (status == 200 && (doc.is_discarded() || !doc.is_object()))
    throw Error(ErrorKind::bad_data, fmt::format("Vault read of '{}': the response is not a JSON object{}", ref.key,
                                                 http::body_summary(r)));
  const json& d = doc.is_object() ? data_of(doc) : data_of(json::object());
  SecretInfo info;
  Secret s;
  if (kv_version == 1) {
    if (status == 404) throw Error(ErrorKind::not_found, not_found_message(ref.key));
    s.fields = d;
    return {std::move(s), std::move(info)};
  }
  const json& md = json_field(d, "metadata");
  if (md.is_object() && version_state(md) != "enabled")
    throw Error(ErrorKind::not_found, fmt::format("{} Its {} version is {}.", not_found_message(ref.key),
                                                  ref.version ? "requested" : "latest", version_state(md)),
                version_state(md) == "deleted" ? "'kestra-secrets restore' undeletes the latest version"
                                               : "a destroyed version cannot be restored");
  if (status == 404 || !d.contains("data") || !d["data"].is_object())
    throw Error(status == 404 ? ErrorKind::not_found : ErrorKind::bad_data,
                status == 404 ? not_found_message(ref.key)
                              : fmt::format("Vault read of '{}': the answer holds no data object", ref.key));
  s.fields = d["data"];
  if (md.contains("version") && md["version"].is_number_integer()) s.version = std::to_string(md["version"].get<long long>());
  info.tags = tags_of(json_field(md, "custom_metadata"));
  info.updated = vault_time(md, "created_time");
  info.version = s.version;
  return {std::move(s), std::move(info)};
}

std::pair<std::vector<std::string>, std::vector<std::string>> list_answer(const json& doc) {
  std::pair<std::vector<std::string>, std::vector<std::string>> out;
  auto keys = data_of(doc).value("keys", json::array());
  if (!keys.is_array()) throw Error(ErrorKind::bad_data, "Vault list: data.keys is not an array");
  for (const auto& k : keys) {
    if (!k.is_string()) continue;
    auto name = k.get<std::string>();
    if (name.ends_with('/')) out.second.push_back(name.substr(0, name.size() - 1));
    else out.first.push_back(name);
  }
  return out;
}

}  // namespace ks::vault
