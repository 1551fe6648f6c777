// The AWS credential chain's pure pieces: shell splitting (credential_process), STS XML, SSO cache
// file naming (SHA-1), the process and metadata documents, the container URI rules, refresh timing.
#include <doctest/doctest.h>

#include "backends/aws/credential_chain.hpp"
#include "backends/aws/metadata.hpp"
#include "backends/aws/process.hpp"
#include "backends/aws/sso.hpp"
#include "backends/aws/sts.hpp"
#include "src/core/error.hpp"
#include "src/core/time_format.hpp"

using namespace ks;
using namespace ks::aws;
using Words = std::vector<std::string>;

namespace {

ErrorKind kind_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const Error& e) {
    return e.kind();
  }
  FAIL("no error");
  return ErrorKind::internal;
}

}  // namespace

TEST_CASE("aws_chain: shell_split follows POSIX shlex") {
  CHECK(shell_split("helper --profile dev") == Words{"helper", "--profile", "dev"});
  CHECK(shell_split("  a\t b  ") == Words{"a", "b"});
  CHECK(shell_split("'/opt/my tool/bin' \"a b\" c\\ d") == Words{"/opt/my tool/bin", "a b", "c d"});
  CHECK(shell_split(R"(x "q\"uote" 'no\escape' "back\\slash" "keep\n")") ==
        Words{"x", "q\"uote", "no\\escape", "back\\slash", "keep\\n"});
  CHECK(shell_split("a''b \"\"") == Words{"ab", ""});
  CHECK(shell_split("pre'mid'post") == Words{"premidpost"});
  CHECK(shell_split("").empty());
  CHECK(kind_of([] { shell_split("a 'open"); }) == ErrorKind::config);
  CHECK(kind_of([] { shell_split("a \"open"); }) == ErrorKind::config);
}

TEST_CASE("aws_chain: SSO cache file names are the SHA-1 of the session name or start URL") {
  CHECK(sha1_hex("") == "da39a3ee5e6b4b0d3255bfef95601890afd80709");
  CHECK(sha1_hex("abc") == "a9993e364706816aba3e25717850c26c9cd0d89d");
  CHECK(sha1_hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq") ==
        "84983e441c3bd26ebaae4aa1f95129e5e54670f1");
  SsoProfile session{"my-sso", "https://d-123.awsapps.com/start", "eu-west-1", "1", "r"};
  CHECK(sso_cache_path("/h", session) == "/h/.aws/sso/cache/" + sha1_hex("my-sso") + ".json");
  SsoProfile legacy{"", "https://d-123.awsapps.com/start", "eu-west-1", "1", "r"};
  CHECK(sso_cache_path("/h", legacy) == "/h/.aws/sso/cache/" + sha1_hex("https://d-123.awsapps.com/start") + ".json");
}

TEST_CASE("aws_chain: SSO profile settings") {
  IniFile config = parse_ini("[sso-session corp]\nsso_start_url = https://corp/start\nsso_region = eu-west-1\n");
  IniSection p = {{"sso_session", "corp"}, {"sso_account_id", "111"}, {"sso_role_name", "Reader"}};
  auto sso = sso_profile(config, p, "dev");
  REQUIRE(sso);
  CHECK(sso->session_name == "corp");
  CHECK(sso->start_url == "https://corp/start");
  CHECK(sso->region == "eu-west-1");
  CHECK(sso->role_name == "Reader");
  CHECK_FALSE(sso_profile(config, {{"region", "x"}}, "plain"));
  CHECK(kind_of([&] { sso_profile(config, {{"sso_session", "nope"}}, "dev"); }) == ErrorKind::config);
  CHECK(kind_of([&] { sso_profile(config, {{"sso_session", "corp"}, {"sso_account_id", "1"}}, "dev"); }) ==
        ErrorKind::config);
  auto legacy = sso_profile({}, {{"sso_start_url", "https://l/start"}, {"sso_region", "us-east-2"},
                                 {"sso_account_id", "2"}, {"sso_role_name", "R"}}, "old");
  REQUIRE(legacy);
  CHECK(legacy->session_name.empty());
  Context ctx;
  CHECK(sso_portal_endpoint(*legacy, ctx) == "https://portal.sso.us-east-2.amazonaws.com");
  ctx.env["AWS_ENDPOINT_URL"] = "http://127.0.0.1:1/";
  CHECK(sso_portal_endpoint(*legacy, ctx) == "http://127.0.0.1:1");
  ctx.env["AWS_ENDPOINT_URL_SSO"] = "http://127.0.0.1:2";
  CHECK(sso_portal_endpoint(*legacy, ctx) == "http://127.0.0.1:2");
}

TEST_CASE("aws_chain: STS XML responses") {
  std::string xml = R"(<AssumeRoleResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
  <AssumeRoleResult><AssumedRoleUser><Arn>arn:aws:sts::1:assumed-role/r/s</Arn></AssumedRoleUser>
    <Credentials><AccessKeyId>ASIAEXAMPLE</AccessKeyId><SecretAccessKey>se/cr+et&amp;x</SecretAccessKey>
      <SessionToken>tok&lt;en</SessionToken><Expiration>2030-01-02T03:04:05.123Z</Expiration></Credentials>
  </AssumeRoleResult></AssumeRoleResponse>)";
  auto c = parse_sts_credentials(xml, "AssumeRole");
  CHECK(c.keys.access_key_id == "ASIAEXAMPLE");
  CHECK(c.keys.secret_access_key == "se/cr+et&x");
  CHECK(c.keys.session_token == "tok<en");
  REQUIRE(c.expiration);
  CHECK(rfc3339(*c.expiration) == "2030-01-02T03:04:05Z");
  CHECK(kind_of([] { parse_sts_credentials("<ErrorResponse/>", "AssumeRole"); }) == ErrorKind::bad_data);
  CHECK(kind_of([] {
          parse_sts_credentials("<Credentials><AccessKeyId>A</AccessKeyId></Credentials>", "AssumeRole");
        }) == ErrorKind::bad_data);
  CHECK(xml_text("<a><b>x</b></a>", "b") == "x");
  CHECK_FALSE(xml_text("<a/>", "b"));
  CHECK(form_body({{"Action", "AssumeRole"}, {"RoleArn", "arn:aws:iam::1:role/a b"}}) ==
        "Action=AssumeRole&RoleArn=arn%3Aaws%3Aiam%3A%3A1%3Arole%2Fa%20b");
  CHECK(default_session_name(std::chrono::system_clock::time_point(std::chrono::seconds(1700000000))) ==
        "botocore-session-1700000000");
}

TEST_CASE("aws_chain: credential_process documents") {
  auto c = parse_process_output(
      R"({"Version":1,"AccessKeyId":"A","SecretAccessKey":"S","SessionToken":"T","Expiration":"2030-01-01T00:00:00Z"})",
      "p");
  CHECK(c.keys.access_key_id == "A");
  CHECK(c.keys.session_token == "T");
  CHECK(c.expiration);
  auto long_term = parse_process_output(R"({"Version":1,"AccessKeyId":"A","SecretAccessKey":"S"})", "p");
  CHECK_FALSE(long_term.expiration);
  CHECK(kind_of([] { parse_process_output(R"({"Version":2,"AccessKeyId":"A","SecretAccessKey":"S"})", "p"); }) ==
        ErrorKind::denied);
  CHECK(kind_of([] { parse_process_output("not json", "p"); }) == ErrorKind::denied);
  CHECK(kind_of([] { parse_process_output(R"({"Version":1,"AccessKeyId":"A"})", "p"); }) == ErrorKind::denied);
  try {
    parse_process_output(R"({"Version":1,"AccessKeyId":"A","SecretAccessKey":"TOPSECRET","Expiration":"x"})", "p");
    FAIL("no error");
  } catch (const Error& e) {
    CHECK(std::string(e.what()).find("TOPSECRET") == std::string::npos);
  }
}

TEST_CASE("aws_chain: metadata documents and container URIs") {
  auto c = parse_metadata_credentials(
      R"({"Code":"Success","AccessKeyId":"A","SecretAccessKey":"S","Token":"T","Expiration":"2030-01-01T00:00:00Z"})",
      "imds");
  CHECK(c.keys.session_token == "T");
  CHECK(kind_of([] { parse_metadata_credentials(R"({"Code":"AssumeRoleUnauthorizedAccess"})", "imds"); }) ==
        ErrorKind::denied);
  CHECK(kind_of([] { parse_metadata_credentials("[]", "imds"); }) == ErrorKind::bad_data);
  Context ctx;
  CHECK_FALSE(container_configured(ctx));
  ctx.env["AWS_CONTAINER_CREDENTIALS_RELATIVE_URI"] = "/v2/credentials/abc";
  CHECK(container_url(ctx) == "http://169.254.170.2/v2/credentials/abc");
  ctx.env.erase("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI");
  for (const char* ok : {"http://127.0.0.1:8080/creds", "http://localhost/x", "https://creds.example.com/x",
                         "http://169.254.170.23/v1/credentials", "http://[::1]:9/x"}) {
    ctx.env["AWS_CONTAINER_CREDENTIALS_FULL_URI"] = ok;
    CHECK(container_url(ctx) == ok);
  }
  ctx.env["AWS_CONTAINER_CREDENTIALS_FULL_URI"] = "http://10.0.0.5/creds";
  CHECK(kind_of([&] { container_url(ctx); }) == ErrorKind::config);
  CHECK(imds_endpoint(ctx) == "http://169.254.169.254");
  ctx.env["AWS_EC2_METADATA_SERVICE_ENDPOINT"] = "http://127.0.0.1:5/";
  CHECK(imds_endpoint(ctx) == "http://127.0.0.1:5");
  CHECK_FALSE(imds_disabled(ctx));
  ctx.env["AWS_EC2_METADATA_DISABLED"] = "TRUE";
  CHECK(imds_disabled(ctx));
  CHECK(imds_timeout(ctx) == kImdsTimeout);
  ctx.env["AWS_METADATA_SERVICE_TIMEOUT"] = "2.5";
  CHECK(imds_timeout(ctx) == std::chrono::milliseconds(2500));
}

TEST_CASE("aws_chain: refresh timing") {
  using namespace std::chrono;
  auto t0 = system_clock::time_point(seconds(2000000000));
  AwsCredentials c;
  CHECK_FALSE(needs_refresh(c, t0, t0 + hours(100)));  // long-term keys never expire
  c.expiration = t0 + hours(1);
  CHECK_FALSE(needs_refresh(c, t0, t0));
  CHECK_FALSE(needs_refresh(c, t0, t0 + minutes(54)));
  CHECK(needs_refresh(c, t0, t0 + minutes(56)));  // inside the margin
  CHECK(needs_refresh(c, t0, t0 + hours(2)));     // expired
  c.expiration = t0 + minutes(2);                  // arrived inside the margin
  CHECK_FALSE(needs_refresh(c, t0, t0 + seconds(1)));
  CHECK(needs_refresh(c, t0, t0 + kMinRefreshInterval));
  CHECK(needs_refresh(c, t0, t0 + minutes(3)));
}
