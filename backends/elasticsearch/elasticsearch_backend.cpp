#include "backends/elasticsearch/elasticsearch_backend.hpp"

#include <fmt/format.h>
#include <functional>

#include "backends/elasticsearch/es_client.hpp"
#include "backends/elasticsearch/es_document.hpp"
#include "src/core/time_format.hpp"
#include "src/crypto/aes_gcm.hpp"
#include "src/crypto/base64.hpp"
#include "src/crypto/hash.hpp"
#include "src/output/diag.hpp"
#include "src/core/json_fields.hpp"

namespace ks::backends {
namespace {

using nlohmann::json;

constexpr int kSearchPageSize = 1000;   // well under index.max_result_window; search_after pages on
constexpr size_t kMgetChunk = 1000;     // ids per _mget request
constexpr int kProbeSampleSize = 20;    // documents looked at for a decryption round-trip
constexpr std::string_view kRefresh = "refresh=wait_for";  // a later list must see the write

std::string authorization(const config::ElasticsearchSettings& s) {
  if (s.api_key && !s.api_key->empty()) return "ApiKey " + *s.api_key;
  if (s.username && !s.username->empty())
    return "Basic " + crypto::base64_encode(*s.username + ":" + s.password.value_or(""));
  return {};
}

http::Options client_options(const config::ElasticsearchSettings& s, const BackendOptions& opts, const Context& ctx) {
  auto o = http_options(opts, ctx, s.ca_file, "kestra.secret.elasticsearch.ca-file", "");
  if (s.trust_all_ssl) {
    o.tls_verify = false;
    out::warn("kestra.elasticsearch.client.trust-all-ssl is true: the server's TLS certificate is NOT verified");
  }
  return o;
}

crypto::KeyEncoding key_encoding(config::KeyEncoding e) {
  switch (e) {
    case config::KeyEncoding::base64: return crypto::KeyEncoding::base64;
    case config::KeyEncoding::utf8: return crypto::KeyEncoding::utf8;
    case config::KeyEncoding::auto_detect: break;
  }
  return crypto::KeyEncoding::auto_detect;
}

class ElasticsearchBackend final : public Backend {
public:
  ElasticsearchBackend(const config::ElasticsearchSettings& s, const BackendOptions& opts, const Context& ctx)
      : key_(crypto::derive_es_key(s.secret, key_encoding(s.key_encoding))), tenant_(opts.tenant.empty() ? "main" : opts.tenant),
        index_(s.indice_prefix + std::string(es::kIndexSuffix)), ctx_(ctx), http_(client_options(s, opts, ctx)),
        es_(http_, s.hosts, authorization(s)) {}

  ~ElasticsearchBackend() override { crypto::secure_wipe(key_.key); }

  std::string name() const override { return "elasticsearch"; }
  bool text_only() const override { return true; }

  std::vector<SecretInfo> list(const Query& q) override {
    std::vector<SecretInfo> out;
    search(q.ns, kSearchPageSize, [&](const es::Document& d, const std::string& id) {
      out.push_back(es::info_of(d, id, std::nullopt));
      return true;
    });
    return out;
  }

  Secret get(const SecretRef& ref) override {
    auto [doc, version] = fetch(ref, "get");
    Secret s = Secret::text(decrypt(doc.value, ref.key));
    s.version = std::move(version);
    return s;
  }

  std::pair<Secret, SecretInfo> get_detailed(const SecretRef& ref) override {
    auto [doc, version] = fetch(ref, "get");
    Secret s = Secret::text(decrypt(doc.value, ref.key));
    s.version = version;
    return {std::move(s), es::info_of(doc, id_of(ref), version)};
  }

  std::vector<Result<Secret>> get_many(std::span<const SecretRef> refs) override;
  PutResult put(const SecretRef& ref, const Secret& value, const PutOptions& opts) override;

  DeleteResult remove(const SecretRef& ref, const DeleteOptions&) override {
    no_version(ref);
    auto r = es_.send("DELETE", fmt::format("{}?{}", doc_path(id_of(ref)), kRefresh));
    if (r.status == 404) throw Error(ErrorKind::not_found, not_found_message(ref.key));
    if (r.status >= 300) throw es::map_error(r, "delete");
    return DeleteResult{true, std::nullopt};
  }

  SecretInfo describe(const SecretRef& ref) override {
    auto [doc, version] = fetch(ref, "describe", "_source_excludes=value");
    return es::info_of(doc, id_of(ref), version);
  }

  Probe probe() override;

private:
  std::string id_of(const SecretRef& ref) const { return es::document_id(tenant_, ref.ns, ref.key); }
  std::string doc_path(const std::string& id) const { return fmt::format("/{}/_doc/{}", index_, es::percent_encode(id)); }

  void no_version(const SecretRef& ref) const {
    if (ref.version) throw Error(ErrorKind::usage, "elasticsearch keeps no versions of a secret", "drop --version");
  }

  std::string decrypt(const std::string& stored, const std::string& key) const {
    if (stored.empty()) return {};
    try {
      return crypto::aes_gcm_decrypt(key_.key, stored);
    } catch (const Error&) {
      throw Error(ErrorKind::bad_data, fmt::format("cannot decrypt secret '{}'", key),
                  "kestra.secret.elasticsearch.secret (and key-encoding) must be the key Kestra encrypted it with");
    }
  }

  std::string encrypt(const std::string& plain) const {
    return plain.empty() ? std::string() : crypto::aes_gcm_encrypt(key_.key, plain);
  }

  // The document of ref and its version; Error{not_found} with Kestra's message when absent.
  std::pair<es::Document, std::optional<std::string>> fetch(const SecretRef& ref, std::string_view what,
                                                            std::string_view query = {}) {
    no_version(ref);
    std::string id = id_of(ref);
    auto r = es_.send("GET", doc_path(id) + (query.empty() ? "" : "?" + std::string(query)));
    if (r.status == 404) throw Error(ErrorKind::not_found, not_found_message(ref.key));
    if (r.status != 200) throw es::map_error(r, what);
    auto body = es::parse_body(r, what);
    if (!json_bool(body, "found", false)) throw Error(ErrorKind::not_found, not_found_message(ref.key));
    if (!body.contains("_source")) throw Error(ErrorKind::bad_data, fmt::format("Elasticsearch {}: no _source", what));
    return {es::from_source(body["_source"], id), es::version_of(body)};
  }

  // Calls fn(document, id) for every document of the tenant (and namespace), page after page with
  // search_after on (tenant, namespace, key), until fn returns false or a page comes back short.
  void search(const std::optional<std::string>& ns, int page_size,
              const std::function<bool(const es::Document&, const std::string&)>& fn, bool with_value = false);

  void ensure_index();

  crypto::DerivedKey key_;
  std::string tenant_;
  std::string index_;
  const Context& ctx_;
  http::Client http_;
  es::Client es_;
  bool index_ready_ = false;
};

void ElasticsearchBackend::search(const std::optional<std::string>& ns, int page_size,
                                  const std::function<bool(const es::Document&, const std::string&)>& fn,
                                  bool with_value) {
  json filter = json::array({{{"term", {{"tenant", tenant_}}}}});
  if (ns) filter.push_back({{"term", {{"namespace", *ns}}}});
  json body = {{"size", page_size},
               {"query", {{"bool", {{"filter", filter}}}}},
               {"sort", json::array({{{"tenant", "asc"}}, {{"namespace", "asc"}}, {{"key", "asc"}}})},
               {"track_total_hits", false}};
  if (!with_value) body["_source"] = {{"excludes", json::array({"value"})}};
  std::string path = fmt::format("/{}/_search", index_);
  for (;;) {
    auto r = es_.send("POST", path, body);
    if (r.status == 404 && es::error_type(r) == "index_not_found_exception") return;  // nothing written yet
    if (r.status != 200) throw es::map_error(r, "search");
    auto doc = es::parse_body(r, "search");
    const auto& hits = es::search_hits(doc);
    for (const auto& h : hits) {
      auto [d, id] = es::hit_document(h);
      if (!fn(d, id)) return;
    }
    if (static_cast<int>(hits.size()) < page_size) return;
    if (!hits.back().contains("sort")) throw Error(ErrorKind::bad_data, "Elasticsearch search: a hit has no sort values");
    body["search_after"] = hits.back()["sort"];
  }
}

void ElasticsearchBackend::ensure_index() {
  if (index_ready_) return;
  std::string path = "/" + index_;
  auto head = es_.send("HEAD", path);
  if (head.status == 404) {
    auto r = es_.send("PUT", path, es::index_definition());
    // Another writer may have created it in between: that is as good.
    if (r.status >= 300 && es::error_type(r) != "resource_already_exists_exception")
      throw es::map_error(r, fmt::format("create index {}", index_));
  } else if (head.status >= 300) {
    throw es::map_error(head, fmt::format("check index {}", index_));
  }
  index_ready_ = true;
}

PutResult ElasticsearchBackend::put(const SecretRef& ref, const Secret& value, const PutOptions& opts) {
  no_version(ref);
  if (value.fields) throw Error(ErrorKind::usage, "elasticsearch stores text values, not named fields");
  if (!is_valid_utf8(value.bytes))
    throw Error(ErrorKind::usage, fmt::format("the value of {} is not valid UTF-8, and elasticsearch stores only text", ref.key));
  std::string id = id_of(ref);
  std::string query(kRefresh);
  if (opts.expected_version) {
    auto v = es::parse_version(*opts.expected_version);
    if (!v) throw Error(ErrorKind::conflict, fmt::format("secret '{}' changed while it was being updated", ref.key));
    query += fmt::format("&if_seq_no={}&if_primary_term={}", v->first, v->second);
  }
  es::Document doc{tenant_, ref.ns, ref.key, encrypt(value.bytes), opts.description, opts.tags, rfc3339(ctx_.now())};
  ensure_index();
  auto r = es_.send("PUT", fmt::format("{}?{}", doc_path(id), query), es::to_source(doc));
  if (r.status == 409)
    throw Error(ErrorKind::conflict, fmt::format("secret '{}' changed while it was being updated", ref.key),
                "read it again and retry");
  if (r.status >= 300) throw es::map_error(r, "put");
  auto body = es::parse_body(r, "put");
  return PutResult{es::version_of(body), json_string(body, "result") == "created"};
}

std::vector<Result<Secret>> ElasticsearchBackend::get_many(std::span<const SecretRef> refs) {
  std::vector<Result<Secret>> out;
  out.reserve(refs.size());
  for (size_t start = 0; start < refs.size(); start += kMgetChunk) {
    size_t end = std::min(refs.size(), start + kMgetChunk);
    json ids = json::array();
    for (size_t i = start; i < end; ++i) ids.push_back(id_of(refs[i]));
    auto r = es_.send("POST", fmt::format("/{}/_mget", index_), json{{"ids", ids}});
    if (r.status != 200 && !(r.status == 404 && es::error_type(r) == "index_not_found_exception"))
      throw es::map_error(r, "mget");
    json docs = r.status == 200 ? es::parse_body(r, "mget").value("docs", json::array()) : json::array();
    for (size_t i = start; i < end; ++i) {
      const SecretRef& ref = refs[i];
      size_t k = i - start;
      try {
        no_version(ref);
        auto d = es::mget_document(docs, k, ids[k].get<std::string>());
        if (!d) throw Error(ErrorKind::not_found, not_found_message(ref.key));
        Secret s = Secret::text(decrypt(d->value, ref.key));
        s.version = es::version_of(docs[k]);
        out.emplace_back(std::move(s));
      } catch (const Error& e) {
        out.emplace_back(e);
      }
    }
  }
  return out;
}

Probe ElasticsearchBackend::probe() {
  Probe p;
  auto r = es_.send("GET", "/");
  if (r.status != 200) throw es::map_error(r, "GET /");
  auto info = es::parse_body(r, "GET /");
  p.facts.emplace_back("host", es_.current_host());
  p.facts.emplace_back("cluster", json_string(info, "cluster_name", "?"));
  p.facts.emplace_back("version", json_string(json_field(info, "version"), "number", "?"));
  auto head = es_.send("HEAD", "/" + index_);
  if (head.status >= 300 && head.status != 404) throw es::map_error(head, fmt::format("check index {}", index_));
  p.facts.emplace_back("index", fmt::format("{} ({})", index_, head.status == 404 ? "absent: created on the first write" : "present"));
  p.facts.emplace_back("key", key_.description);
  std::optional<std::string> checked;
  if (head.status != 404) {
    int seen = 0;
    search(std::nullopt, kProbeSampleSize, [&](const es::Document& d, const std::string&) {
      if (d.value.empty()) return ++seen < kProbeSampleSize;  // one page at most
      decrypt(d.value, d.key);
      checked = d.key;
      return false;
    }, /*with_value=*/true);
  }
  if (checked) {
    p.facts.emplace_back("decryption", fmt::format("ok (secret '{}')", *checked));
  } else {
    std::string probe_text = "kestra-secrets probe";
    if (decrypt(encrypt(probe_text), "probe") != probe_text)
      throw Error(ErrorKind::internal, "AES-GCM round-trip mismatch");
    p.facts.emplace_back("decryption", "no stored value to decrypt; local encrypt+decrypt ok");
  }
  return p;
}

}  // namespace

std::unique_ptr<Backend> make_elasticsearch_backend(const config::ElasticsearchSettings& settings, const BackendOptions& opts,
                                                    const Context& ctx) {
  return std::make_unique<ElasticsearchBackend>(settings, opts, ctx);
}

}  // namespace ks::backends
