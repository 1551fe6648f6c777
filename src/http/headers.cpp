#include "src/http/headers.hpp"

#include <algorithm>
#include <cctype>

namespace ks::http {

bool iequals(std::string_view a, std::string_view b) noexcept {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
         });
}

void Headers::set(std::string_view name, std::string value) {
  auto it = std::find_if(entries_.begin(), entries_.end(), [&](const Entry& e) { return iequals(e.first, name); });
  if (it == entries_.end()) {
    entries_.emplace_back(std::string(name), std::move(value));
    return;
  }
  it->second = std::move(value);
  entries_.erase(std::remove_if(std::next(it), entries_.end(), [&](const Entry& e) { return iequals(e.first, name); }),
                 entries_.end());
}

void Headers::remove(std::string_view name) {
  entries_.erase(std::remove_if(entries_.begin(), entries_.end(), [&](const Entry& e) { return iequals(e.first, name); }),
                 entries_.end());
}

std::optional<std::string> Headers::get(std::string_view name) const {
  for (const auto& [n, v] : entries_) {
    if (iequals(n, name)) return v;
  }
  return std::nullopt;
}

}  // namespace ks::http
