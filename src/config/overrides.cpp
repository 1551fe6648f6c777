#include "src/config/overrides.hpp"

#include <cctype>

#include <fmt/format.h>

#include "src/config/binding.hpp"
#include "src/config/schema.hpp"
#include "src/core/error.hpp"

namespace ks::config {
namespace {

constexpr std::string_view kSecretEnvPrefix = "KESTRA_SECRET_";
constexpr std::string_view kElasticEnvPrefix = "KESTRA_ELASTICSEARCH_";

std::vector<std::string> split_dots(const std::string& path) {
  std::vector<std::string> out;
  size_t start = 0;
  for (;;) {
    const auto dot = path.find('.', start);
    out.push_back(path.substr(start, dot == std::string::npos ? dot : dot - start));
    if (dot == std::string::npos) return out;
    start = dot + 1;
  }
}

bool starts_with_ci(std::string_view s, std::string_view prefix) {
  if (s.size() < prefix.size()) return false;
  for (size_t i = 0; i < prefix.size(); ++i)
    if (std::tolower(static_cast<unsigned char>(s[i])) != std::tolower(static_cast<unsigned char>(prefix[i])))
      return false;
  return true;
}

std::optional<bool> parse_bool(const std::string& s) {
  std::string l;
  for (char c : s) l.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
  // Kestra reads YAML 1.1 (SnakeYAML) and converts with Micronaut: yes/on/y are true as well.
  if (l == "true" || l == "yes" || l == "y" || l == "on") return true;
  if (l == "false" || l == "no" || l == "n" || l == "off") return false;
  return std::nullopt;
}

std::optional<long long> parse_int(const std::string& s) {
  if (s.empty() || s.size() > 18) return std::nullopt;
  size_t i = (s[0] == '-' || s[0] == '+') ? 1 : 0;
  if (i == s.size()) return std::nullopt;
  for (size_t j = i; j < s.size(); ++j)
    if (s[j] < '0' || s[j] > '9') return std::nullopt;
  return std::stoll(s);
}

nlohmann::json string_list(const std::string& s) {
  nlohmann::json arr = nlohmann::json::array();
  for (auto& item : split_list(s)) arr.push_back(item);
  return arr;
}

void type_value(nlohmann::json& v, ValueType type) {
  if (!v.is_string()) return;
  const auto& s = v.get_ref<const std::string&>();
  switch (type) {
    case ValueType::boolean:
      if (auto b = parse_bool(s)) v = *b;
      break;
    case ValueType::integer:
      if (auto i = parse_int(s)) v = *i;
      break;
    case ValueType::list:
    case ValueType::map_or_list: v = string_list(s); break;
    case ValueType::string_or_list:
      if (s.find(',') != std::string::npos) v = string_list(s);
      break;
    default: break;
  }
}

void type_walk(nlohmann::json& node, const std::string& path) {
  if (!node.is_object()) return;
  for (auto it = node.begin(); it != node.end(); ++it) {
    const std::string child = path + "." + it.key();
    const PathInfo info = classify(child);
    if (info.kind == PathKind::leaf) type_value(it.value(), info.spec->type);
    else if (info.kind == PathKind::branch) type_walk(it.value(), child);
  }
}

}  // namespace

void apply_env_overrides(nlohmann::json& tree, const Context& ctx, std::vector<std::string>& warnings) {
  for (const auto& [name, value] : ctx.env) {
    const std::string_view n(name);
    if (n.substr(0, kSecretEnvPrefix.size()) != kSecretEnvPrefix &&
        n.substr(0, kElasticEnvPrefix.size()) != kElasticEnvPrefix)
      continue;
    const auto path = path_for_env(name);
    if (!path) {
      // Kestra's elasticsearch section has keys this tool does not read; only kestra.secret is ours.
      if (n.substr(0, kSecretEnvPrefix.size()) == kSecretEnvPrefix)
        warnings.push_back(fmt::format("environment variable {} matches no known key of kestra.secret; ignored", name));
      continue;
    }
    if (path->empty()) continue;  // a Kestra key this tool does not use (cache, jdbc)
    set_path(tree, split_dots(*path), value);
  }
}

void apply_set(nlohmann::json& tree, const std::string& assignment) {
  const auto eq = assignment.find('=');
  if (eq == std::string::npos || eq == 0)
    throw Error(ErrorKind::config, "--set expects key=value",
                "for example --set vault.address=https://vault.example.com:8200");
  const std::string key = assignment.substr(0, eq);
  std::vector<std::string> segments = starts_with_ci(key, "kestra.")
                                          ? extend_path({}, key)
                                          : extend_path({"kestra", "secret"}, key);
  if (segments.size() < 3 || !is_kept_path(segments))
    throw Error(ErrorKind::config, fmt::format("--set {}: only keys under kestra.secret and kestra.elasticsearch are read", key),
                "a key without the kestra. prefix is relative to kestra.secret");
  set_path(tree, segments, assignment.substr(eq + 1));
}

void apply_azure_alias(nlohmann::json& tree, std::vector<std::string>& warnings) {
  auto kestra = tree.find("kestra");
  if (kestra == tree.end() || !kestra->is_object()) return;
  auto found = kestra->find("secret");
  if (found == kestra->end() || !found->is_object()) return;
  nlohmann::json* secret = &*found;
  const std::string canonical(kTypeAzure), alias(kTypeAzureAlias);
  if (!secret->contains(alias)) return;
  if (secret->contains(canonical)) {
    warnings.push_back(fmt::format("kestra.secret.{} is ignored: kestra.secret.{} takes precedence", alias, canonical));
    return;
  }
  (*secret)[canonical] = std::move((*secret)[alias]);
  secret->erase(alias);
}

void apply_types(nlohmann::json& tree) {
  if (auto it = tree.find("kestra"); it != tree.end()) type_walk(*it, "kestra");
}

void resolve_type(Loaded& cfg, const std::optional<std::string>& type_flag) {
  if (type_flag) {
    cfg.type_written = *type_flag;
  } else if (const auto* t = get_path(cfg.tree, "kestra.secret.type"); t && t->is_string()) {
    cfg.type_written = t->get<std::string>();
  }
  if (const auto* t = get_path(cfg.tree, "kestra.secret.type"); t && !t->is_string() && !t->is_null() && !type_flag) {
    cfg.type = "";  // not a string: validate() reports it; nothing to serve
    return;
  }
  cfg.type = cfg.type_written.empty() ? std::string(kTypeEnv) : cfg.type_written;
  if (cfg.type == kTypeAzureAlias) cfg.type = std::string(kTypeAzure);
  set_path(cfg.tree, {"kestra", "secret", "type"}, cfg.type);
}

}  // namespace ks::config
