// Internal to src/config: the state the validation passes share, and the passes themselves.
#pragma once

#include <optional>
#include <string>

#include "src/config/config.hpp"
#include "src/config/validate.hpp"
#include "src/core/context.hpp"

namespace ks::config {

enum class Severity { error, warning, note };

struct Checker {
  const Loaded& cfg;
  const Context& ctx;
  Report& report;

  void add(Severity s, std::string path, std::string message, std::string hint = {});
  void error(std::string path, std::string message, std::string hint = {}) {
    add(Severity::error, std::move(path), std::move(message), std::move(hint));
  }
  void warn(std::string path, std::string message, std::string hint = {}) {
    add(Severity::warning, std::move(path), std::move(message), std::move(hint));
  }
  void note(std::string path, std::string message, std::string hint = {}) {
    add(Severity::note, std::move(path), std::move(message), std::move(hint));
  }
  const nlohmann::json* at(const std::string& path) const;
  // The value as text when it is a non-empty string (or number/bool); nullopt otherwise.
  std::optional<std::string> text(const std::string& path) const;
  bool present(const std::string& path) const { return text(path).has_value(); }
};

// The type a kestra.secret.<block> serves, "" for a name that is not a backend block.
std::string block_type(const std::string& block_name);

// A non-secret value as it may appear in a message: quoted, URLs without credentials, truncated.
std::string shown(const nlohmann::json& v);

// "did you mean" for an unknown key under parent: a known child, else a deeper key by its last
// segment (returned relative to parent, e.g. "app-role.role-id").
std::optional<std::string> suggest_key(const std::string& parent, const std::string& name);

// Unknown keys, branches that are not mappings, values of the wrong type, required keys.
void check_structure(Checker& c);

// Per backend: impossible values, conflicting auth, credential source (sets report.credential_source).
void check_env(Checker& c);
void check_aws(Checker& c);
void check_azure(Checker& c);
void check_google(Checker& c);
void check_vault(Checker& c);
void check_elasticsearch(Checker& c);

// SECRET_ variables of the environment that collide after upper-casing: an error for type env
// (Kestra fails to start), a warning for other types.
void check_secret_env_vars(Checker& c, bool is_error);

// A URL that receives credentials: http(s) scheme, https unless loopback (warning).
void check_endpoint(Checker& c, const std::string& path, const std::string& url, bool receives_credentials);
// <block>.ca-file: the file must exist.
void check_ca_file(Checker& c, const std::string& block);

}  // namespace ks::config
