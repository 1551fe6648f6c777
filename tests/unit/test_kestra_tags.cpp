// Kestra's tags on provider secrets: what put sets and what adopt adds (backends/kestra_tags).
#include <doctest/doctest.h>

#include "backends/kestra_tags.hpp"

using namespace ks;
using namespace ks::backends;

TEST_CASE("kestra_tags: key, namespace and prefix win over extra tags") {
  Tags t = kestra_tags({{"team", "data"}, {"key", "spoofed"}}, SecretRef{"db", "company.team"}, "prod/");
  CHECK(t == Tags{{"key", "db"}, {"namespace", "company.team"}, {"prefix", "prod/"}, {"team", "data"}});
  CHECK(kestra_tags({}, SecretRef{"db"}, "") == Tags{{"key", "db"}});
}

TEST_CASE("tags_to_adopt: only the missing or different tags, none when all are there") {
  SecretRef as{"db", "prod"};
  Tags add = tags_to_adopt("legacy-db", {{"team", "x"}}, as, "p/", {{"managed", "kestra"}});
  CHECK(add == Tags{{"key", "db"}, {"managed", "kestra"}, {"namespace", "prod"}, {"prefix", "p/"}});
  Tags all = {{"key", "db"}, {"namespace", "prod"}, {"prefix", "p/"}, {"managed", "kestra"}};
  CHECK(tags_to_adopt("legacy-db", all, as, "p/", {{"managed", "kestra"}}).empty());
  CHECK(tags_to_adopt("legacy-db", all, as, "p/", {{"managed", "other"}}) == Tags{{"managed", "other"}});
}

TEST_CASE("tags_to_adopt: a secret Kestra already places elsewhere is a conflict") {
  auto conflict = [](const Tags& current, const SecretRef& as, const std::string& prefix) {
    try {
      tags_to_adopt("n", current, as, prefix, {});
    } catch (const Error& e) {
      return e.kind() == ErrorKind::conflict;
    }
    return false;
  };
  CHECK(conflict({{"key", "other"}}, SecretRef{"db"}, ""));
  CHECK(conflict({{"namespace", "a"}}, SecretRef{"db", "b"}, ""));
  CHECK(conflict({{"namespace", "a"}}, SecretRef{"db"}, ""));
  CHECK(conflict({{"prefix", "x/"}}, SecretRef{"db"}, "y/"));
  CHECK_FALSE(conflict({{"key", "db"}, {"namespace", "a"}}, SecretRef{"db", "a"}, ""));
}
