// The effective configuration as check-config prints it, every secret replaced by "<redacted>".
// An unknown key is judged by the known key it most likely misspells (its "shadow" path: under
// kestra.secret.vualt, tokne.tokne shadows vault.token.token) and by its own name (looks_secret):
// either one marking it secret redacts it. An unknown key that shadows nothing shows no text.
#include "src/config/checks.hpp"
#include "src/config/schema.hpp"
#include "src/config/validate.hpp"
#include "src/config/validate_internal.hpp"

namespace ks::config {
namespace {

using nlohmann::json;

const json kRedactedValue = std::string(kRedacted);

json by_name(const json& v, const std::string& name) {
  if (v.is_null()) return v;
  if (looks_secret(name)) return kRedactedValue;
  if (v.is_object()) {
    json out = json::object();
    for (auto it = v.begin(); it != v.end(); ++it) out[it.key()] = by_name(it.value(), it.key());
    return out;
  }
  return v.is_string() ? json(url_for_display(v.get<std::string>())) : v;
}

json display_urls(const json& v) {
  if (v.is_string()) return url_for_display(v.get<std::string>());
  if (!v.is_array()) return v;
  json out = json::array();
  for (const auto& item : v) out.push_back(display_urls(item));
  return out;
}

json redact(const json& v, const std::string& shadow, const std::string& name);

json redact_children(const json& obj, const std::string& shadow) {
  json out = json::object();
  for (auto it = obj.begin(); it != obj.end(); ++it) {
    std::string child_shadow = shadow + "." + it.key();
    if (classify(child_shadow).kind == PathKind::unknown)
      if (auto guess = suggest_key(shadow, it.key())) child_shadow = shadow + "." + *guess;
    out[it.key()] = redact(it.value(), child_shadow, it.key());
  }
  return out;
}

json redact(const json& v, const std::string& shadow, const std::string& name) {
  if (v.is_null()) return v;
  const PathInfo info = classify(shadow);
  switch (info.kind) {
    case PathKind::leaf:
      if (info.spec->secret || looks_secret(name)) return kRedactedValue;
      if (info.spec->type == ValueType::opaque) return by_name(v, name);
      if (info.spec->type == ValueType::url || info.spec->type == ValueType::string_or_list) return display_urls(v);
      return v;
    case PathKind::branch:
      // A single value where a mapping belongs (token: hvs.…) is as secret as what it replaces.
      return v.is_object() ? redact_children(v, shadow) : kRedactedValue;
    case PathKind::in_user_map: return v;
    case PathKind::in_opaque: return by_name(v, name);
    case PathKind::unknown: break;
  }
  if (v.is_object()) return redact_children(v, shadow);
  // Neither a known key nor a likely misspelling of one (a "pasword" where the block has no
  // password): its name tells nothing of what it holds, so only a number or a boolean is shown.
  return v.is_number() || v.is_boolean() ? v : kRedactedValue;
}

}  // namespace

json redacted_tree(const Loaded& cfg) {
  json out = json::object();
  json kestra = json::object();
  if (const auto& secret = secret_block(cfg); !secret.empty())
    kestra["secret"] = redact_children(secret, std::string(kSecretRoot));
  if (cfg.type == kTypeElastic)
    if (const auto& es = elasticsearch_block(cfg); !es.empty())
      kestra["elasticsearch"] = redact_children(es, std::string(kElasticRoot));
  out["kestra"] = std::move(kestra);
  return out;
}

}  // namespace ks::config
