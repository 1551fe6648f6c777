// The structural pass of validation: every key is known (else "did you mean"), every branch is a
// mapping, every value has its schema type, required keys are there. Problems in the blocks of
// other types than the active one are warnings (those blocks are not used); unknown keys under
// kestra.elasticsearch are warnings (Kestra's own client settings this tool does not read).
#include <fmt/format.h>

#include "src/config/checks.hpp"
#include "src/config/schema.hpp"
#include "src/config/settings.hpp"
#include "src/config/validate_internal.hpp"

namespace ks::config {
namespace {

using nlohmann::json;

bool is_scalar(const json& v) { return v.is_string() || v.is_number() || v.is_boolean() || v.is_null(); }

const char* kind_of(const json& v) {
  if (v.is_object()) return "a mapping";
  if (v.is_array()) return "a list";
  return "a single value";
}

// "did you mean": direct children first, then deeper keys by their last segment.
}  // namespace

std::optional<std::string> suggest_key(const std::string& parent, const std::string& name) {
  if (auto direct = closest(name, known_children(parent))) return direct;
  std::vector<std::string> last, rel;
  const std::string prefix = parent + ".";
  for (const auto& k : schema()) {
    if (k.path.compare(0, prefix.size(), prefix) != 0) continue;
    const std::string r = k.path.substr(prefix.size());
    last.push_back(r.substr(r.rfind('.') + 1));
    rel.push_back(r);
  }
  if (auto guess = closest(name, last))
    for (size_t i = 0; i < last.size(); ++i)
      if (last[i] == *guess) return rel[i];
  return std::nullopt;
}

namespace {

std::string children_hint(const std::string& parent) {
  std::string out;
  for (const auto& n : known_children(parent)) out += (out.empty() ? "" : ", ") + n;
  return out.empty() ? std::string() : "known keys here: " + out;
}

void check_entries(Checker& c, Severity sev, const std::string& path, const json& v, bool allow_list) {
  if (v.is_object()) {
    for (auto it = v.begin(); it != v.end(); ++it)
      if (!is_scalar(it.value()))
        c.add(sev, path + "." + it.key(), fmt::format("must be a single value, not {}", kind_of(it.value())));
  } else if (allow_list && v.is_array()) {
    for (const auto& item : v)
      if (!is_scalar(item)) c.add(sev, path, "must list single values (tag names)");
  } else {
    c.add(sev, path, fmt::format("must be a mapping of tag names to values{}, not {}",
                                 allow_list ? " or a list of tag names" : "", kind_of(v)));
  }
}

void check_value(Checker& c, Severity sev, const std::string& path, const json& v, const KeySpec& spec) {
  if (v.is_null()) return;
  const std::string found = spec.secret ? "" : " (found " + shown(v) + ")";
  switch (spec.type) {
    case ValueType::string:
      if (!is_scalar(v)) c.add(sev, path, fmt::format("must be a single value, not {}", kind_of(v)));
      break;
    case ValueType::boolean:
      if (!v.is_boolean()) c.add(sev, path, "must be true or false" + (is_scalar(v) ? found : ""));
      break;
    case ValueType::integer:
      if (!v.is_number_integer()) c.add(sev, path, "must be an integer" + (is_scalar(v) ? found : ""));
      break;
    case ValueType::duration:
      if (!is_scalar(v) || !parse_duration(v.is_string() ? v.get<std::string>() : v.dump()))
        c.add(sev, path, "must be a duration such as PT15S, 15s or 15 (seconds)" + (is_scalar(v) ? found : ""));
      break;
    case ValueType::url:
      if (!v.is_string()) c.add(sev, path, fmt::format("must be a URL, not {}", kind_of(v)));
      break;  // scheme and transport: check_endpoint, with the knowledge of credentials
    case ValueType::list:
    case ValueType::string_or_list:
      if (v.is_array()) {
        for (const auto& item : v)
          if (!is_scalar(item)) c.add(sev, path, "must list single values");
      } else if (!v.is_string()) {
        c.add(sev, path, fmt::format("must be a list, not {}", kind_of(v)));
      }
      break;
    case ValueType::map: check_entries(c, sev, path, v, false); break;
    case ValueType::map_or_list: check_entries(c, sev, path, v, true); break;
    case ValueType::opaque: break;
  }
}

struct Walk {
  Checker& c;
  std::string active_type;

  Severity severity_for(const std::string& path) const {
    const std::string secret_prefix = std::string(kSecretRoot) + ".";
    if (path.compare(0, secret_prefix.size(), secret_prefix) != 0) return Severity::error;
    const std::string rest = path.substr(secret_prefix.size());
    const std::string block = rest.substr(0, rest.find('.'));
    const std::string type = block_type(block);
    if (type.empty() || rest == block) return Severity::error;  // common keys, the block itself
    const bool ignored_alias = block == kTypeAzureAlias && c.at(std::string(kSecretRoot) + "." + std::string(kTypeAzure));
    return type == active_type && !ignored_alias ? Severity::error : Severity::warning;
  }

  void unknown(const std::string& parent, const std::string& name, Severity sev) {
    const std::string path = parent + "." + name;
    const bool elastic = parent.compare(0, kElasticRoot.size(), kElasticRoot) == 0;
    if (elastic) sev = Severity::warning;
    auto guess = suggest_key(parent, name);
    c.add(sev, path,
          fmt::format("unknown key '{}'{}{}", name, guess ? fmt::format(" (did you mean '{}'?)", *guess) : "",
                      elastic ? "; kestra-secrets does not read it" : ""),
          children_hint(parent));
  }

  void node(const json& obj, const std::string& path) {
    for (auto it = obj.begin(); it != obj.end(); ++it) {
      const std::string child = path + "." + it.key();
      const PathInfo info = classify(child);
      const Severity sev = severity_for(child);
      if (info.kind == PathKind::leaf) {
        check_value(c, sev, child, it.value(), *info.spec);
      } else if (info.kind == PathKind::branch) {
        if (it.value().is_object()) node(it.value(), child);
        else if (!it.value().is_null())
          c.add(sev, child, fmt::format("must be a mapping, not {}", kind_of(it.value())), children_hint(child));
      } else if (info.kind == PathKind::unknown) {
        unknown(path, it.key(), sev);
      }
    }
  }
};

void inactive_blocks(Checker& c, const json& secret) {
  for (auto it = secret.begin(); it != secret.end(); ++it) {
    const std::string type = block_type(it.key());
    if (type.empty() || type == c.cfg.type || !it.value().is_object() || it.value().empty()) continue;
    c.note(std::string(kSecretRoot) + "." + it.key(), fmt::format("not used: type is {}", c.cfg.type));
  }
}

void required_keys(Checker& c) {
  for (const auto& k : schema())
    if (k.required && k.backend == c.cfg.type && !c.present(k.path))
      c.error(k.path, "missing required key");
}

}  // namespace

void check_structure(Checker& c) {
  Walk walk{c, c.cfg.type};
  if (const auto* secret = c.at(std::string(kSecretRoot)); secret && secret->is_object()) {
    walk.node(*secret, std::string(kSecretRoot));
    inactive_blocks(c, *secret);
  }
  if (c.cfg.type == kTypeElastic)
    if (const auto* es = c.at(std::string(kElasticRoot)); es && es->is_object()) walk.node(*es, std::string(kElasticRoot));
  required_keys(c);
}

}  // namespace ks::config
