// check-config's validation rules per type, redaction, and the report's JSON shape
// (src/config/validate*.cpp, redact.cpp, render.cpp).
#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>

#include "src/config/config.hpp"
#include "src/config/schema.hpp"
#include "src/config/validate.hpp"

using namespace ks::config;
using nlohmann::json;

namespace {

const std::string kConfigs = std::string(KS_SOURCE_DIR) + "/tests/data/configs/";

ks::Context context(std::map<std::string, std::string> env = {}) {
  ks::Context ctx;
  ctx.env = std::move(env);
  ctx.home = "/nonexistent-home";
  return ctx;
}

Report check(const Sources& s, const ks::Context& ctx = context()) {
  return validate(load(s, ctx), ctx, {"env"});
}

Report check_file(const std::string& name, const ks::Context& ctx = context()) {
  Sources s;
  s.files = {kConfigs + name};
  return check(s, ctx);
}

Report check_sets(std::vector<std::string> sets, const ks::Context& ctx = context()) {
  Sources s;
  s.sets = std::move(sets);
  return check(s, ctx);
}

// The issue at `path` whose message contains `needle`, if any.
const Issue* find(const std::vector<Issue>& issues, const std::string& path, const std::string& needle = "") {
  for (const auto& i : issues)
    if (i.path == path && i.message.find(needle) != std::string::npos) return &i;
  return nullptr;
}

// Every value of a secret key in the tree (schema secrets and misspellings of them) that is long
// enough to be recognisable.
void collect_secret_values(const json& node, std::vector<std::string>& out) {
  if (node.is_object()) {
    for (auto it = node.begin(); it != node.end(); ++it) {
      if (looks_secret(it.key()) && it.value().is_string()) out.push_back(it.value());
      collect_secret_values(it.value(), out);
    }
  }
}

}  // namespace

TEST_CASE("config validate: every documentation example is valid") {
  const ks::Context ctx = context({{"VAULT_ADDR_FOR_KESTRA", "https://vault.example.com:8200"}});
  for (const char* name : {"aws-camel.yml", "aws-kebab-readonly.yml", "aws-camel-readonly.yml", "aws-default-chain.yml",
                           "azure-alias.yml", "azure-uri-readonly.yml", "azure-alias-block.yml", "google-camel.yml",
                           "google-kebab-readonly.yml", "vault-token.yml", "vault-userpass.yml", "vault-approle.yml",
                           "vault-kubernetes.yml", "vault-enterprise.yml", "vault-readonly-seed.yml", "elasticsearch.yml",
                           "elasticsearch-fragment.yml", "dotted.yml", "kestra-full.yml", "env-file.yml"}) {
    CAPTURE(name);
    const Report r = check_file(name, ctx);
    for (const auto& e : r.errors) CAPTURE(e.path + ": " + e.message);
    CHECK(r.valid);
    CHECK(r.errors.empty());
  }
}

TEST_CASE("config validate: a full Kestra configuration loads without a word about other sections") {
  const Report r = check_file("kestra-full.yml");
  for (const auto& w : r.warnings) {
    CHECK(w.path.find("datasources") == std::string::npos);
    CHECK(w.path.find("kestra.repository") == std::string::npos);
    CHECK(w.path.find("kestra.elasticsearch") == std::string::npos);  // type is vault: not read
  }
  CHECK(r.credential_source == "token in configuration");
  CHECK_FALSE(r.effective["kestra"].contains("elasticsearch"));
}

TEST_CASE("config validate: unknown keys with did you mean, across blocks and depths") {
  const Report r = check_file("broken-typo.yml");
  CHECK_FALSE(r.valid);
  CHECK(find(r.errors, "kestra.secret.vault.adress", "did you mean 'address'"));
  CHECK(find(r.errors, "kestra.secret.vault.tokne", "did you mean 'token'"));
  CHECK(find(r.errors, "kestra.secret.vault.pasword", "did you mean 'password'"));
  auto t = check_sets({"type=vault", "vault.role-id=x", "vualt.address=https://v"});
  CHECK(find(t.errors, "kestra.secret.vault.role-id", "did you mean 'app-role.role-id'"));
  CHECK(find(t.errors, "kestra.secret.vualt", "did you mean 'vault'"));
  auto n = check_file("broken-type-name.yml");
  CHECK(find(n.errors, "kestra.secret.type", "did you mean 'aws-secret-manager'"));
}

TEST_CASE("config validate: wrong types") {
  const Report r = check_file("broken-type.yml");
  CHECK(find(r.errors, "kestra.secret.read-only", "true or false"));
  CHECK(find(r.errors, "kestra.secret.vault.engine-version", "integer"));
  CHECK(find(r.errors, "kestra.secret.vault.connect-timeout", "duration"));
  CHECK(find(r.errors, "kestra.secret.vault.token", "must be a mapping"));
}

TEST_CASE("config validate: URL schemes and plain http that carries credentials") {
  auto r = check_file("broken-url.yml");
  CHECK(find(r.errors, "kestra.secret.aws-secret-manager.endpoint-override", "not an http:// or https:// URL"));
  auto v = check_sets({"type=vault", "vault.address=http://vault.corp:8200", "vault.token.token=t"});
  CHECK(v.valid);
  CHECK(find(v.warnings, "kestra.secret.vault.address", "plain http"));
  auto lo = check_sets({"type=vault", "vault.address=http://127.0.0.1:8200", "vault.token.token=t"});
  CHECK_FALSE(find(lo.warnings, "kestra.secret.vault.address", "plain http"));
}

TEST_CASE("config validate: Vault engine version, tags on v1, auth conflicts and completeness") {
  CHECK(find(check_file("broken-engine-v3.yml").errors, "kestra.secret.vault.engine-version", "1 or 2"));
  CHECK(find(check_file("broken-vault-v1-tags.yml").errors, "kestra.secret.vault.tags", "version 1"));
  auto both = check_sets({"type=vault", "vault.address=https://v", "vault.token.token=t", "vault.app-role.role-id=r",
                          "vault.app-role.secret-id=s"});
  CHECK(find(both.errors, "kestra.secret.vault", "conflicting auth methods: token, app-role"));
  auto partial = check_sets({"type=vault", "vault.address=https://v", "vault.password.user=u"});
  CHECK(find(partial.errors, "kestra.secret.vault.password.password", "missing"));
  auto none = check_sets({"type=vault", "vault.address=https://v"});
  CHECK(find(none.errors, "kestra.secret.vault", "no Vault credentials"));
  auto env = check_sets({"type=vault"}, context({{"VAULT_TOKEN", "t"}, {"VAULT_ADDR", "https://v:8200"}}));
  CHECK(env.valid);
  CHECK(env.credential_source == "VAULT_TOKEN environment variable");
}

TEST_CASE("config validate: default credential chains are never an error") {
  auto aws = check_file("aws-default-chain.yml");
  CHECK(aws.valid);
  CHECK(aws.credential_source == kDefaultChain);
  auto az = check_sets({"type=azure-key-vault", "azure-key-vault.vault-name=kv-one"});
  CHECK(az.valid);
  CHECK(az.credential_source == kDefaultChain);
  auto g = check_file("google-kebab-readonly.yml");
  CHECK(g.valid);
  CHECK(g.credential_source == kDefaultChain);
  CHECK(check_file("aws-camel.yml").credential_source == "static keys with session token in configuration");
  CHECK(check_file("google-camel.yml").credential_source.find("kestra@gcp-project-id") != std::string::npos);
}

TEST_CASE("config validate: partial static credentials are errors") {
  CHECK(find(check_file("broken-aws-partial.yml").errors, "kestra.secret.aws-secret-manager.secret-key-id", "incomplete"));
  auto az = check_file("broken-azure-no-vault.yml");
  CHECK(find(az.errors, "kestra.secret.azure-key-vault.client-secret.client-id", "incomplete"));
  CHECK(find(az.errors, "kestra.secret.azure-key-vault.vault-name", "missing"));
  CHECK(find(check_sets({"type=azure-key-vault", "azure-key-vault.vault-name=a--b"}).errors,
             "kestra.secret.azure-key-vault.vault-name", "not a Key Vault name"));
  auto g = check_file("broken-google-sa.yml");
  CHECK(find(g.errors, "kestra.secret.google-secret-manager.service-account", "not a JSON"));
  CHECK(find(g.errors, "kestra.secret.google-secret-manager.project", "missing"));
}

TEST_CASE("config validate: Elasticsearch key rule, index prefix, auth conflicts, defaults") {
  auto r = check_file("broken-es-short-key.yml");
  CHECK(find(r.errors, "kestra.secret.elasticsearch.secret", "unusable encryption key"));
  CHECK(find(r.errors, "kestra.elasticsearch.defaults.indice-prefix", "upper-case"));
  auto ok = check_file("elasticsearch.yml");
  CHECK(find(ok.warnings, "kestra.secret.elasticsearch.secret", "only accepts a Base64 key"));
  CHECK(find(ok.warnings, "kestra.secret.elasticsearch.secret", "first 32 bytes"));
  CHECK(ok.credential_source == "basic auth in configuration (user elastic)");
  auto frag = check_file("elasticsearch-fragment.yml");
  CHECK(find(frag.warnings, "kestra.elasticsearch.client.http-hosts", "http://localhost:9200"));
  CHECK(find(frag.warnings, "kestra.secret.elasticsearch.secret", "AES-256-GCM (Kestra compatible)"));
  auto missing = check_sets({"type=elasticsearch"});
  CHECK(find(missing.errors, "kestra.secret.elasticsearch.secret", "missing required key"));
  auto both = check_sets({"type=elasticsearch", "elasticsearch.secret=MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=",
                          "kestra.elasticsearch.client.basic-auth.username=u",
                          "kestra.elasticsearch.client.basic-auth.password=p",
                          "kestra.elasticsearch.client.api-key=k", "kestra.elasticsearch.client.trust-all-ssl=true",
                          "kestra.elasticsearch.client.unknown-thing=1"});
  CHECK(find(both.errors, "kestra.elasticsearch.client.api-key", "conflicting"));
  CHECK(find(both.warnings, "kestra.elasticsearch.client.trust-all-ssl", "NOT verified"));
  CHECK(find(both.warnings, "kestra.elasticsearch.client.unknown-thing", "unknown key"));
  auto bad_enc = check_sets({"type=elasticsearch", "elasticsearch.secret=a-secure-32-character-minimum-key",
                             "elasticsearch.key-encoding=base64"});
  CHECK(find(bad_enc.errors, "kestra.secret.elasticsearch.secret", "key-encoding is base64"));
}

TEST_CASE("config validate: SECRET_ variables that collide after upper-casing") {
  const auto env = context({{"SECRET_db", "eA=="}, {"SECRET_DB", "eQ=="}, {"SECRET_BAD", "!!notbase64!!"},
                            {"SECRET_BIN", "/w=="}});
  auto r = check(Sources{}, env);
  CHECK_FALSE(r.valid);
  const Issue* e = find(r.errors, "environment", "SECRET_DB, SECRET_db");
  REQUIRE(e);
  CHECK(e->message.find("'DB'") != std::string::npos);
  CHECK(find(r.warnings, "environment", "SECRET_BAD is not Base64"));
  CHECK(find(r.warnings, "environment", "SECRET_BIN is not UTF-8"));
  auto other = check_sets({"type=vault", "vault.address=https://v", "vault.token.token=t"}, env);
  CHECK(other.valid);
  CHECK(find(other.warnings, "environment", "SECRET_DB, SECRET_db"));
}

TEST_CASE("config validate: the env file is checked for collisions too") {
  char tmpl[] = "/tmp/ks_config_env_XXXXXX";
  const std::string dir = mkdtemp(tmpl);
  const std::string file = dir + "/.env_encoded";
  std::ofstream(file) << "# generated\nSECRET_api=YQ==\nexport SECRET_API=Yg==\nSECRET_OK=\"Yw==\"\n";
  Sources s;
  s.env_file = file;
  auto r = check(s);
  const Issue* e = find(r.errors, "kestra.secret.env.file", "SECRET_API");
  REQUIRE(e);
  CHECK(e->message.find(":3") != std::string::npos);
  CHECK(r.credential_source.find("env file") != std::string::npos);
  std::filesystem::remove_all(dir);
  auto missing = check(s);
  CHECK(missing.valid);
  CHECK(find(missing.warnings, "kestra.secret.env.file", "does not exist yet"));
}

TEST_CASE("config validate: notes for types this build cannot serve, aliases, unused blocks") {
  auto r = check_file("azure-alias.yml");
  CHECK(r.type == "azure-key-vault");
  CHECK(find(r.warnings, "kestra.secret.type", "this build cannot connect to azure-key-vault yet"));
  CHECK(find(r.warnings, "kestra.secret.type", "older name"));
  auto unused = check_sets({"type=vault", "vault.address=https://v", "vault.token.token=t", "aws-secret-manager.region=x",
                            "aws-secret-manager.regoin=y"});
  CHECK(unused.valid);  // problems in an unused block are warnings
  CHECK(find(unused.warnings, "kestra.secret.aws-secret-manager", "not used"));
  CHECK(find(unused.warnings, "kestra.secret.aws-secret-manager.regoin", "did you mean 'region'"));
  auto jdbc = check_sets({"type=jdbc"});
  CHECK(find(jdbc.errors, "kestra.secret.type", "jdbc"));
}

TEST_CASE("config validate: no seeded secret appears in any rendering of any fixture") {
  const ks::Context ctx = context({{"VAULT_ADDR_FOR_KESTRA", "https://vault.example.com:8200"}});
  for (const auto& entry : std::filesystem::directory_iterator(kConfigs)) {
    const std::string name = entry.path().filename().string();
    if (name == "broken-yaml.yml") continue;
    CAPTURE(name);
    Sources s;
    s.files = {entry.path().string()};
    const Loaded cfg = load(s, ctx);
    std::vector<std::string> secrets;
    collect_secret_values(cfg.tree, secrets);
    for (const char* seeded : {"mysuperaccesskey", "mysupersecretkey", "mysupersessiontoken", "hvs.", "PRIVATE KEY",
                               "googlebrokensa0001", "azure-client-secret-value", "elasticpassword", "elasticapikey",
                               "a-secure-32-character-minimum-key", "vaultsecretid", "vaultuserpassword"})
      secrets.push_back(seeded);
    const Report r = validate(cfg, ctx, {"env"});
    const std::string text = render_text(r) + render_json(r).dump();
    for (const auto& secret : secrets) {
      if (secret.size() < 4 || secret == "<redacted>" || secret == "secret") continue;
      CAPTURE(secret);
      CHECK(text.find(secret) == std::string::npos);
    }
  }
}

TEST_CASE("config validate: misspelled secret keys and scalars in secret branches are redacted") {
  auto r = check_file("broken-typo.yml");
  const std::string out = render_text(r) + render_json(r).dump();
  CHECK(out.find("vaulttypotoken0001") == std::string::npos);
  CHECK(out.find("vaulttypopassword0001") == std::string::npos);
  auto t = check_file("broken-type.yml");
  CHECK(render_json(t).dump().find("tokenwherethemappingbelongs") == std::string::npos);
  auto u = check_sets({"type=vault", "vault.address=https://user:pa55word@v:8200", "vault.token.token=t",
                       "kestra.secret.cache.api-key=cachekey0001"});
  const std::string uo = render_text(u) + render_json(u).dump();
  CHECK(uo.find("pa55word") == std::string::npos);
  CHECK(uo.find("cachekey0001") == std::string::npos);
}

TEST_CASE("config validate: JSON shape of check-config") {
  auto r = check_file("broken-engine-v3.yml");
  const json j = render_json(r);
  CHECK(j.size() == 7);
  for (const char* k : {"valid", "type", "config_source", "credential_source", "errors", "warnings", "effective"})
    CHECK(j.contains(k));
  CHECK(j["valid"] == false);
  CHECK(j["type"] == "vault");
  CHECK(j["config_source"] == "-c " + kConfigs + "broken-engine-v3.yml");
  REQUIRE(j["errors"].size() == 1);
  CHECK(j["errors"][0]["path"] == "kestra.secret.vault.engine-version");
  CHECK(j["errors"][0].contains("hint"));
  CHECK(j["effective"]["kestra"]["secret"]["vault"]["token"]["token"] == "<redacted>");
  CHECK(j["effective"]["kestra"]["secret"]["vault"]["engine-version"] == 3);
  const std::string text = render_text(r);
  CHECK(text.find("configuration invalid: 1 error") != std::string::npos);
  CHECK(text.find("error: kestra.secret.vault.engine-version:") != std::string::npos);
}

TEST_CASE("config validate: extensions are labelled in the text report") {
  auto r = check_sets({"type=google-secret-manager", "google-secret-manager.project=p",
                       "google-secret-manager.endpoint-override=http://127.0.0.1:9000"});
  CHECK(r.valid);
  CHECK(render_text(r).find("endpoint-override: http://127.0.0.1:9000   (extension)") != std::string::npos);
}
