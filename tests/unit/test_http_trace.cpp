// Redaction (pure functions) and the tracer end to end: seeded secrets never reach the trace sink.
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "src/http/client.hpp"
#include "src/http/redact.hpp"
#include "tests/unit/support/fake_server.hpp"

using namespace ks::http;
using json = nlohmann::json;

TEST_CASE("http redact: header names") {
  for (const char* h : {"Authorization", "proxy-authorization", "Cookie", "Set-Cookie", "X-Amz-Security-Token",
                        "X-Vault-Token", "X-Vault-Wrap-TTL", "X-IDENTITY-HEADER", "x-api-key", "X-Goog-Api-Key",
                        "X-Some-Secret", "X-Signature", "ApiKey"}) {
    INFO(h);
    CHECK(is_sensitive_name(h));
  }
  for (const char* h : {"Content-Type", "Host", "X-Amz-Date", "X-Amz-Target", "User-Agent", "X-Amz-Credential",
                        "Retry-After", "Metadata-Flavor"}) {
    INFO(h);
    CHECK_FALSE(is_sensitive_name(h));
  }
  CHECK(redact_header("Authorization", "Bearer abc.def") == "Bearer [REDACTED]");
  CHECK(redact_header("Authorization", "AWS4-HMAC-SHA256 Credential=AKID/x, Signature=ff") ==
        "AWS4-HMAC-SHA256 [REDACTED]");
  CHECK(redact_header("X-Vault-Token", "hvs.secret") == "[REDACTED]");
  CHECK(redact_header("Content-Type", "application/json") == "application/json");
}

TEST_CASE("http redact: URLs") {
  CHECK(redact_url("https://h/p?X-Amz-Signature=abc&X-Amz-Credential=AKID%2Fscope&X-Amz-Security-Token=tok&list=1") ==
        "https://h/p?X-Amz-Signature=[REDACTED]&X-Amz-Credential=AKID%2Fscope&X-Amz-Security-Token=[REDACTED]&list=1");
  CHECK(redact_url("https://user:pw@h:8200/v1/x") == "https://[REDACTED]@h:8200/v1/x");
  CHECK(redact_url("https://h/p?sig=s&sv=2020#frag") == "https://h/p?sig=[REDACTED]&sv=2020#frag");
  CHECK(redact_url("https://h/p") == "https://h/p");
}

TEST_CASE("http redact: bodies") {
  json in = {{"Name", "db"},
             {"SecretString", "s1"},
             {"SecretBinary", "czI="},
             {"Credentials", {{"AccessKeyId", "AKIA"}, {"SecretAccessKey", "s3"}, {"SessionToken", "s4"}, {"Expiration", 1}}},
             {"payload", {{"data", "czU="}}},
             {"data", {{"data", {{"password", "s6"}}}, {"metadata", {{"version", 2}}}}},
             {"auth", {{"client_token", "s7"}, {"policies", {"default"}}}},
             {"items", {{{"value", "s8"}, {"id", "x"}}}},
             {"access_token", "s9"}, {"refresh_token", "s10"}, {"id_token", "s11"}, {"private_key", "s12"},
             {"secret_id", "s13"}, {"client_secret", "s14"}, {"token", "s15"}};
  std::string out = redact_body("application/x-amz-json-1.1", in.dump());
  for (int i = 1; i <= 15; ++i) {
    INFO(i);
    CHECK(out.find("\"s" + std::to_string(i) + "\"") == std::string::npos);
  }
  CHECK(out.find("czI=") == std::string::npos);
  CHECK(out.find("czU=") == std::string::npos);
  CHECK(out.find("\"Name\":\"db\"") != std::string::npos);
  CHECK(out.find("\"Credentials\":\"[REDACTED]\"") != std::string::npos);  // STS: the whole object
  CHECK(out.find("AKIA") == std::string::npos);
  CHECK(out.find("\"policies\":[\"default\"]") != std::string::npos);
  CHECK(out.find("\"id\":\"x\"") != std::string::npos);
  // Form bodies per field; JSON recognised by shape when there is no content type.
  CHECK(redact_body("application/x-www-form-urlencoded",
                    "grant_type=client_credentials&client_id=abc&client_secret=s&assertion=j&refresh_token=r") ==
        "grant_type=client_credentials&client_id=abc&client_secret=[REDACTED]&assertion=[REDACTED]&refresh_token=[REDACTED]");
  CHECK(redact_body("", "{\"value\":\"v\"}") == "{\"value\":\"[REDACTED]\"}");
  // Anything else only as a size, including JSON that does not parse.
  CHECK(redact_body("text/plain", "secret stuff") == "<12 bytes>");
  CHECK(redact_body("application/xml", "<SecretAccessKey>x</SecretAccessKey>") == "<36 bytes>");
  CHECK(redact_body("application/json", "{\"value\": \"cut") == "<14 bytes, not valid JSON>");
  CHECK(redact_body("application/json", "") == "");
}

TEST_CASE("http trace: seeded secrets never reach the trace, at -v and -vv") {
  ks::test::FaultServer server(json{
      {"/login", {{{"status", 200},
                   {"headers", {{"Content-Type", "application/json"}, {"Set-Cookie", "session=SEEKRET-COOKIE"}}},
                   {"body", json{{"access_token", "SEEKRET-TOKEN"}, {"data", {{"password", "SEEKRET-DATA"}}},
                                 {"expires_in", 3599}}.dump()}}}},
      {"/plain", {{{"status", 200}, {"headers", {{"Content-Type", "text/plain"}}}, {"body", "SEEKRET-TEXT"}}}},
  });
  for (int level : {1, 2}) {
    CAPTURE(level);
    std::vector<std::string> lines;
    Options o;
    o.trace_level = level;
    o.trace_sink = [&](std::string_view l) { lines.emplace_back(l); };
    Client client(o);
    Request r{"POST", server.url("/login?X-Amz-Signature=SEEKRET-SIG&keep=1"),
              {{"Authorization", "Bearer SEEKRET-BEARER"}, {"X-Vault-Token", "SEEKRET-VAULT"},
               {"Content-Type", "application/json"}},
              json{{"SecretString", "SEEKRET-VALUE"}, {"Name", "db-password-name"}}.dump()};
    client.send(r);
    client.send({"GET", server.url("/plain")});
    std::string all;
    for (const auto& l : lines) all += l + "\n";
    INFO(all);
    CHECK(all.find("SEEKRET") == std::string::npos);
    CHECK(all.find("keep=1") != std::string::npos);
    if (level == 1) {
      CHECK(lines.size() == 2);  // one line per request
      CHECK(lines[0].find(" 200 ") != std::string::npos);
      CHECK(lines[0].find(" ms") != std::string::npos);
    } else {
      CHECK(all.find("Authorization: Bearer [REDACTED]") != std::string::npos);
      CHECK(all.find("X-Vault-Token: [REDACTED]") != std::string::npos);
      CHECK(all.find("\"Name\":\"db-password-name\"") != std::string::npos);
      CHECK(all.find("\"expires_in\":3599") != std::string::npos);
      CHECK(all.find("<12 bytes>") != std::string::npos);
    }
  }
  // The server did receive the real values: only the trace is redacted.
  CHECK(ks::test::FaultServer::header(server.requests().at(0), "Authorization") == "Bearer SEEKRET-BEARER");
}
