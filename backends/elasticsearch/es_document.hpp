// Kestra's storage layout in Elasticsearch (spec/kestra.md §7, spec/providers.md §5.2): document ids,
// their URL form, the strict index mapping, and the (de)serialisation of one secret document.
// Pure functions: no I/O, no key material. Values stay ciphertext here; the backend encrypts.
// CONTRACT: parse_* throw Error{bad_data} naming the document id (never a value) on a malformed body.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "backends/backend.hpp"

namespace ks::es {

inline constexpr size_t kMaxIdBytes = 512;  // Elasticsearch's limit on _id
inline constexpr std::string_view kIndexSuffix = "secrets";

// `<tenant>/<namespace>/<key>`, an absent namespace kept empty (`main//db`). Error{usage} over 512 bytes.
std::string document_id(const std::string& tenant, const std::optional<std::string>& ns, const std::string& key);

// Percent-encodes every byte outside RFC 3986's unreserved set, so `/` is %2F in a path segment.
std::string percent_encode(std::string_view text);

// The body of `PUT /{index}`: one shard and the strict mapping of spec/providers.md §5.2.
nlohmann::json index_definition();

// The document Kestra stores; `ciphertext` is already encrypted (or empty), `updated` ISO 8601.
struct Document {
  std::string tenant;
  std::optional<std::string> ns;
  std::string key;
  std::string value;                       // ciphertext, or "" for the empty plaintext
  std::optional<std::string> description;
  Tags tags;
  std::optional<std::string> updated;
};

nlohmann::json to_source(const Document& doc);

// The _source of a hit or GET response; `id` names the document in errors. An empty namespace is nullopt.
Document from_source(const nlohmann::json& source, const std::string& id);

// "<seq_no>:<primary_term>" of a GET / write response; nullopt when the fields are absent.
std::optional<std::string> version_of(const nlohmann::json& response);

// Splits "<seq_no>:<primary_term>"; nullopt when it is not that shape (a version from another store).
std::optional<std::pair<long long, long long>> parse_version(const std::string& version);

// The hits.hits list of a _search answer; Error{bad_data} when there is none.
const nlohmann::json& search_hits(const nlohmann::json& answer);

// The document and the _id of one search hit.
std::pair<Document, std::string> hit_document(const nlohmann::json& hit);

// The document at `index` of an _mget answer's `docs` (asked as `id`); nullopt when that entry is
// missing, not found or an error.
std::optional<Document> mget_document(const nlohmann::json& docs, size_t index, const std::string& id);

// SecretInfo (no value) of a document: name is the document id.
SecretInfo info_of(const Document& doc, const std::string& id, std::optional<std::string> version);

}  // namespace ks::es
