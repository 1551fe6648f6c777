#include "src/config/checks.hpp"

#include <algorithm>

namespace ks::config {
namespace {

constexpr size_t kMaxIndexNameBytes = 255;
constexpr size_t kMinVaultName = 3, kMaxVaultName = 24;

std::string lower(std::string_view s) {
  std::string out(s);
  for (auto& c : out)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return out;
}

bool is_alnum(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'); }
bool is_alpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }

}  // namespace

std::optional<UrlParts> parse_url(std::string_view url) {
  const auto sep = url.find("://");
  if (sep == std::string_view::npos || sep == 0) return std::nullopt;
  UrlParts p;
  p.scheme = lower(url.substr(0, sep));
  std::string_view rest = url.substr(sep + 3);
  rest = rest.substr(0, rest.find_first_of("/?#"));
  if (const auto at = rest.rfind('@'); at != std::string_view::npos) {
    p.has_userinfo = true;
    rest = rest.substr(at + 1);
  }
  if (!rest.empty() && rest[0] == '[') {
    const auto close = rest.find(']');
    if (close == std::string_view::npos) return std::nullopt;
    p.host = std::string(rest.substr(1, close - 1));
  } else {
    p.host = std::string(rest.substr(0, rest.find(':')));
  }
  if (p.host.empty()) return std::nullopt;
  p.host = lower(p.host);
  return p;
}

bool is_loopback_host(std::string_view host) {
  if (host == "localhost" || host == "::1") return true;
  if (host.size() > 10 && host.substr(host.size() - 10) == ".localhost") return true;
  return host.substr(0, 4) == "127.";
}

std::string url_for_display(std::string_view url) {
  const auto sep = url.find("://");
  if (sep == std::string_view::npos) return std::string(url);
  const auto authority_end = url.find_first_of("/?#", sep + 3);
  const auto authority = url.substr(sep + 3, authority_end == std::string_view::npos ? authority_end : authority_end - sep - 3);
  const auto at = authority.rfind('@');
  if (at == std::string_view::npos) return std::string(url);
  return std::string(url.substr(0, sep + 3)) + "<redacted>@" + std::string(url.substr(sep + 3 + at + 1));
}

std::optional<std::string> index_name_problem(std::string_view index) {
  if (index.empty()) return "it is empty";
  if (index == "." || index == "..") return "'.' and '..' are not index names";
  if (index.size() > kMaxIndexNameBytes) return "it is longer than 255 bytes";
  if (index[0] == '-' || index[0] == '_' || index[0] == '+') return "it starts with '-', '_' or '+'";
  for (char c : index) {
    if (c >= 'A' && c <= 'Z') return "it contains upper-case letters";
    if (std::string_view("\\/*?\"<>| ,#:").find(c) != std::string_view::npos)
      return std::string("it contains '") + c + "'";
  }
  return std::nullopt;
}

std::optional<std::string> azure_vault_name_problem(std::string_view name) {
  if (name.size() < kMinVaultName || name.size() > kMaxVaultName) return "it must be 3 to 24 characters long";
  if (!is_alpha(name.front())) return "it must start with a letter";
  if (!is_alnum(name.back())) return "it must end with a letter or a digit";
  for (char c : name)
    if (!is_alnum(c) && c != '-') return "it may contain only letters, digits and '-'";
  if (name.find("--") != std::string_view::npos) return "it may not contain '--'";
  return std::nullopt;
}

size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<std::vector<size_t>> d(a.size() + 1, std::vector<size_t>(b.size() + 1));
  for (size_t i = 0; i <= a.size(); ++i) d[i][0] = i;
  for (size_t j = 0; j <= b.size(); ++j) d[0][j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    for (size_t j = 1; j <= b.size(); ++j) {
      const size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
      d[i][j] = std::min({d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost});
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
        d[i][j] = std::min(d[i][j], d[i - 2][j - 2] + 1);
    }
  }
  return d[a.size()][b.size()];
}

std::optional<std::string> closest(std::string_view word, const std::vector<std::string>& candidates) {
  std::optional<std::string> best;
  size_t best_d = 0;
  for (const auto& c : candidates) {
    const size_t d = edit_distance(word, c);
    if (!best || d < best_d) {
      best = c;
      best_d = d;
    }
  }
  // A plausible typo: two edits, or a third of the word for long names.
  if (best && (best_d <= 2 || best_d * 3 <= word.size()) && best_d < word.size()) return best;
  return std::nullopt;
}

bool is_valid_utf8(std::string_view s) {
  size_t i = 0;
  while (i < s.size()) {
    const auto c = static_cast<unsigned char>(s[i]);
    size_t n = 0;
    if (c < 0x80) {
      ++i;
      continue;
    }
    if (c >= 0xC2 && c <= 0xDF) n = 1;
    else if (c >= 0xE0 && c <= 0xEF) n = 2;
    else if (c >= 0xF0 && c <= 0xF4) n = 3;
    else return false;
    if (i + n >= s.size()) return false;
    for (size_t k = 1; k <= n; ++k)
      if ((static_cast<unsigned char>(s[i + k]) & 0xC0) != 0x80) return false;
    const auto c1 = static_cast<unsigned char>(s[i + 1]);
    if ((c == 0xE0 && c1 < 0xA0) || (c == 0xED && c1 >= 0xA0)) return false;  // overlong, surrogate
    if ((c == 0xF0 && c1 < 0x90) || (c == 0xF4 && c1 >= 0x90)) return false;  // overlong, > U+10FFFF
    i += n + 1;
  }
  return true;
}

size_t utf8_length(std::string_view s) {
  return static_cast<size_t>(std::count_if(s.begin(), s.end(), [](char c) {
    return (static_cast<unsigned char>(c) & 0xC0) != 0x80;
  }));
}

}  // namespace ks::config
