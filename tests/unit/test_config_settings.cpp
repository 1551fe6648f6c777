// Typed settings per backend read from the documentation's examples (tests/data/configs), and the
// small parsers behind them (src/config/settings, es_key, checks).
#include <doctest/doctest.h>

#include "src/config/checks.hpp"
#include "src/config/es_key.hpp"
#include "src/config/settings.hpp"
#include "src/core/error.hpp"

using namespace ks::config;
using namespace std::chrono_literals;

namespace {

Loaded fixture(const std::string& name, std::map<std::string, std::string> env = {}) {
  Sources s;
  s.files = {std::string(KS_SOURCE_DIR) + "/tests/data/configs/" + name};
  ks::Context ctx;
  ctx.env = std::move(env);
  ctx.home = "/nonexistent-home";
  return load(s, ctx);
}

}  // namespace

TEST_CASE("config settings: AWS, camelCase seed with every view option") {
  auto cfg = fixture("aws-camel.yml");
  CHECK(cfg.type == "aws-secret-manager");
  auto s = aws_settings(cfg);
  CHECK(s.access_key_id == "mysuperaccesskey");
  CHECK(s.secret_key_id == "mysupersecretkey");
  CHECK(s.session_token == "mysupersessiontoken");
  CHECK(s.region == "us-east-1");
  CHECK(s.endpoint_override == "http://127.0.0.1:5000");
  CHECK(s.view.prefix == "kestra_");
  CHECK(s.view.tags == std::map<std::string, std::string>{{"Team", "Data.Platform"}, {"application", "kestra-production"}});
  CHECK(s.view.filter_on_tags.at("application") == "kestra-production");
  REQUIRE(s.view.excluded_tags.size() == 1);
  CHECK(s.view.excluded_tags[0] == ExcludedTag{"archived", "true"});
  CHECK(s.view.filter_on_prefix == "prod_");
  CHECK_FALSE(s.view.keep_prefix);
  CHECK_FALSE(s.view.read_only);
}

TEST_CASE("config settings: kebab and camel read-only seeds give the same settings") {
  auto a = aws_settings(fixture("aws-kebab-readonly.yml"));
  auto b = aws_settings(fixture("aws-camel-readonly.yml"));
  CHECK(a.view.read_only);
  CHECK(b.view.read_only);
  CHECK(a.access_key_id == b.access_key_id);
  CHECK(a.secret_key_id == b.secret_key_id);
  CHECK(a.region == b.region);
}

TEST_CASE("config settings: excluded-tags as a list hides a tag name with any value") {
  auto s = aws_settings(fixture("aws-default-chain.yml"));
  CHECK_FALSE(s.access_key_id);
  REQUIRE(s.view.excluded_tags.size() == 2);
  CHECK(s.view.excluded_tags[0] == ExcludedTag{"archived", std::nullopt});
}

TEST_CASE("config settings: Google service account text is kept byte for byte") {
  auto s = google_settings(fixture("google-camel.yml"));
  CHECK(s.project == "gcp-project-id");
  REQUIRE(s.service_account);
  auto j = nlohmann::json::parse(*s.service_account);
  CHECK(j["client_email"] == "kestra@gcp-project-id.iam.gserviceaccount.com");
  CHECK(google_settings(fixture("google-kebab-readonly.yml")).view.read_only);
}

TEST_CASE("config settings: Vault auth methods and defaults") {
  auto t = vault_settings(fixture("vault-token.yml"));
  CHECK(t.auth == VaultAuth::token);
  CHECK(t.token == "hvs.vaulttokenvalue0001");
  CHECK(t.engine_version == 2);
  CHECK(t.root_engine == "secret");
  auto u = vault_settings(fixture("vault-userpass.yml"));
  CHECK(u.auth == VaultAuth::userpass);
  CHECK(u.user == "john");
  auto a = vault_settings(fixture("vault-approle.yml"));
  CHECK(a.auth == VaultAuth::approle);
  CHECK(a.approle_path == "approle");
  CHECK(a.role_id == "11111111-2222-3333-4444-555555555555");
  auto k = vault_settings(fixture("vault-kubernetes.yml"));
  CHECK(k.auth == VaultAuth::kubernetes);
  CHECK(k.kubernetes_role == "kestra");
  CHECK(k.kubernetes_token_file == kDefaultVaultKubernetesTokenFile);
  CHECK(k.connect_timeout == 15s);
  CHECK(k.read_timeout == 30s);
  auto e = vault_settings(fixture("vault-enterprise.yml"));
  CHECK(e.namespace_ == "admin");
  CHECK(e.root_engine == "business-unit");
  CHECK(e.view.read_only);
  auto r = vault_settings(fixture("vault-readonly-seed.yml"));
  CHECK(r.view.read_only);
  CHECK(r.secret_path_prefix == "app1");
  auto d = vault_settings(fixture("dotted.yml"));
  CHECK(d.address == "https://vault.example.com:8200");
  CHECK(d.engine_version == 1);
  CHECK(d.token == "hvs.vaulttokenvalue0003");
}

TEST_CASE("config settings: Vault address and namespace fall back to VAULT_ADDR, VAULT_NAMESPACE") {
  VaultSettings s;
  ks::Context ctx;
  CHECK(resolve_vault_address(s, ctx) == kDefaultVaultAddress);
  ctx.env = {{"VAULT_ADDR", "https://env:8200"}, {"VAULT_NAMESPACE", "team"}};
  CHECK(resolve_vault_address(s, ctx) == "https://env:8200");
  CHECK(resolve_vault_namespace(s, ctx) == "team");
  s.address = "https://cfg:8200";
  CHECK(resolve_vault_address(s, ctx) == "https://cfg:8200");
}

TEST_CASE("config settings: two Vault auth methods are refused by the accessor") {
  Sources s;
  s.sets = {"type=vault", "vault.token.token=a", "vault.app-role.role-id=r", "vault.app-role.secret-id=s"};
  ks::Context ctx;
  auto cfg = load(s, ctx);
  CHECK_THROWS_AS(vault_settings(cfg), ks::Error);
}

TEST_CASE("config settings: Elasticsearch, client under kestra.elasticsearch") {
  auto s = elasticsearch_settings(fixture("elasticsearch.yml"));
  CHECK(s.secret == "a-secure-32-character-minimum-key");
  CHECK(s.hosts == std::vector<std::string>{"http://localhost:9200"});
  CHECK_FALSE(s.hosts_defaulted);
  CHECK(s.username == "elastic");
  CHECK(s.indice_prefix == "kestra_");
  auto f = elasticsearch_settings(fixture("elasticsearch-fragment.yml"));
  CHECK(f.hosts_defaulted);
  CHECK(f.hosts == std::vector<std::string>{std::string(kDefaultElasticHost)});
}

TEST_CASE("config settings: full Kestra application.yml loads only the secret part") {
  auto cfg = fixture("kestra-full.yml");
  CHECK(cfg.type == "vault");
  auto s = vault_settings(cfg);
  CHECK(s.address == "https://vault.example.com:8200");  // ${VAULT_ADDR_FOR_KESTRA:default}
  CHECK(cfg.tree["kestra"].size() == 2);                 // secret and elasticsearch only
  CHECK_FALSE(cfg.tree.contains("datasources"));
  auto with_env = fixture("kestra-full.yml", {{"VAULT_ADDR_FOR_KESTRA", "https://other:8200"}});
  CHECK(vault_settings(with_env).address == "https://other:8200");
}

TEST_CASE("config settings: durations") {
  CHECK(parse_duration("PT15S") == 15s);
  CHECK(parse_duration("pt1m30s") == 90s);
  CHECK(parse_duration("PT0.5S") == 500ms);
  CHECK(parse_duration("P1DT2H") == std::chrono::hours(26));
  CHECK(parse_duration("15") == 15s);
  CHECK(parse_duration("1.5") == 1500ms);
  CHECK(parse_duration("500ms") == 500ms);
  CHECK(parse_duration("2m") == 120s);
  CHECK_FALSE(parse_duration("soon"));
  CHECK_FALSE(parse_duration("PT"));
  CHECK_FALSE(parse_duration("P15S"));
  CHECK_FALSE(parse_duration(""));
}

TEST_CASE("config es key: Base64 of 16/24/32 bytes, else 32 characters, else an error") {
  auto b = describe_es_key("MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=", KeyEncoding::auto_detect);
  CHECK(b.ok);
  CHECK(b.used == KeyEncoding::base64);
  CHECK(b.key_bytes == 32);
  CHECK(b.ambiguous);  // 44 characters: also long enough for the UTF-8 rule
  auto u = describe_es_key("a-secure-32-character-minimum-key", KeyEncoding::auto_detect);
  CHECK(u.ok);
  CHECK(u.used == KeyEncoding::utf8);
  CHECK(u.key_bytes == 32);
  auto amb = describe_es_key("0123456789abcdef0123456789abcdef", KeyEncoding::auto_detect);
  CHECK(amb.used == KeyEncoding::base64);
  CHECK(amb.key_bytes == 24);
  CHECK(describe_es_key("0123456789abcdef0123456789abcdef", KeyEncoding::utf8).key_bytes == 32);
  CHECK_FALSE(describe_es_key("a-secure-32-character-minimum-key", KeyEncoding::base64).ok);
  auto s = describe_es_key("too-short-key-0001", KeyEncoding::auto_detect);
  CHECK_FALSE(s.ok);
  CHECK(s.problem.find("too-short") == std::string::npos);
  CHECK(describe_es_key("AAAAAAAAAAAAAAAAAAAAAA==", KeyEncoding::auto_detect).key_bytes == 16);
  // The threshold counts characters: 16 two-byte characters are 32 bytes but too short.
  CHECK_FALSE(describe_es_key("éééééééééééééééé", KeyEncoding::utf8).ok);
}

TEST_CASE("config checks: URLs, loopback, index names, vault names, utf-8") {
  auto u = parse_url("https://user:pw@Vault.Example.com:8200/v1");
  REQUIRE(u);
  CHECK(u->scheme == "https");
  CHECK(u->host == "vault.example.com");
  CHECK(u->has_userinfo);
  CHECK(url_for_display("https://user:pw@h:1/x") == "https://<redacted>@h:1/x");
  CHECK(parse_url("[::1]") == std::nullopt);
  CHECK(parse_url("http://[::1]:8200")->host == "::1");
  CHECK_FALSE(parse_url("localhost:4566"));
  CHECK(is_loopback_host("127.0.0.1"));
  CHECK(is_loopback_host("localhost"));
  CHECK(is_loopback_host("::1"));
  CHECK_FALSE(is_loopback_host("10.0.0.1"));
  CHECK_FALSE(index_name_problem("kestra_secrets"));
  CHECK(index_name_problem("Kestra_secrets"));
  CHECK(index_name_problem("_secrets"));
  CHECK(index_name_problem("a b"));
  CHECK_FALSE(azure_vault_name_problem("my-kestra-vault"));
  CHECK(azure_vault_name_problem("my--vault"));
  CHECK(azure_vault_name_problem("1vault"));
  CHECK(azure_vault_name_problem("ab"));
  CHECK(is_valid_utf8("héllo"));
  CHECK_FALSE(is_valid_utf8("\xff"));
  CHECK_FALSE(is_valid_utf8("\xc3"));
  CHECK(edit_distance("secert", "secret") == 1);
  CHECK(closest("adress", {"address", "namespace"}) == "address");
  CHECK_FALSE(closest("zzzzzz", {"address", "namespace"}));
}
