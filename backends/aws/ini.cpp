#include "backends/aws/ini.hpp"

namespace ks::aws {
namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t' || s.front() == '\r')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) s.remove_suffix(1);
  return s;
}

}  // namespace

IniFile parse_ini(std::string_view text) {
  IniFile out;
  IniSection* current = nullptr;
  std::string last_key;
  size_t pos = 0;
  while (pos <= text.size()) {
    size_t nl = text.find('\n', pos);
    if (nl == std::string_view::npos) nl = text.size();
    std::string_view raw = text.substr(pos, nl - pos);
    pos = nl + 1;
    bool indented = !raw.empty() && (raw.front() == ' ' || raw.front() == '\t');
    std::string_view line = trim(raw);
    if (line.empty() || line.front() == '#' || line.front() == ';') continue;
    if (line.front() == '[' && line.back() == ']') {
      std::string name(trim(line.substr(1, line.size() - 2)));
      current = &out[name];
      last_key.clear();
      continue;
    }
    if (!current || indented) continue;  // nested sub-keys (e.g. under `s3 =`) are not ours
    auto eq = line.find('=');
    if (eq == std::string_view::npos) continue;
    std::string key(trim(line.substr(0, eq)));
    std::string value(trim(line.substr(eq + 1)));
    (*current)[key] = value;
    last_key = key;
    if (pos > text.size()) break;
  }
  return out;
}

std::optional<IniSection> config_profile(const IniFile& config, const std::string& name) {
  if (name == "default") {
    if (auto it = config.find("default"); it != config.end()) return it->second;
  }
  if (auto it = config.find("profile " + name); it != config.end()) return it->second;
  return std::nullopt;
}

std::optional<IniSection> credentials_profile(const IniFile& credentials, const std::string& name) {
  if (auto it = credentials.find(name); it != credentials.end()) return it->second;
  return std::nullopt;
}

}  // namespace ks::aws
