// Relaxed binding, YAML → canonical tree, placeholders (src/config/binding, config parse_yaml).
#include <doctest/doctest.h>
#include <set>

#include "src/config/binding.hpp"
#include "src/config/config.hpp"
#include "src/config/schema.hpp"
#include "src/core/error.hpp"

using namespace ks::config;
using nlohmann::json;

TEST_CASE("config binding: one canonical segment for camel, kebab and snake spellings") {
  CHECK(canonical_segment("accessKeyId") == "access-key-id");
  CHECK(canonical_segment("access-key-id") == "access-key-id");
  CHECK(canonical_segment("access_key_id") == "access-key-id");
  CHECK(canonical_segment("ACCESS_KEY_ID") == "access-key-id");
  CHECK(canonical_segment("keyVaultUri") == "key-vault-uri");
  CHECK(canonical_segment("engineVersion2") == "engine-version2");
  CHECK(canonical_segment("readOnly") == "read-only");
  CHECK(canonical_segment("awsSecretManager") == "aws-secret-manager");
  CHECK(canonical_segment("HTTPHosts") == "httphosts");
}

TEST_CASE("config binding: dotted keys split, tag names keep their case and dots") {
  CHECK(join_path(extend_path({}, "kestra.secret.awsSecretManager.accessKeyId")) ==
        "kestra.secret.aws-secret-manager.access-key-id");
  auto p = extend_path({"kestra", "secret"}, "aws-secret-manager.tags.App.Kubernetes.io/Name");
  REQUIRE(p.size() == 5);
  CHECK(p[4] == "App.Kubernetes.io/Name");
  auto q = extend_path({}, "kestra.secret.vault.filterOnTags.tags.Team");
  CHECK(q.back() == "Team");
  CHECK(q[3] == "filter-on-tags");
}

TEST_CASE("config binding: only kestra.secret and kestra.elasticsearch are kept") {
  json t = parse_yaml(R"(
datasources: {postgres: {password: x}}
kestra:
  repository: {type: postgres}
  secret: {type: vault}
  elasticsearch: {client: {httpHosts: "http://h:9200"}}
micronaut: {server: {port: 8080}}
)", "t.yml");
  CHECK(t == json::parse(R"({"kestra":{"secret":{"type":"vault"},
                             "elasticsearch":{"client":{"http-hosts":"http://h:9200"}}}})"));
}

TEST_CASE("config binding: nested and dotted spellings of one block merge") {
  json t = parse_yaml(R"(
kestra.secret.type: vault
kestra:
  secret.vault.address: https://v:8200
  secret:
    vault:
      token: {token: abc}
)", "t.yml");
  CHECK(t["kestra"]["secret"]["type"] == "vault");
  CHECK(t["kestra"]["secret"]["vault"]["address"] == "https://v:8200");
  CHECK(t["kestra"]["secret"]["vault"]["token"]["token"] == "abc");
}

TEST_CASE("config binding: YAML merge keys and multiple documents") {
  json t = parse_yaml(R"(
base: &base {region: us-east-1, prefix: a_}
kestra:
  secret:
    aws-secret-manager:
      <<: *base
      prefix: b_
---
kestra: {secret: {type: aws-secret-manager}}
)", "t.yml");
  CHECK(t["kestra"]["secret"]["aws-secret-manager"]["region"] == "us-east-1");
  CHECK(t["kestra"]["secret"]["aws-secret-manager"]["prefix"] == "b_");
  CHECK(t["kestra"]["secret"]["type"] == "aws-secret-manager");
}

TEST_CASE("config binding: invalid YAML names the origin and line") {
  try {
    parse_yaml("kestra:\n  secret:\n    type: [vault\n", "/etc/k.yml");
    FAIL("no error");
  } catch (const ks::Error& e) {
    CHECK(e.kind() == ks::ErrorKind::config);
    CHECK(std::string(e.what()).find("/etc/k.yml") != std::string::npos);
    CHECK(std::string(e.what()).find("line ") != std::string::npos);
  }
  CHECK_THROWS_AS(parse_yaml("- a\n- b\n", "list.yml"), ks::Error);
  CHECK(parse_yaml("", "empty.yml").empty());
}

TEST_CASE("config binding: deep merge, later wins key by key, lists replaced") {
  json a = json::parse(R"({"k":{"a":1,"b":{"c":2},"l":[1,2]}})");
  deep_merge(a, json::parse(R"({"k":{"b":{"d":3},"l":[9]}})"));
  CHECK(a == json::parse(R"({"k":{"a":1,"b":{"c":2,"d":3},"l":[9]}})"));
}

TEST_CASE("config binding: placeholders from the environment, with defaults") {
  ks::Context ctx;
  ctx.env = {{"VAULT_HOST", "v.example.com"}, {"MY_TOKEN", "t0k"}};
  json t = json::parse(R"({"a":"https://${VAULT_HOST}:8200","b":"${UNSET:fallback}","c":"${UNSET:${MY_TOKEN}}",
                           "d":["${VAULT_HOST}"],"e":"${my.token}","f":"${UNSET:}"})");
  resolve_placeholders(t, ctx);
  CHECK(t["a"] == "https://v.example.com:8200");
  CHECK(t["b"] == "fallback");
  CHECK(t["c"] == "t0k");
  CHECK(t["d"][0] == "v.example.com");
  CHECK(t["e"] == "t0k");  // Micronaut's environment form of my.token
  CHECK(t["f"] == "");
  json missing = json::parse(R"({"kestra":{"secret":{"vault":{"address":"${NOPE_NOT_SET}"}}}})");
  try {
    resolve_placeholders(missing, ctx);
    FAIL("no error");
  } catch (const ks::Error& e) {
    CHECK(e.kind() == ks::ErrorKind::config);
    CHECK(std::string(e.what()).find("NOPE_NOT_SET") != std::string::npos);
    CHECK(std::string(e.what()).find("kestra.secret.vault.address") != std::string::npos);
  }
}

TEST_CASE("config schema: environment forms are unique, so env names resolve unambiguously") {
  std::set<std::string> seen;
  for (const auto& k : schema()) CHECK_MESSAGE(seen.insert(env_form(k.path)).second, k.path);
}

TEST_CASE("config schema: classify paths") {
  CHECK(classify("kestra.secret.vault.token.token").kind == PathKind::leaf);
  CHECK(classify("kestra.secret.vault.token").kind == PathKind::branch);
  CHECK(classify("kestra.secret.aws-secret-manager.tags.Team").kind == PathKind::in_user_map);
  CHECK(classify("kestra.secret.cache.enabled").kind == PathKind::in_opaque);
  CHECK(classify("kestra.elasticsearch.defaults.number-of-replicas").kind == PathKind::in_opaque);
  CHECK(classify("kestra.elasticsearch.defaults.indice-prefix").kind == PathKind::leaf);
  CHECK(classify("kestra.secret.vault.adress").kind == PathKind::unknown);
  CHECK(classify("kestra.secret.vault.address.x").kind == PathKind::unknown);
}

TEST_CASE("binding: YAML on which yaml-cpp's LoadAll never ends is a config error (found by tests/fuzz)") {
  for (const char* text : {"\"\",\n", "{\"a\": \"b\"},\n", "'a',\n"}) {
    try {
      parse_yaml(text, "KESTRA_CONFIGURATION");
      FAIL("accepted: " << text);
    } catch (const ks::Error& e) {
      CHECK(e.kind() == ks::ErrorKind::config);
      CHECK(std::string(e.what()).find("invalid YAML in KESTRA_CONFIGURATION at line 1") != std::string::npos);
    }
  }
  json t = parse_yaml("kestra:\n  secret:\n    type: vault\n---\n---\nkestra.secret.vault.address: x\n...\n", "f");
  CHECK(t["kestra"]["secret"]["vault"]["address"] == "x");
}
