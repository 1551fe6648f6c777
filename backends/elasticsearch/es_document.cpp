#include "backends/elasticsearch/es_document.hpp"
#include "src/core/json_fields.hpp"

#include <charconv>
#include <fmt/format.h>

namespace ks::es {
namespace {

using nlohmann::json;

bool unreserved(unsigned char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.' ||
         c == '_' || c == '~';
}

std::optional<std::string> opt_string(const json& source, const char* field, const std::string& id) {
  if (!source.contains(field) || source[field].is_null()) return std::nullopt;
  if (!source[field].is_string())
    throw Error(ErrorKind::bad_data, fmt::format("Elasticsearch document '{}': field '{}' is not a string", id, field));
  return source[field].get<std::string>();
}

Tags tags_of(const json& source, const std::string& id) {
  Tags tags;
  if (!source.contains("tags") || source["tags"].is_null()) return tags;
  json list = source["tags"].is_object() ? json::array({source["tags"]}) : source["tags"];
  if (!list.is_array())
    throw Error(ErrorKind::bad_data, fmt::format("Elasticsearch document '{}': 'tags' is not a list", id));
  for (const auto& t : list) {
    if (!t.is_object() || !t.contains("key") || !t["key"].is_string())
      throw Error(ErrorKind::bad_data, fmt::format("Elasticsearch document '{}': a tag has no string 'key'", id));
    tags[t["key"].get<std::string>()] = t.contains("value") && t["value"].is_string() ? t["value"].get<std::string>() : "";
  }
  return tags;
}

}  // namespace

std::string document_id(const std::string& tenant, const std::optional<std::string>& ns, const std::string& key) {
  std::string id = fmt::format("{}/{}/{}", tenant, ns.value_or(""), key);
  if (id.size() > kMaxIdBytes)
    throw Error(ErrorKind::usage,
                fmt::format("the Elasticsearch document id of secret '{}' is {} bytes, over the limit of {}",
                            key.substr(0, 64), id.size(), kMaxIdBytes),
                "use a shorter key or namespace");
  return id;
}

std::string percent_encode(std::string_view text) {
  std::string out;
  out.reserve(text.size() * 3);
  for (unsigned char c : text) {
    if (unreserved(c)) out += static_cast<char>(c);
    else out += fmt::format("%{:02X}", c);
  }
  return out;
}

json index_definition() {
  json keyword = {{"type", "keyword"}};
  json props = {{"key", keyword},
                {"namespace", keyword},
                {"tenant", keyword},
                {"value", {{"type", "keyword"}, {"index", false}, {"doc_values", false}}},
                {"description", {{"type", "text"}}},
                {"tags", {{"type", "object"}, {"properties", {{"key", keyword}, {"value", keyword}}}}},
                {"updated", {{"type", "date"}}}};
  return {{"settings", {{"number_of_shards", 1}}}, {"mappings", {{"dynamic", "strict"}, {"properties", props}}}};
}

json to_source(const Document& doc) {
  json tags = json::array();
  for (const auto& [k, v] : doc.tags) tags.push_back({{"key", k}, {"value", v}});
  json source = {{"key", doc.key}, {"namespace", doc.ns.value_or("")}, {"tenant", doc.tenant},
                 {"value", doc.value}, {"tags", tags}};
  if (doc.description) source["description"] = *doc.description;
  if (doc.updated) source["updated"] = *doc.updated;
  return source;
}

Document from_source(const json& source, const std::string& id) {
  if (!source.is_object())
    throw Error(ErrorKind::bad_data, fmt::format("Elasticsearch document '{}' has no _source object", id));
  Document d;
  auto key = opt_string(source, "key", id);
  if (!key || key->empty())
    throw Error(ErrorKind::bad_data, fmt::format("Elasticsearch document '{}' has no 'key'", id));
  d.key = *key;
  d.tenant = opt_string(source, "tenant", id).value_or("");
  d.ns = opt_string(source, "namespace", id);
  if (d.ns && d.ns->empty()) d.ns.reset();
  d.value = opt_string(source, "value", id).value_or("");
  d.description = opt_string(source, "description", id);
  d.tags = tags_of(source, id);
  d.updated = opt_string(source, "updated", id);
  return d;
}

std::optional<std::string> version_of(const json& response) {
  if (!response.contains("_seq_no") || !response.contains("_primary_term") || !response["_seq_no"].is_number_integer() ||
      !response["_primary_term"].is_number_integer())
    return std::nullopt;
  return fmt::format("{}:{}", response["_seq_no"].get<long long>(), response["_primary_term"].get<long long>());
}

std::optional<std::pair<long long, long long>> parse_version(const std::string& version) {
  auto colon = version.find(':');
  if (colon == std::string::npos) return std::nullopt;
  long long seq = 0, term = 0;
  const char* b = version.data();
  auto [p1, e1] = std::from_chars(b, b + colon, seq);
  auto [p2, e2] = std::from_chars(b + colon + 1, b + version.size(), term);
  if (e1 != std::errc() || p1 != b + colon || e2 != std::errc() || p2 != b + version.size() || seq < 0 || term < 1)
    return std::nullopt;
  return std::make_pair(seq, term);
}

const json& search_hits(const json& answer) {
  if (!answer.contains("hits") || !answer["hits"].contains("hits") || !answer["hits"]["hits"].is_array())
    throw Error(ErrorKind::bad_data, "Elasticsearch search: the response has no hits");
  return answer["hits"]["hits"];
}

std::pair<Document, std::string> hit_document(const json& hit) {
  std::string id = hit.contains("_id") && hit["_id"].is_string() ? hit["_id"].get<std::string>() : "";
  return {from_source(json_field(hit, "_source"), id), id};
}

std::optional<Document> mget_document(const json& docs, size_t k, const std::string& id) {
  if (!docs.is_array() || k >= docs.size() || !docs[k].is_object() || docs[k].contains("error") ||
      !json_bool(docs[k], "found", false))
    return std::nullopt;
  return from_source(json_field(docs[k], "_source"), id);
}

SecretInfo info_of(const Document& doc, const std::string& id, std::optional<std::string> version) {
  SecretInfo info;
  info.key = doc.key;
  info.ns = doc.ns;
  info.name = id;
  info.tags = doc.tags;
  info.description = doc.description;
  info.updated = doc.updated;
  info.version = std::move(version);
  return info;
}

}  // namespace ks::es
