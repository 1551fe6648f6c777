// Small pure checks that validation uses: URLs (scheme, host, loopback, display without
// credentials), Elasticsearch index names, Azure vault names, edit distance for "did you mean",
// UTF-8 validity. No I/O.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ks::config {

struct UrlParts {
  std::string scheme;     // lower-case
  std::string host;       // without brackets for IPv6
  bool has_userinfo = false;
};
// Parses scheme://[userinfo@]host[:port][/...]; nullopt when there is no scheme or host.
std::optional<UrlParts> parse_url(std::string_view url);

// localhost, *.localhost, 127.0.0.0/8, ::1.
bool is_loopback_host(std::string_view host);

// The URL as it may be printed: userinfo replaced by "<redacted>@".
std::string url_for_display(std::string_view url);

// Why `index` is not a valid Elasticsearch index name, or nullopt when it is.
std::optional<std::string> index_name_problem(std::string_view index);

// Why `name` is not a valid Azure Key Vault name (3-24 of [A-Za-z0-9-], starting with a letter,
// ending with a letter or digit, no "--"), or nullopt.
std::optional<std::string> azure_vault_name_problem(std::string_view name);

// Optimal string alignment distance (Levenshtein plus adjacent transpositions).
size_t edit_distance(std::string_view a, std::string_view b);

// The candidate closest to `word` when it is close enough to be a plausible typo.
std::optional<std::string> closest(std::string_view word, const std::vector<std::string>& candidates);

bool is_valid_utf8(std::string_view s);
// Number of code points (bytes that are not UTF-8 continuation bytes).
size_t utf8_length(std::string_view s);

}  // namespace ks::config
