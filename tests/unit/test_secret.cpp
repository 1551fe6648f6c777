#include <doctest/doctest.h>

#include "src/core/error.hpp"
#include "src/secret/secret.hpp"

using ks::Error;
using ks::ErrorKind;
using ks::Secret;

namespace {
ErrorKind kind_of(const Secret& s, const std::string& sub) {
  try {
    ks::extract_subkey(s, "K", sub);
  } catch (const Error& e) {
    return e.kind();
  }
  FAIL("no error");
  return ErrorKind::internal;
}
}  // namespace

TEST_CASE("subkey: string field gives its text, numbers and booleans their JSON text") {
  Secret s = Secret::text(R"({"PASSWORD":"p@ss\nword","PORT":5432,"TLS":true,"RATIO":1.5,"N":null})");
  CHECK(ks::extract_subkey(s, "db", "PASSWORD") == "p@ss\nword");
  CHECK(ks::extract_subkey(s, "db", "PORT") == "5432");
  CHECK(ks::extract_subkey(s, "db", "TLS") == "true");
  CHECK(ks::extract_subkey(s, "db", "RATIO") == "1.5");
  CHECK(ks::extract_subkey(s, "db", "N") == "null");
}

TEST_CASE("subkey: arrays and objects give compact JSON") {
  Secret s = Secret::text(R"({"a": [1, 2, "x"], "o": {"z": 1, "b": {"c": false}}})");
  CHECK(ks::extract_subkey(s, "k", "a") == R"([1,2,"x"])");
  CHECK(ks::extract_subkey(s, "k", "o") == R"({"b":{"c":false},"z":1})");
}

TEST_CASE("subkey: Kestra's messages for a missing field and a non-JSON value") {
  Secret s = Secret::text(R"({"A":"1"})");
  try {
    ks::extract_subkey(s, "db", "B");
    FAIL("expected not_found");
  } catch (const Error& e) {
    CHECK(e.kind() == ErrorKind::not_found);
    CHECK(std::string(e.what()) == "Cannot find secret sub-key 'B' in secret 'db'.");
  }
  Secret plain = Secret::text("hunter2");
  try {
    ks::extract_subkey(plain, "db", "B");
    FAIL("expected bad_data");
  } catch (const Error& e) {
    CHECK(e.kind() == ErrorKind::bad_data);
    CHECK(std::string(e.what()) ==
          "Failed to read secret sub-key 'B' from secret 'db'. Ensure the secret contains valid JSON value.");
    CHECK(std::string(e.what()).find("hunter2") == std::string::npos);
  }
  CHECK(kind_of(Secret::text("[1,2]"), "0") == ErrorKind::bad_data);
  CHECK(kind_of(Secret::text("\"str\""), "x") == ErrorKind::bad_data);
}

TEST_CASE("subkey: field stores use their fields") {
  Secret s;
  s.fields = nlohmann::json{{"PASSWORD", "pw"}, {"USER", "u"}};
  CHECK(ks::extract_subkey(s, "db", "PASSWORD") == "pw");
  CHECK(kind_of(s, "NOPE") == ErrorKind::not_found);
}

TEST_CASE("printable: a lone `value` field prints its bytes, other field sets print sorted JSON") {
  Secret one;
  one.fields = nlohmann::json{{"value", "line1\nline2"}};
  CHECK(one.printable() == "line1\nline2");
  Secret many;
  many.fields = nlohmann::json{{"b", "2"}, {"a", "1"}, {"value", "v"}};
  CHECK(many.printable() == R"({"a":"1","b":"2","value":"v"})");
  Secret num;
  num.fields = nlohmann::json{{"value", 3}};
  CHECK(num.printable() == R"({"value":3})");
  CHECK(Secret::text("raw\x01bytes").printable() == "raw\x01bytes");
}

TEST_CASE("utf8 validation rejects overlongs, surrogates and truncation") {
  CHECK(ks::is_valid_utf8("plain ascii"));
  CHECK(ks::is_valid_utf8("\xc3\xa9t\xc3\xa9 \xe2\x82\xac \xf0\x9f\x94\x91"));
  CHECK_FALSE(ks::is_valid_utf8("\xc0\xaf"));          // overlong '/'
  CHECK_FALSE(ks::is_valid_utf8("\xed\xa0\x80"));      // surrogate
  CHECK_FALSE(ks::is_valid_utf8("\xe2\x82"));          // truncated
  CHECK_FALSE(ks::is_valid_utf8("\xff"));
  CHECK_FALSE(ks::is_valid_utf8("\xf4\x90\x80\x80"));  // > U+10FFFF
}

TEST_CASE("exit codes follow spec/cli.md") {
  CHECK(ks::exit_code(ErrorKind::internal) == 1);
  CHECK(ks::exit_code(ErrorKind::usage) == 2);
  CHECK(ks::exit_code(ErrorKind::config) == 3);
  CHECK(ks::exit_code(ErrorKind::not_found) == 4);
  CHECK(ks::exit_code(ErrorKind::denied) == 5);
  CHECK(ks::exit_code(ErrorKind::read_only) == 6);
  CHECK(ks::exit_code(ErrorKind::unavailable) == 7);
  CHECK(ks::exit_code(ErrorKind::conflict) == 8);
  CHECK(ks::exit_code(ErrorKind::bad_data) == 9);
  CHECK(ks::exit_code(ErrorKind::different) == 10);
}
