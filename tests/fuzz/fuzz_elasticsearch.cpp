// backends/elasticsearch: everything read from an Elasticsearch answer. Error bodies (`error.type`)
// and their mapping, the body check, _source documents (es_document), search pages (hits.hits)
// and _mget answers, and the "<seq_no>:<primary_term>" versions.
#include "backends/elasticsearch/es_client.hpp"
#include "backends/elasticsearch/es_document.hpp"
#include "tests/fuzz/fuzz_common.hpp"

using namespace ks;
using nlohmann::json;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string body = fuzz::text(data, size);
  fuzz::each_status(body, [](const http::Response& r) {
    es::error_type(r);
    es::map_error(r, "search");
  });
  es::parse_version(body);
  fuzz::tolerate([&] {
    auto doc = es::parse_body(fuzz::response(200, body), "search");
    es::version_of(doc);
    fuzz::tolerate([&] {
      auto d = es::from_source(doc, "main//k");
      es::to_source(d);
      es::info_of(d, "main//k", es::version_of(doc));
    });
    fuzz::tolerate([&] { es::from_source(doc.value("_source", json()), "main//k"); });
    fuzz::tolerate([&] {
      for (const auto& h : es::search_hits(doc)) fuzz::tolerate([&] { es::hit_document(h); });
    });
    fuzz::tolerate([&] {
      json docs = doc.value("docs", json::array());
      for (size_t k = 0; k <= docs.size(); ++k) fuzz::tolerate([&] { es::mget_document(docs, k, "main//k"); });
    });
  });
  return 0;
}
