// The backends' readers of provider answers (the pure functions each backend exposes for
// tests/fuzz) on malformed answers: a field of the wrong type or a missing envelope is bad data or
// absent, never a JSON library exception. Each case is an input tests/fuzz found.
#include <doctest/doctest.h>

#include "backends/aws/aws_backend.hpp"
#include "backends/azure/azure_backend.hpp"
#include "backends/elasticsearch/es_document.hpp"
#include "backends/google/google_backend.hpp"
#include "backends/vault/vault_kv.hpp"

using namespace ks;
using nlohmann::json;

TEST_CASE("answers: a Vault KV v2 read without metadata is read, not an internal error") {
  auto [s, info] = vault::read_answer(200, R"({"data":{"data":{"value":"v"}}})", 2, SecretRef{"k"});
  CHECK(s.printable() == "v");
  CHECK_FALSE(s.version);
  CHECK(info.tags.empty());
  CHECK(vault::version_state(json::array()) == "enabled");
  CHECK(vault::version_state(json{{"destroyed", "yes"}, {"deletion_time", nullptr}}) == "enabled");
  CHECK(vault::versions_from_metadata(json{{"versions", "x"}}).empty());
  CHECK_FALSE(vault::info_from_metadata(json{{"current_version", 2}, {"versions", {{"2", 7}}}}).deleted);
}

TEST_CASE("answers: AWS entries of the wrong shape are skipped or read with defaults") {
  CHECK_FALSE(aws::info_of(json(3), ""));
  auto info = aws::info_of(json{{"Name", 5}, {"Tags", {{{"Key", 1}, {"Value", "x"}}, {{"Key", "key"}, {"Value", 2}}}}}, "");
  REQUIRE(info);
  CHECK(info->tags == Tags{{"key", ""}});
  auto versions = aws::versions_of(json{{"Versions", {{{"VersionId", 1}, {"CreatedDate", "x"}}, 3}}});
  REQUIRE(versions.size() == 2);
  CHECK(versions[0].second.state == "disabled");
  std::map<std::string, Result<Secret>> by_id;
  aws::collect_batch(json{{"SecretValues", {{{"ARN", 1}}}}, {"Errors", {{{"SecretId", "s"}, {"ErrorCode", 9}}}}}, by_id);
  CHECK(by_id.count("s"));
}

TEST_CASE("answers: Google and Azure fields of the wrong type") {
  CHECK_THROWS_AS(google::secret_of(json{{"payload", {{"data", 7}}}}, "k"), Error);
  CHECK_FALSE(google::info_of(json("x"), ""));
  CHECK(google::version_of(json{{"name", 1}, {"state", 2}}).second.state == "");
  auto v = azure::version_of(json{{"id", "https://v/secrets/a/1"}, {"attributes", "x"}});
  CHECK(v.second.state == "enabled");
  CHECK(azure::version_of(json{{"attributes", {{"enabled", false}, {"created", "x"}}}}).second.state == "disabled");
}

TEST_CASE("answers: an Elasticsearch _mget answer whose docs is not a list finds nothing") {
  CHECK_FALSE(es::mget_document(json{{"a", 1}}, 0, "main//a"));
  CHECK_FALSE(es::mget_document(json::array({{{"found", "yes"}}}), 0, "main//a"));
  CHECK_THROWS_AS(es::hit_document(json(1)), Error);
}
