#include "src/secret/var_names.hpp"

#include <fmt/format.h>
#include <map>

#include "src/core/error.hpp"

namespace ks {

std::string var_name(std::string_view key, bool upper) {
  std::string out;
  out.reserve(key.size() + 1);
  if (!key.empty() && key[0] >= '0' && key[0] <= '9') out.push_back('_');
  for (char c : key) {
    bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
    if (!ok) c = '_';
    if (upper && c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
    out.push_back(c);
  }
  return out;
}

std::vector<std::string> var_names(const std::vector<std::string>& keys, bool upper) {
  std::vector<std::string> out;
  std::map<std::string, std::string> seen;  // name -> key
  for (const auto& k : keys) {
    auto name = var_name(k, upper);
    auto [it, fresh] = seen.emplace(name, k);
    if (!fresh)
      throw Error(ErrorKind::usage,
                  fmt::format("secrets '{}' and '{}' both map to the variable name {}", it->second, k, name),
                  "select one of them with a PATTERN or --only");
    out.push_back(std::move(name));
  }
  return out;
}

}  // namespace ks
