// The AWS credential chain's order and profile resolution (spec/providers.md §1.9), driven through
// CredentialChain with a pinned Context: precedence when two sources are present, source_profile
// chains and loops, SSO token checks, credential_process, refresh on expiry with an injected clock.
// Nothing here leaves the process except credential_process scripts; IMDS is disabled.
#include <doctest/doctest.h>

#include <algorithm>
#include <filesystem>

#include "backends/aws/credential_chain.hpp"
#include "backends/aws/sso.hpp"
#include "src/core/error.hpp"
#include "src/core/time_format.hpp"
#include "tests/unit/support/fake_server.hpp"  // TempDir
#include "tests/unit/support/files.hpp"

using namespace ks;
using namespace ks::aws;
namespace stdfs = std::filesystem;

namespace {

struct Fixture {
  test::TempDir dir;
  Context ctx;
  http::Client http;
  config::AwsSettings settings;

  Fixture() {
    ctx.home = dir.path().string();
    ctx.env["AWS_EC2_METADATA_DISABLED"] = "true";
    ctx.env["PATH"] = "/usr/bin:/bin";
    stdfs::create_directories(dir.path() / ".aws");
  }
  void config(const std::string& text) { test::write_file(dir.path() / ".aws" / "config", text); }
  void credentials(const std::string& text) { test::write_file(dir.path() / ".aws" / "credentials", text); }
  CredentialChain chain() { return CredentialChain(settings, ctx, http, "us-east-1"); }
  AwsCredentials resolve() { return chain().resolve(); }
  Error error() {
    try {
      resolve();
    } catch (const Error& e) {
      return e;
    }
    FAIL("no error");
    return Error(ErrorKind::internal, "");
  }
};

}  // namespace

TEST_CASE("aws_chain: configuration keys win over the environment") {
  Fixture f;
  f.settings.access_key_id = "AKIACONFIG";
  f.settings.secret_key_id = "s";
  f.ctx.env["AWS_ACCESS_KEY_ID"] = "AKIAENV";
  f.ctx.env["AWS_SECRET_ACCESS_KEY"] = "s";
  auto c = f.resolve();
  CHECK(c.keys.access_key_id == "AKIACONFIG");
  CHECK(c.source.find("kestra.secret.aws-secret-manager") != std::string::npos);
}

TEST_CASE("aws_chain: the environment wins over the shared files") {
  Fixture f;
  f.credentials("[default]\naws_access_key_id = AKIAFILE\naws_secret_access_key = s\n");
  f.ctx.env["AWS_ACCESS_KEY_ID"] = "AKIAENV";
  f.ctx.env["AWS_SECRET_ACCESS_KEY"] = "s";
  f.ctx.env["AWS_SESSION_TOKEN"] = "t";
  auto c = f.resolve();
  CHECK(c.keys.access_key_id == "AKIAENV");
  CHECK(c.keys.session_token == "t");
  CHECK(c.source == "environment (AWS_ACCESS_KEY_ID)");
}

TEST_CASE("aws_chain: the legacy AWS_SECURITY_TOKEN and AWS_CREDENTIAL_EXPIRATION") {
  Fixture f;
  f.ctx.env["AWS_ACCESS_KEY_ID"] = "AKIAENV";
  f.ctx.env["AWS_SECRET_ACCESS_KEY"] = "s";
  f.ctx.env["AWS_SECURITY_TOKEN"] = "legacy";
  f.ctx.env["AWS_CREDENTIAL_EXPIRATION"] = "2030-01-01T00:00:00Z";
  auto c = f.resolve();
  CHECK(c.keys.session_token == "legacy");
  REQUIRE(c.expiration);
  CHECK(rfc3339(*c.expiration) == "2030-01-01T00:00:00Z");
}

TEST_CASE("aws_chain: credentials file, then credential_process, then config-file keys") {
  Fixture f;
  f.config("[profile dev]\naws_access_key_id = AKIACONFIGFILE\naws_secret_access_key = s\n"
           "credential_process = /bin/sh -c 'printf \"{\\\"Version\\\":1,\\\"AccessKeyId\\\":\\\"AKIAPROC\\\","
           "\\\"SecretAccessKey\\\":\\\"s\\\"}\"'\n");
  f.credentials("[dev]\naws_access_key_id = AKIACREDFILE\naws_secret_access_key = s\n");
  f.ctx.env["AWS_PROFILE"] = "dev";
  CHECK(f.resolve().keys.access_key_id == "AKIACREDFILE");
  f.credentials("[other]\naws_access_key_id = X\naws_secret_access_key = s\n");
  auto c = f.resolve();
  CHECK(c.keys.access_key_id == "AKIAPROC");
  CHECK(c.source == "profile dev (credential_process)");
  f.config("[profile dev]\naws_access_key_id = AKIACONFIGFILE\naws_secret_access_key = s\n");
  CHECK(f.resolve().keys.access_key_id == "AKIACONFIGFILE");
}

TEST_CASE("aws_chain: an explicit profile must exist; half a key pair is a configuration error") {
  Fixture f;
  f.ctx.env["AWS_PROFILE"] = "ghost";
  CHECK(f.error().kind() == ErrorKind::config);
  f.ctx.env.erase("AWS_PROFILE");
  f.ctx.env["AWS_ACCESS_KEY_ID"] = "AKIAENV";
  CHECK(f.error().kind() == ErrorKind::config);
}

TEST_CASE("aws_chain: source_profile loops and dangling references are caught before any call") {
  Fixture f;
  f.config("[profile a]\nrole_arn = arn:aws:iam::1:role/a\nsource_profile = b\n"
           "[profile b]\nrole_arn = arn:aws:iam::1:role/b\nsource_profile = a\n"
           "[profile self]\nrole_arn = arn:aws:iam::1:role/s\nsource_profile = self\n"
           "[profile dangling]\nrole_arn = arn:aws:iam::1:role/d\nsource_profile = nowhere\n"
           "[profile both]\nrole_arn = arn:aws:iam::1:role/x\nsource_profile = a\ncredential_source = Environment\n"
           "[profile badsource]\nrole_arn = arn:aws:iam::1:role/x\ncredential_source = Moon\n"
           "[profile nokeys]\nregion = us-east-1\n"
           "[profile fromnokeys]\nrole_arn = arn:aws:iam::1:role/x\nsource_profile = nokeys\n");
  for (const char* p : {"a", "self"}) {
    f.ctx.env["AWS_PROFILE"] = p;
    auto e = f.error();
    CHECK(e.kind() == ErrorKind::config);
    CHECK(std::string(e.what()).find("loops") != std::string::npos);
  }
  for (const char* p : {"dangling", "both", "badsource", "fromnokeys"}) {
    f.ctx.env["AWS_PROFILE"] = p;
    CHECK(f.error().kind() == ErrorKind::config);
  }
  f.ctx.env["AWS_PROFILE"] = "nokeys";  // a plain profile without keys: nothing found
  CHECK(f.error().kind() == ErrorKind::denied);
}

TEST_CASE("aws_chain: credential_source Environment without keys is denied") {
  Fixture f;
  f.config("[profile env]\nrole_arn = arn:aws:iam::1:role/x\ncredential_source = Environment\n");
  f.ctx.env["AWS_PROFILE"] = "env";
  CHECK(f.error().kind() == ErrorKind::denied);
}

TEST_CASE("aws_chain: an SSO profile without a valid cached token asks for aws sso login") {
  Fixture f;
  f.config("[profile sso]\nsso_session = corp\nsso_account_id = 111\nsso_role_name = Reader\n"
           "[sso-session corp]\nsso_start_url = https://corp/start\nsso_region = eu-west-1\n");
  f.ctx.env["AWS_PROFILE"] = "sso";
  auto e = f.error();
  CHECK(e.kind() == ErrorKind::denied);
  CHECK(e.hint().find("aws sso login") != std::string::npos);
  stdfs::create_directories(f.dir.path() / ".aws" / "sso" / "cache");
  auto cache = f.dir.path() / ".aws" / "sso" / "cache" / (sha1_hex("corp") + ".json");
  test::write_file(cache, R"({"accessToken":"SSOTOKEN-SECRET","expiresAt":"2020-01-01T00:00:00UTC"})");
  e = f.error();
  CHECK(e.kind() == ErrorKind::denied);
  CHECK(std::string(e.what()).find("expired") != std::string::npos);
  CHECK(std::string(e.what()).find("SSOTOKEN") == std::string::npos);
}

TEST_CASE("aws_chain: no source at all lists what was tried") {
  Fixture f;
  auto e = f.error();
  CHECK(e.kind() == ErrorKind::denied);
  CHECK(std::string(e.what()) == "no AWS credentials found");
  for (const char* s : {"environment", "web identity", "SSO", "credential_process", "container", "EC2"})
    CHECK_MESSAGE(e.hint().find(s) != std::string::npos, s);
}

TEST_CASE("aws_chain: credential_process failures are denied without echoing stdout") {
  Fixture f;
  f.config("[default]\ncredential_process = /bin/sh -c 'echo STDOUT-SECRET; echo \"login needed\" >&2; exit 3'\n");
  auto e = f.error();
  CHECK(e.kind() == ErrorKind::denied);
  CHECK(std::string(e.what()).find("status 3") != std::string::npos);
  CHECK(e.hint().find("login needed") != std::string::npos);
  CHECK(std::string(e.what()).find("STDOUT-SECRET") == std::string::npos);
  CHECK(e.hint().find("STDOUT-SECRET") == std::string::npos);
}

TEST_CASE("aws_chain: temporary credentials are fetched once and refreshed near their expiry") {
  Fixture f;
  using namespace std::chrono;
  auto count = f.dir.path() / "count";
  f.config("[default]\ncredential_process = /bin/sh -c 'echo x >> " + count.string() +
           "; printf \"{\\\"Version\\\":1,\\\"AccessKeyId\\\":\\\"A\\\",\\\"SecretAccessKey\\\":\\\"S\\\","
           "\\\"Expiration\\\":\\\"2030-01-01T01:00:00Z\\\"}\"'\n");
  auto t = *parse_rfc3339("2030-01-01T00:00:00Z");
  f.ctx.now = [&t] { return t; };
  auto chain = f.chain();
  auto runs = [&] {
    auto text = test::read_file(count);
    return std::count(text.begin(), text.end(), '\n');
  };
  CHECK(chain.get().keys.access_key_id == "A");
  CHECK(chain.get().keys.access_key_id == "A");
  CHECK(runs() == 1);
  t += minutes(50);
  chain.get();
  CHECK(runs() == 1);
  t += minutes(6);  // 4 minutes left: inside the margin
  chain.get();
  CHECK(runs() == 2);
}
