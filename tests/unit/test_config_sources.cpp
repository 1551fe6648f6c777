// Configuration sources and their order, environment overrides, --set, aliases, -t
// (src/config/config.cpp, overrides.cpp). The environment and home directory are injected.
#include <doctest/doctest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "src/config/config.hpp"
#include "src/config/settings.hpp"
#include "src/core/error.hpp"

using namespace ks::config;
using nlohmann::json;

namespace {

struct TempDir {
  std::filesystem::path path;
  TempDir() {
    char tmpl[] = "/tmp/ks_config_test_XXXXXX";
    path = mkdtemp(tmpl);
  }
  ~TempDir() { std::filesystem::remove_all(path); }
  std::string write(const std::string& name, const std::string& text) const {
    const auto p = path / name;
    std::filesystem::create_directories(p.parent_path());
    std::ofstream(p) << text;
    return p.string();
  }
};

ks::Context context(std::map<std::string, std::string> env = {}, std::string home = "/nonexistent-home") {
  ks::Context ctx;
  ctx.env = std::move(env);
  ctx.home = std::move(home);
  return ctx;
}

const json* at(const Loaded& cfg, std::initializer_list<const char*> path) {
  const json* n = &cfg.tree;
  for (const char* s : path) {
    if (!n->is_object() || !n->contains(s)) return nullptr;
    n = &(*n)[s];
  }
  return n;
}

}  // namespace

TEST_CASE("config sources: nothing configured is the env backend") {
  auto cfg = load({}, context());
  CHECK(cfg.type == "env");
  CHECK(cfg.source == "none (embedded default: env)");
  CHECK(cfg.type_written.empty());
}

TEST_CASE("config sources: -c files merge key by key, later wins") {
  TempDir d;
  const auto a = d.write("a.yml", "kestra:\n  secret:\n    type: vault\n    vault:\n      address: https://a:8200\n      namespace: ns-a\n");
  const auto b = d.write("b.yml", "kestra:\n  secret:\n    vault:\n      address: https://b:8200\n");
  Sources s;
  s.files = {a, b};
  auto cfg = load(s, context({{"KESTRA_CONFIGURATION", "kestra: {secret: {type: aws-secret-manager}}"}}));
  CHECK(cfg.type == "vault");
  CHECK(cfg.source == "-c " + a + ", " + b);
  CHECK(*at(cfg, {"kestra", "secret", "vault", "address"}) == "https://b:8200");
  CHECK(*at(cfg, {"kestra", "secret", "vault", "namespace"}) == "ns-a");
}

TEST_CASE("config sources: a -c file that does not exist is a config error") {
  Sources s;
  s.files = {"/nonexistent/kestra.yml"};
  try {
    load(s, context());
    FAIL("no error");
  } catch (const ks::Error& e) {
    CHECK(e.kind() == ks::ErrorKind::config);
    CHECK(std::string(e.what()).find("/nonexistent/kestra.yml") != std::string::npos);
  }
}

TEST_CASE("config sources: KESTRA_CONFIGURATION before MICRONAUT_CONFIG_FILES before ~/.kestra/config.yml") {
  TempDir d;
  const auto m1 = d.write("m1.yml", "kestra: {secret: {type: vault, vault: {address: 'https://m1:8200', namespace: m1}}}");
  const auto m2 = d.write("m2.yml", "kestra: {secret: {vault: {address: 'https://m2:8200'}}}");
  d.write("home/.kestra/config.yml", "kestra: {secret: {type: google-secret-manager}}");
  const std::string home = (d.path / "home").string();

  auto all = context({{"KESTRA_CONFIGURATION", "kestra: {secret: {type: elasticsearch}}"},
                      {"MICRONAUT_CONFIG_FILES", m1 + "," + m2}}, home);
  auto cfg = load({}, all);
  CHECK(cfg.type == "elasticsearch");
  CHECK(cfg.source == "KESTRA_CONFIGURATION");

  all.env.erase("KESTRA_CONFIGURATION");
  cfg = load({}, all);
  CHECK(cfg.type == "vault");
  CHECK(cfg.source == "MICRONAUT_CONFIG_FILES (" + m1 + ", " + m2 + ")");
  CHECK(*at(cfg, {"kestra", "secret", "vault", "address"}) == "https://m2:8200");
  CHECK(*at(cfg, {"kestra", "secret", "vault", "namespace"}) == "m1");

  all.env.erase("MICRONAUT_CONFIG_FILES");
  cfg = load({}, all);
  CHECK(cfg.type == "google-secret-manager");
  CHECK(cfg.source == "~/.kestra/config.yml");
}

TEST_CASE("config sources: a MICRONAUT_CONFIG_FILES entry that does not exist is a config error") {
  CHECK_THROWS_AS(load({}, context({{"MICRONAUT_CONFIG_FILES", "/nonexistent/a.yml"}})), ks::Error);
}

TEST_CASE("config sources: invalid YAML in a -c file names the file and the line") {
  Sources s;
  s.files = {std::string(KS_SOURCE_DIR) + "/tests/data/configs/broken-yaml.yml"};
  try {
    load(s, context());
    FAIL("no error");
  } catch (const ks::Error& e) {
    const std::string m = e.what();
    CHECK(e.kind() == ks::ErrorKind::config);
    CHECK(m.find("broken-yaml.yml") != std::string::npos);
    CHECK(m.find("line") != std::string::npos);
    CHECK(m.find("hvs.neverparsed") == std::string::npos);
  }
}

TEST_CASE("config overrides: KESTRA_SECRET_ variables resolved against the schema, not split blindly") {
  auto cfg = load({}, context({
                          {"KESTRA_SECRET_TYPE", "aws-secret-manager"},
                          {"KESTRA_SECRET_AWS_SECRET_MANAGER_ACCESS_KEY_ID", "AKIAENV"},
                          {"KESTRA_SECRET_AWS_SECRET_MANAGER_SECRET_KEY_ID", "envsecret"},
                          {"KESTRA_SECRET_AWS_SECRET_MANAGER_FILTER_ON_PREFIX_KEEP_PREFIX", "true"},
                          {"KESTRA_SECRET_AWS_SECRET_MANAGER_TAGS_TEAM", "data"},
                          {"KESTRA_SECRET_VAULT_APP_ROLE_ROLE_ID", "role-1"},
                          {"KESTRA_SECRET_VAULT_SECRET_PATH_PREFIX", "app1"},
                          {"KESTRA_SECRET_READ_ONLY", "true"},
                          {"KESTRA_SECRET_CACHE_ENABLED", "true"},
                          {"KESTRA_SECRET_NOT_A_KEY", "x"},
                          {"KESTRA_ELASTICSEARCH_CLIENT_HTTP_HOSTS", "http://a:9200,http://b:9200"},
                      }));
  CHECK(cfg.type == "aws-secret-manager");
  const auto& aws = cfg.tree["kestra"]["secret"]["aws-secret-manager"];
  CHECK(aws["access-key-id"] == "AKIAENV");
  CHECK(aws["secret-key-id"] == "envsecret");
  CHECK(aws["filter-on-prefix"]["keep-prefix"] == true);
  CHECK(aws["tags"]["team"] == "data");
  CHECK(cfg.tree["kestra"]["secret"]["vault"]["app-role"]["role-id"] == "role-1");
  CHECK(cfg.tree["kestra"]["secret"]["vault"]["secret-path-prefix"] == "app1");
  CHECK(cfg.tree["kestra"]["secret"]["read-only"] == true);
  CHECK_FALSE(cfg.tree["kestra"]["secret"].contains("cache"));
  CHECK(cfg.tree["kestra"]["elasticsearch"]["client"]["http-hosts"] == json::array({"http://a:9200", "http://b:9200"}));
  REQUIRE(cfg.warnings.size() == 1);
  CHECK(cfg.warnings[0].find("KESTRA_SECRET_NOT_A_KEY") != std::string::npos);
}

TEST_CASE("config overrides: environment over file, --set over environment, -t over all") {
  Sources s;
  s.sets = {"vault.address=https://set:8200", "kestra.secret.vault.engineVersion=1",
            "aws-secret-manager.tags.CostCenter=42", "kestra.elasticsearch.client.trust-all-ssl=true"};
  auto ctx = context({{"KESTRA_CONFIGURATION", "kestra: {secret: {type: vault, vault: {address: 'https://file:8200', namespace: f}}}"},
                      {"KESTRA_SECRET_VAULT_ADDRESS", "https://env:8200"},
                      {"KESTRA_SECRET_VAULT_NAMESPACE", "from-env"}});
  auto cfg = load(s, ctx);
  const auto& v = cfg.tree["kestra"]["secret"]["vault"];
  CHECK(v["address"] == "https://set:8200");
  CHECK(v["namespace"] == "from-env");
  CHECK(v["engine-version"] == 1);
  CHECK(cfg.tree["kestra"]["secret"]["aws-secret-manager"]["tags"]["CostCenter"] == "42");
  CHECK(cfg.tree["kestra"]["elasticsearch"]["client"]["trust-all-ssl"] == true);
  CHECK(cfg.type == "vault");
  s.type = "google-secret-manager";
  cfg = load(s, ctx);
  CHECK(cfg.type == "google-secret-manager");
  CHECK(cfg.tree["kestra"]["secret"]["type"] == "google-secret-manager");
}

TEST_CASE("config overrides: --set errors") {
  Sources s;
  s.sets = {"vault.address"};
  CHECK_THROWS_AS(load(s, context()), ks::Error);
  s.sets = {"kestra.repository.type=postgres"};
  CHECK_THROWS_AS(load(s, context()), ks::Error);
}

TEST_CASE("config overrides: placeholders resolve after overrides; a missing one is a config error") {
  Sources s;
  s.sets = {"vault.token.token=${VAULT_TOKEN_FOR_TEST}", "vault.namespace=${NS:admin}"};
  auto cfg = load(s, context({{"VAULT_TOKEN_FOR_TEST", "hvs.x"}}));
  CHECK(cfg.tree["kestra"]["secret"]["vault"]["token"]["token"] == "hvs.x");
  CHECK(cfg.tree["kestra"]["secret"]["vault"]["namespace"] == "admin");
  CHECK_THROWS_AS(load(s, context()), ks::Error);
}

TEST_CASE("config aliases: azure-secret-manager reads azure-key-vault, else its own block") {
  Sources s;
  s.files = {std::string(KS_SOURCE_DIR) + "/tests/data/configs/azure-alias.yml"};
  auto cfg = load(s, context());
  CHECK(cfg.type == "azure-key-vault");
  CHECK(cfg.type_written == "azure-secret-manager");
  auto az = azure_settings(cfg);
  CHECK(az.vault_name == "my-kestra-vault");
  CHECK(az.tenant_id == "00000000-aaaa-bbbb-cccc-000000000001");
  CHECK(azure_vault_url(az) == "https://my-kestra-vault.vault.azure.net");

  s.files = {std::string(KS_SOURCE_DIR) + "/tests/data/configs/azure-alias-block.yml"};
  cfg = load(s, context());
  CHECK(azure_settings(cfg).vault_name == "legacy-vault");

  s.files = {};
  s.sets = {"type=azure-secret-manager", "azure-key-vault.vault-name=kv1", "azure-secret-manager.vault-name=kv2"};
  cfg = load(s, context());
  CHECK(azure_settings(cfg).vault_name == "kv1");
  CHECK(cfg.warnings.size() == 1);
}

TEST_CASE("config sources: --env-file lands in kestra.secret.env.file") {
  Sources s;
  s.env_file = "/tmp/x.env_encoded";
  auto cfg = load(s, context());
  CHECK(env_settings(cfg, s).file == "/tmp/x.env_encoded");
  CHECK(cfg.tree["kestra"]["secret"]["env"]["file"] == "/tmp/x.env_encoded");
}

TEST_CASE("config overrides: booleans as Kestra reads them (YAML 1.1 and Micronaut)") {
  for (const char* yes : {"true", "TRUE", "yes", "on", "y"}) {
    Sources s;
    s.sets = {std::string("read-only=") + yes};
    CHECK(load(s, context()).tree["kestra"]["secret"]["read-only"] == true);
  }
  Sources s;
  s.sets = {"read-only=off", "vault.engine-version=2"};
  auto cfg = load(s, context());
  CHECK(cfg.tree["kestra"]["secret"]["read-only"] == false);
  CHECK(cfg.tree["kestra"]["secret"]["vault"]["engine-version"] == 2);
  s.sets = {"read-only=maybe"};
  CHECK(load(s, context()).tree["kestra"]["secret"]["read-only"] == "maybe");  // validate() reports it
}

TEST_CASE("config sources: kestra.secret written as a single value is a config error") {
  CHECK_THROWS_AS(load({}, context({{"KESTRA_CONFIGURATION", "kestra: {secret: vault}"}})), ks::Error);
  CHECK(load({}, context({{"KESTRA_CONFIGURATION", "kestra: {secret: }"}})).type == "env");
}
