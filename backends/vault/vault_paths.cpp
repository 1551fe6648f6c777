#include "backends/vault/vault_paths.hpp"

#include <fmt/format.h>

#include "src/core/error.hpp"

namespace ks::vault {
namespace {

std::string_view trim_slashes(std::string_view s) {
  while (!s.empty() && s.front() == '/') s.remove_prefix(1);
  while (!s.empty() && s.back() == '/') s.remove_suffix(1);
  return s;
}

bool unreserved(unsigned char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.' ||
         c == '_' || c == '~';
}

// True when every '/'-separated segment is a usable name (not empty, ".", "..").
bool clean_segments(std::string_view path) {
  size_t start = 0;
  for (;;) {
    size_t slash = path.find('/', start);
    auto seg = path.substr(start, slash == std::string_view::npos ? std::string_view::npos : slash - start);
    if (seg.empty() || seg == "." || seg == "..") return false;
    if (slash == std::string_view::npos) return true;
    start = slash + 1;
  }
}

}  // namespace

std::string join(std::initializer_list<std::string_view> parts) {
  std::string out;
  for (auto p : parts) {
    p = trim_slashes(p);
    if (p.empty()) continue;
    if (!out.empty()) out += '/';
    out += p;
  }
  return out;
}

std::string folder_of(const Naming& n, const std::optional<std::string>& ns) {
  if (!ns) return join({n.secret_path_prefix});
  std::string slashed = *ns;
  for (auto& c : slashed)
    if (c == '.') c = '/';
  return join({n.secret_path_prefix, n.tenant, slashed});
}

std::string secret_path(const Naming& n, const std::optional<std::string>& ns, const std::string& key) {
  std::string name = n.prefix + key;
  std::string folder = folder_of(n, ns);
  std::string path = folder.empty() ? name : folder + "/" + name;
  if (key.empty() || !clean_segments(path))
    throw Error(ErrorKind::usage, fmt::format("'{}' does not make a valid Vault path ({})", key, path),
                "keys and namespaces may not hold empty, '.' or '..' path segments");
  return path;
}

std::string escape_path(std::string_view path) {
  std::string out;
  for (unsigned char c : path) {
    if (unreserved(c) || c == '/') out += static_cast<char>(c);
    else out += fmt::format("%{:02X}", c);
  }
  return out;
}

std::optional<std::string> key_of(const Naming& n, const std::string& relative) {
  if (relative.compare(0, n.prefix.size(), n.prefix) != 0) return std::nullopt;
  std::string key = relative.substr(n.prefix.size());
  if (key.empty()) return std::nullopt;
  return key;
}

}  // namespace ks::vault
