#include "src/config/validate.hpp"

#include <fmt/format.h>

#include "src/config/binding.hpp"
#include "src/config/checks.hpp"
#include "src/config/schema.hpp"
#include "src/config/validate_internal.hpp"
#include "src/core/fs.hpp"

namespace ks::config {
namespace {

constexpr size_t kMaxShownChars = 80;

std::string types_list() {
  std::string out;
  for (const auto& t : known_types()) out += (out.empty() ? "" : ", ") + t;
  return out;
}

// Returns false when the type is not one this tool serves (the report then stops at structure).
bool check_type_name(Checker& c, const std::set<std::string>& available) {
  const std::string path = std::string(kSecretRoot) + ".type";
  if (c.cfg.type.empty()) {
    c.error(path, "type must be a string", "kestra.secret.type is one of " + types_list());
    return false;
  }
  const auto& types = known_types();
  if (std::find(types.begin(), types.end(), c.cfg.type) == types.end()) {
    if (c.cfg.type == "jdbc") {
      c.error(path, "type jdbc is Kestra's database backend; kestra-secrets cannot serve it",
              "kestra.secret.type is one of " + types_list());
    } else {
      auto guess = closest(c.cfg.type, types);
      c.error(path,
              fmt::format("unknown type '{}'{}", c.cfg.type, guess ? fmt::format(" (did you mean '{}'?)", *guess) : ""),
              "kestra.secret.type is one of " + types_list());
    }
    return false;
  }
  if (c.cfg.type_written == kTypeAzureAlias)
    c.note(path, fmt::format("type {} is Kestra's older name for {}", kTypeAzureAlias, kTypeAzure));
  if (c.cfg.type == kTypeEnv)
    c.note(path, "type env (Kestra open source's SECRET_ environment variables, optionally a file) is an extension");
  if (!available.count(c.cfg.type))
    c.note(path, fmt::format("this build cannot connect to {} yet", c.cfg.type),
           "the configuration is still checked in full");
  return true;
}

void check_backend(Checker& c) {
  const auto& t = c.cfg.type;
  if (t == kTypeEnv) check_env(c);
  else if (t == kTypeAws) check_aws(c);
  else if (t == kTypeAzure) check_azure(c);
  else if (t == kTypeGoogle) check_google(c);
  else if (t == kTypeVault) check_vault(c);
  else if (t == kTypeElastic) check_elasticsearch(c);
  if (t != kTypeEnv) check_secret_env_vars(c, false);
}

}  // namespace

void Checker::add(Severity s, std::string path, std::string message, std::string hint) {
  Issue issue{std::move(path), std::move(message), std::move(hint), s == Severity::note};
  if (s == Severity::error) report.errors.push_back(std::move(issue));
  else report.warnings.push_back(std::move(issue));
}

const nlohmann::json* Checker::at(const std::string& path) const { return get_path(cfg.tree, path); }

std::optional<std::string> Checker::text(const std::string& path) const {
  const auto* v = at(path);
  if (!v) return std::nullopt;
  if (v->is_string()) {
    if (v->get_ref<const std::string&>().empty()) return std::nullopt;
    return v->get<std::string>();
  }
  if (v->is_number() || v->is_boolean()) return v->dump();
  return std::nullopt;
}

std::string block_type(const std::string& name) {
  if (name == kTypeAzureAlias) return std::string(kTypeAzure);
  for (const auto& t : known_types())
    if (name == t) return t;
  return "";
}

std::string shown(const nlohmann::json& v) {
  std::string s = v.is_string() ? v.get<std::string>() : v.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  s = url_for_display(s);
  if (utf8_length(s) > kMaxShownChars) s = s.substr(0, kMaxShownChars) + "…";
  return "'" + s + "'";
}

void check_endpoint(Checker& c, const std::string& path, const std::string& url, bool receives_credentials) {
  const auto parts = parse_url(url);
  if (!parts || (parts->scheme != "http" && parts->scheme != "https")) {
    c.error(path, fmt::format("{} is not an http:// or https:// URL", shown(url)),
            "write the scheme, e.g. https://host:port");
    return;
  }
  if (parts->has_userinfo)
    c.warn(path, "the URL carries credentials (user:password@)", "configure credentials in their own keys");
  if (parts->scheme == "http" && receives_credentials && !is_loopback_host(parts->host))
    c.warn(path, fmt::format("{} is plain http:// and receives credentials", shown(url)),
           "use https:// (plain http is meant for loopback emulators)");
}

void check_ca_file(Checker& c, const std::string& block) {
  const std::string path = block + ".ca-file";
  if (auto f = c.text(path); f && !fs::exists(*f))
    c.error(path, fmt::format("CA bundle {} does not exist", shown(*f)), "give a PEM file of trusted CAs");
}

Report validate(const Loaded& cfg, const Context& ctx, const std::set<std::string>& available_types) {
  Report report;
  report.type = cfg.type;
  report.config_source = cfg.source;
  report.credential_source = "none";
  Checker c{cfg, ctx, report};
  for (const auto& w : cfg.warnings) c.warn("", w);
  const bool known = check_type_name(c, available_types);
  check_structure(c);
  if (known) check_backend(c);
  report.valid = report.errors.empty();
  report.effective = redacted_tree(cfg);
  return report;
}

}  // namespace ks::config
