// Kestra's Elasticsearch storage layout (backends/elasticsearch/es_document): ids, their URL form,
// the strict mapping, and document (de)serialisation (spec/kestra.md §7, spec/providers.md §5.2).
#include <doctest/doctest.h>

#include "backends/elasticsearch/es_document.hpp"

using nlohmann::json;
using namespace ks;

TEST_CASE("es document id: tenant/namespace/key, an absent namespace kept empty") {
  CHECK(es::document_id("main", std::nullopt, "db") == "main//db");
  CHECK(es::document_id("main", std::string("company.team"), "API_KEY") == "main/company.team/API_KEY");
  CHECK(es::document_id("acme", std::string(""), "k") == "acme//k");
}

TEST_CASE("es document id: over 512 bytes is a usage error, 512 is fine") {
  std::string key(512 - 6, 'k');  // "main//" + key = 512 bytes
  CHECK(es::document_id("main", std::nullopt, key).size() == 512);
  try {
    es::document_id("main", std::nullopt, key + "x");
    FAIL("expected an error");
  } catch (const Error& e) {
    CHECK(e.kind() == ErrorKind::usage);
  }
}

TEST_CASE("es percent_encode: unreserved kept, '/' and everything else escaped") {
  CHECK(es::percent_encode("main//db") == "main%2F%2Fdb");
  CHECK(es::percent_encode("main/a.b/K_1-x~") == "main%2Fa.b%2FK_1-x~");
  CHECK(es::percent_encode("a b?c#d%e+f") == "a%20b%3Fc%23d%25e%2Bf");
  CHECK(es::percent_encode("\xc3\xa9") == "%C3%A9");
}

TEST_CASE("es index definition: strict mapping with the Kestra fields") {
  json d = es::index_definition();
  CHECK(d["mappings"]["dynamic"] == "strict");
  const auto& p = d["mappings"]["properties"];
  for (const char* f : {"key", "namespace", "tenant"}) CHECK(p[f]["type"] == "keyword");
  CHECK(p["value"]["index"] == false);
  CHECK(p["value"]["doc_values"] == false);
  CHECK(p["tags"]["properties"]["key"]["type"] == "keyword");
  CHECK(p["updated"]["type"] == "date");
  CHECK(p["description"]["type"] == "text");
}

TEST_CASE("es document: to_source and from_source round-trip") {
  es::Document doc{"main", std::string("company.team"), "db", "CIPHER", std::string("the db"),
                   {{"env", "prod"}, {"owner", "ops"}}, std::string("2026-01-02T03:04:05Z")};
  json s = es::to_source(doc);
  CHECK(s["namespace"] == "company.team");
  CHECK(s["tags"] == json::array({{{"key", "env"}, {"value", "prod"}}, {{"key", "owner"}, {"value", "ops"}}}));
  auto back = es::from_source(s, "main/company.team/db");
  CHECK(back.key == "db");
  CHECK(back.ns == std::optional<std::string>("company.team"));
  CHECK(back.value == "CIPHER");
  CHECK(back.tags == doc.tags);
  CHECK(back.description == doc.description);
  CHECK(back.updated == doc.updated);
}

TEST_CASE("es document: no namespace is stored as the empty string and read back as none") {
  es::Document doc{"main", std::nullopt, "k", "", std::nullopt, {}, std::nullopt};
  json s = es::to_source(doc);
  CHECK(s["namespace"] == "");
  CHECK_FALSE(s.contains("description"));
  CHECK_FALSE(es::from_source(s, "main//k").ns.has_value());
}

TEST_CASE("es document: malformed sources are bad_data naming the id, never a value") {
  for (json bad : {json("x"), json{{"value", "SECRETVALUE"}}, json{{"key", 3}}, json{{"key", "k"}, {"tags", "x"}}}) {
    try {
      es::from_source(bad, "main//k");
      FAIL("expected an error");
    } catch (const Error& e) {
      CHECK(e.kind() == ErrorKind::bad_data);
      CHECK(std::string(e.what()).find("main//k") != std::string::npos);
      CHECK(std::string(e.what()).find("SECRETVALUE") == std::string::npos);
    }
  }
}

TEST_CASE("es version: <seq_no>:<primary_term> both ways") {
  CHECK(es::version_of(json{{"_seq_no", 7}, {"_primary_term", 1}}) == std::optional<std::string>("7:1"));
  CHECK_FALSE(es::version_of(json{{"_seq_no", 7}}).has_value());
  CHECK(es::parse_version("7:1") == std::optional(std::make_pair(7LL, 1LL)));
  CHECK_FALSE(es::parse_version("7").has_value());
  CHECK_FALSE(es::parse_version("a:1").has_value());
  CHECK_FALSE(es::parse_version("7:1x").has_value());
  CHECK_FALSE(es::parse_version("3c1e6f0a-uuid").has_value());
}
