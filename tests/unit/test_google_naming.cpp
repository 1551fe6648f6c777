// Google Secret Manager naming rules (spec/kestra.md §5): secret ids, label vs annotation placement,
// and the JWT-bearer claims of spec/providers.md §3.5 (signed and verified with the test key).
#include <doctest/doctest.h>

#include <filesystem>
#include <nlohmann/json.hpp>

#include "backends/google/naming.hpp"
#include "src/core/error.hpp"
#include "src/crypto/base64.hpp"
#include "src/crypto/rs256.hpp"
#include "tests/unit/support/files.hpp"

using namespace ks::google;
namespace fs = std::filesystem;

TEST_CASE("google: secret ids replace every character outside [A-Za-z0-9_-]") {
  CHECK(secret_id("", std::nullopt, "db.password") == "db_password");
  CHECK(secret_id("app_", std::string("company.team"), "API-KEY") == "app_company_team_API-KEY");
  CHECK(secret_id("", std::nullopt, "a b/c") == "a_b_c");
}

TEST_CASE("google: label key and value rules") {
  CHECK(is_label_key("key"));
  CHECK(is_label_key("managed-by_2"));
  CHECK_FALSE(is_label_key(""));
  CHECK_FALSE(is_label_key("Key"));
  CHECK_FALSE(is_label_key("1abc"));
  CHECK_FALSE(is_label_key(std::string(64, 'a')));
  CHECK(is_label_key(std::string(63, 'a')));
  CHECK(is_label_value(""));
  CHECK(is_label_value("prod-1_x"));
  CHECK_FALSE(is_label_value("Prod"));
  CHECK_FALSE(is_label_value("company.team"));
  CHECK_FALSE(is_label_value(std::string(64, 'a')));
}

TEST_CASE("google: annotation key rules") {
  CHECK(is_annotation_key("Owner"));
  CHECK(is_annotation_key("a.b-c_d"));
  CHECK(is_annotation_key("9"));
  CHECK_FALSE(is_annotation_key("-a"));
  CHECK_FALSE(is_annotation_key("a."));
  CHECK_FALSE(is_annotation_key("a b"));
  CHECK_FALSE(is_annotation_key(std::string(64, 'a')));
}

TEST_CASE("google: tags split into labels and annotations") {
  auto m = split_tags({{"key", "API_KEY"}, {"team", "data"}, {"namespace", "company.team"}, {"Owner", "x"}});
  CHECK(m.labels == std::map<std::string, std::string>{{"team", "data"}});
  CHECK(m.annotations ==
        std::map<std::string, std::string>{{"key", "API_KEY"}, {"namespace", "company.team"}, {"Owner", "x"}});
  try {
    split_tags({{"-bad-", "v"}});
    FAIL("expected a usage error");
  } catch (const ks::Error& e) {
    CHECK(e.kind() == ks::ErrorKind::usage);
    CHECK(std::string(e.what()).find("-bad-") != std::string::npos);
  }
  CHECK_THROWS_AS(split_tags({{"Big", std::string(kMaxAnnotationsBytes, 'x')}}), ks::Error);
}

TEST_CASE("google: JWT-bearer claims use the token_uri as audience and the cloud-platform scope") {
  auto c = jwt_bearer_claims("sa@p.iam.gserviceaccount.com", "http://127.0.0.1:9/token", 1700000000);
  CHECK(c["iss"] == "sa@p.iam.gserviceaccount.com");
  CHECK(c["aud"] == "http://127.0.0.1:9/token");
  CHECK(c["scope"] == "https://www.googleapis.com/auth/cloud-platform");
  CHECK(c["iat"] == 1700000000);
  CHECK(c["exp"] == 1700003600);
  CHECK_FALSE(c.contains("sub"));
  auto dir = fs::path(KS_SOURCE_DIR) / "tests" / "data" / "google";
  auto jwt = ks::crypto::jwt_rs256(ks::test::read_file(dir / "sa_private.pem"), c, std::string("kid1"));
  auto dot1 = jwt.find('.'), dot2 = jwt.rfind('.');
  auto header = nlohmann::json::parse(*ks::crypto::base64url_decode(jwt.substr(0, dot1)));
  CHECK(header["kid"] == "kid1");
  CHECK(header["alg"] == "RS256");
  CHECK(ks::crypto::rs256_verify(ks::test::read_file(dir / "sa_public.pem"), jwt.substr(0, dot2),
                                 *ks::crypto::base64url_decode(jwt.substr(dot2 + 1))));
}

TEST_CASE("google: url_encode keeps unreserved characters") {
  CHECK(url_encode("a-b_c.d~e") == "a-b_c.d~e");
  CHECK(url_encode("labels.k=v x/") == "labels.k%3Dv%20x%2F");
}
