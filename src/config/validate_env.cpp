// Validation of Kestra open source's env-var secrets (spec/kestra.md §3) and the env backend's
// optional file: SECRET_ names that collide after upper-casing (Kestra fails to start), values that
// are not Base64 (Kestra skips them), values that are not UTF-8 (Kestra turns them into U+FFFD).
// Messages name variables and line numbers, never values.
#include <fmt/format.h>
#include <map>

#include "src/config/checks.hpp"
#include "src/config/schema.hpp"
#include "src/config/validate_internal.hpp"
#include "src/core/error.hpp"
#include "src/core/fs.hpp"
#include "src/secret/kestra_env.hpp"

namespace ks::config {
namespace {

struct Var {
  std::string name;
  std::string value;
  std::string where;  // "environment" or "FILE:LINE"
};

std::vector<Var> env_vars(const Context& ctx) {
  std::vector<Var> out;
  for (const auto& [name, value] : ctx.env)
    if (kestra_env::key_of(name)) out.push_back({name, value, "environment"});
  return out;
}

// SECRET_ lines of an .env_encoded file: NAME=VALUE, optional "export ", optional quotes.
std::vector<Var> file_vars(const std::string& path, const std::string& text) {
  std::vector<Var> out;
  size_t line_no = 0, start = 0;
  while (start < text.size()) {
    auto end = text.find('\n', start);
    if (end == std::string::npos) end = text.size();
    std::string line = text.substr(start, end - start);
    start = end + 1;
    ++line_no;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.rfind("export ", 0) == 0) line = line.substr(7);
    const auto eq = line.find('=');
    if (eq == std::string::npos || !kestra_env::key_of(line.substr(0, eq))) continue;
    std::string value = line.substr(eq + 1);
    if (value.size() >= 2 && (value.front() == '"' || value.front() == '\'') && value.back() == value.front())
      value = value.substr(1, value.size() - 2);
    out.push_back({line.substr(0, eq), value, fmt::format("{}:{}", path, line_no)});
  }
  return out;
}

void check_vars(Checker& c, const std::vector<Var>& vars, const std::string& path, bool collisions_are_errors,
                bool check_values) {
  std::map<std::string, std::vector<const Var*>> by_key;
  for (const auto& v : vars) by_key[*kestra_env::key_of(v.name)].push_back(&v);
  for (const auto& [key, list] : by_key) {
    if (list.size() < 2) continue;
    std::string names;
    for (const auto* v : list) names += (names.empty() ? "" : ", ") + v->name + (v->where == "environment" ? "" : " (" + v->where + ")");
    c.add(collisions_are_errors ? Severity::error : Severity::warning, path,
          fmt::format("{} are one key '{}' after upper-casing: Kestra fails to start", names, key),
          "keep one variable per key");
  }
  if (!check_values) return;
  for (const auto& v : vars) {
    auto decoded = kestra_env::decode_value(v.value);
    const std::string at = v.where == "environment" ? "" : " (" + v.where + ")";
    if (!decoded)
      c.warn(path, fmt::format("{}{} is not Base64: Kestra skips it", v.name, at), "encode values with kestra-secrets encode-env");
    else if (!is_valid_utf8(*decoded))
      c.warn(path, fmt::format("{}{} is not UTF-8 text once decoded: Kestra reads U+FFFD in place of its invalid bytes", v.name, at));
  }
}

}  // namespace

void check_secret_env_vars(Checker& c, bool is_error) {
  check_vars(c, env_vars(c.ctx), "environment", is_error, is_error);
}

void check_env(Checker& c) {
  check_secret_env_vars(c, true);
  const std::string path = std::string(kSecretRoot) + ".env.file";
  auto file = c.text(path);
  if (!file) {
    c.report.credential_source = "none needed (SECRET_ environment variables)";
    c.note(path, "no env file: the env backend is read-only", "name one with --env-file or kestra.secret.env.file");
    return;
  }
  c.report.credential_source = "none needed (SECRET_ environment variables and the env file)";
  if (!fs::exists(*file)) {
    c.note(path, fmt::format("{} does not exist yet: the first put creates it", shown(*file)));
    return;
  }
  try {
    check_vars(c, file_vars(*file, fs::read_file(*file, ErrorKind::config)), path, true, true);
  } catch (const Error& e) {
    c.error(path, e.what());
  }
}

}  // namespace ks::config
