#include "backends/backend.hpp"

#include <fmt/format.h>

namespace ks {

std::vector<Result<Secret>> Backend::get_many(std::span<const SecretRef> refs) {
  std::vector<Result<Secret>> out;
  out.reserve(refs.size());
  for (const auto& ref : refs) {
    try {
      out.emplace_back(get(ref));
    } catch (const Error& e) {
      out.emplace_back(e);
    }
  }
  return out;
}

std::pair<Secret, SecretInfo> Backend::get_detailed(const SecretRef& ref) {
  Secret s = get(ref);
  return {std::move(s), describe(ref)};
}

std::vector<VersionInfo> Backend::versions(const SecretRef&) { unsupported("versions"); }

void Backend::restore(const SecretRef&) { unsupported("restore"); }

Tags Backend::adopt(const std::string&, const SecretRef&, const Tags&, bool) { unsupported("adopt"); }

void Backend::unsupported(const std::string& what) const {
  throw Error(ErrorKind::usage, fmt::format("{} is not supported by the {} backend", what, name()));
}

}  // namespace ks
