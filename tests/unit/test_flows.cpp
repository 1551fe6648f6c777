// src/flows: Kestra's secret(...) calls in Pebble templates, and their lines in flow files.
#include <doctest/doctest.h>

#include "src/flows/flow_refs.hpp"
#include "tests/unit/support/files.hpp"

using ks::flows::find_secret_calls;
using ks::flows::FlowFile;
using ks::flows::scan_flow_file;
using ks::flows::SecretCall;

namespace {

// The literal keys of a template's calls, "<dynamic>" for a dynamic one.
std::vector<std::string> keys(std::string_view tmpl) {
  std::vector<std::string> out;
  for (const auto& c : find_secret_calls(tmpl)) out.push_back(c.key ? *c.key : "<dynamic>");
  return out;
}

SecretCall only_call(std::string_view tmpl) {
  auto calls = find_secret_calls(tmpl);
  REQUIRE(calls.size() == 1);
  return calls[0];
}

// "line:key" for every reference of the file's flows, in order.
std::vector<std::string> lines_and_keys(const FlowFile& f) {
  std::vector<std::string> out;
  for (const auto& flow : f.flows)
    for (const auto& r : flow.refs) out.push_back(std::to_string(r.line) + ":" + r.call.key.value_or("<dynamic>"));
  return out;
}

FlowFile corpus(const std::string& rel) {
  return scan_flow_file(ks::test::read_file(std::string(KS_SOURCE_DIR) + "/tests/data/flows/" + rel));
}

using V = std::vector<std::string>;

}  // namespace

TEST_CASE("flows: single and double quotes, white space anywhere") {
  CHECK(keys("{{ secret('A') }}") == V{"A"});
  CHECK(keys("{{secret(\"B\")}}") == V{"B"});
  CHECK(keys("{{   secret ( 'C' )   }}") == V{"C"});
  CHECK(keys("{{\n  secret(\n    'D'\n  )\n}}") == V{"D"});
  CHECK(keys("{{- secret('E') -}}") == V{"E"});
}

TEST_CASE("flows: filters around the call and on its result") {
  CHECK(keys("{{ secret('K') | trim }}") == V{"K"});
  CHECK(keys("{{ secret('K') | default('x') | upper }}") == V{"K"});
  CHECK(keys("{{ (secret('K') ~ '-suffix') | base64encode }}") == V{"K"});
  CHECK(keys("{{ 'x' | secret('K') }}").empty());  // a filter named secret is not Kestra's function
  CHECK(keys("{{ obj.secret('K') }}").empty());     // nor is a method
}

TEST_CASE("flows: named and positional arguments follow SecretFunction's key, namespace, subkey") {
  auto c = only_call("{{ secret('db', subkey='PASSWORD') }}");
  CHECK(c.key == "db");
  CHECK(c.subkey == "PASSWORD");
  CHECK_FALSE(c.ns);
  c = only_call("{{ secret('db', namespace=\"company.other\") }}");
  CHECK(c.ns == "company.other");
  c = only_call("{{ secret(key='db', subkey='USER', namespace='a.b') }}");
  CHECK(c.key == "db");
  CHECK(c.subkey == "USER");
  CHECK(c.ns == "a.b");
  c = only_call("{{ secret('db', 'a.b', 'PORT') }}");
  CHECK(c.key == "db");
  CHECK(c.ns == "a.b");
  CHECK(c.subkey == "PORT");
  c = only_call("{{ secret('db', subkey='') }}");  // Kestra ignores an empty subkey
  CHECK_FALSE(c.subkey);
  CHECK_FALSE(c.dynamic_subkey);
  c = only_call("{{ secret('db', namespace=null, full=true) }}");  // null = not given; full is ignored
  CHECK_FALSE(c.ns);
  CHECK_FALSE(c.dynamic_ns);
  CHECK(c.text == "secret('db', namespace=null, full=true)");
}

TEST_CASE("flows: several calls in one expression and in one scalar, nested calls") {
  CHECK(keys("{{ secret('A') ~ ':' ~ secret('B') }}") == V{"A", "B"});
  CHECK(keys("user={{ secret('U') }} pass={{ secret('P', subkey='X') }}") == V{"U", "P"});
  CHECK(keys("{{ secret(secret('INNER')) }}") == V{"<dynamic>", "INNER"});
}

TEST_CASE("flows: tags count, comments and verbatim blocks do not") {
  CHECK(keys("{% set token = secret('K') %}{{ token }}") == V{"K"});
  CHECK(keys("{%- if secret('FLAG') == 'on' -%}yes{% endif %}") == V{"FLAG"});
  CHECK(keys("{# secret('COMMENTED') #}{{ secret('LIVE') }}") == V{"LIVE"});
  CHECK(keys("{% verbatim %}{{ secret('SHOWN') }}{% endverbatim %}{{ secret('REAL') }}") == V{"REAL"});
  CHECK(keys("{% macro secret(k) %}{{ k }}{% endmacro %}").empty());
}

TEST_CASE("flows: the word secret outside an expression or inside a string literal is not a call") {
  CHECK(keys("secret('K')").empty());
  CHECK(keys("use secret('K') { not an expression }").empty());
  CHECK(keys("{{ 'secret(x)' }}").empty());
  CHECK(keys("{{ \"call secret('K') later\" }}").empty());
  CHECK(keys("{{ secretive('K') }} {{ my_secret('K') }} {{ secret }}").empty());
}

TEST_CASE("flows: string literals: escaped quotes, delimiters inside, no closing delimiter") {
  CHECK(keys(R"({{ secret('it\'s') }})") == V{"it's"});
  CHECK(keys(R"({{ secret("say \"hi\"") }})") == V{"say \"hi\""});
  CHECK(keys(R"({{ secret('back\slash') }})") == V{"back\\slash"});
  CHECK(keys("{{ secret('a}}b') }}") == V{"a}}b"});
  CHECK(keys("{{ {'k': secret('IN_MAP')}}}") == V{"IN_MAP"});
  CHECK(keys("{{ secret('UNCLOSED')") == V{"UNCLOSED"});
  auto c = only_call("{{ secret('UNCLOSED'");
  CHECK(c.key == "UNCLOSED");
}

TEST_CASE("flows: a key, namespace or subkey that is not a string literal is dynamic, not guessed") {
  auto c = only_call("{{ secret(inputs.name) }}");
  CHECK(c.dynamic_key);
  CHECK_FALSE(c.key);
  CHECK(c.text == "secret(inputs.name)");
  CHECK(only_call("{{ secret('a' ~ vars.x) }}").dynamic_key);
  CHECK(only_call("{{ secret('a' | upper) }}").dynamic_key);
  CHECK(only_call("{{ secret(\"pre#{vars.x}\") }}").dynamic_key);
  CHECK(only_call("{{ secret() }}").dynamic_key);
  c = only_call("{{ secret('K', subkey=inputs.field) }}");
  CHECK(c.key == "K");
  CHECK(c.dynamic_subkey);
  CHECK_FALSE(c.dynamic_key);
  c = only_call("{{ secret('K', namespace=flow.namespace ~ '.x') }}");
  CHECK(c.dynamic_ns);
  CHECK(only_call("{{ secret(\n  inputs.name\n) }}").text == "secret( inputs.name )");
}

TEST_CASE("flows: a flow's id, namespace and the real line of each call") {
  auto f = scan_flow_file(
      "id: etl\n"                                          // 1
      "namespace: company.team\n"                          // 2
      "tasks:\n"                                           // 3
      "  - id: q\n"                                        // 4
      "    password: \"{{ secret('DB', subkey='PASSWORD') }}\"\n"  // 5
      "    script: |  # header comment with secret('NO')\n"        // 6
      "      line one\n"                                   // 7
      "\n"                                                 // 8
      "      {{ secret('IN_BLOCK') }} and {{ secret('SAME_LINE') }}\n"  // 9
      "      {{ secret('NEXT') }}\n"                       // 10
      "    folded: >-\n"                                   // 11
      "      a\n"                                          // 12
      "      b {{ secret('FOLDED') }}\n"                   // 13
      "    plain: first\n"                                 // 14
      "      then {{ secret('PLAIN') }}\n"                 // 15
      "    quoted: 'one\n"                                 // 16
      "      two {{ secret(''SINGLE'') }}'\n"              // 17
      "    \"{{ secret('KEY') }}\": value\n"               // 18
      "    anchored: &a !!str \"{{ secret('ANCHORED') }}\"\n"  // 19
      "    again: *a\n");                                  // 20
  REQUIRE(f.problems.empty());
  REQUIRE(f.flows.size() == 1);
  CHECK(f.flows[0].id == "etl");
  CHECK(f.flows[0].ns == "company.team");
  CHECK(f.flows[0].line == 1);
  CHECK(lines_and_keys(f) == V{"5:DB", "9:IN_BLOCK", "9:SAME_LINE", "10:NEXT", "13:FOLDED", "15:PLAIN",
                               "17:SINGLE", "18:KEY", "19:ANCHORED"});
}

TEST_CASE("flows: id and namespace are the root's scalar entries, also through an alias") {
  auto f = scan_flow_file(
      "labels: {team: &ns company.team, id: nested}\n"  // a nested `id` is not the flow's
      "tasks: [{id: t, namespace: other}]\n"
      "id: etl\n"
      "namespace: *ns\n"
      "m: \"{{ secret('A') }}\"\n");
  REQUIRE(f.problems.empty());
  REQUIRE(f.flows.size() == 1);
  CHECK(f.flows[0].id == "etl");
  CHECK(f.flows[0].ns == "company.team");
  CHECK(lines_and_keys(f) == V{"5:A"});
}

TEST_CASE("flows: several flows in one file, each with its own namespace") {
  auto f = scan_flow_file("id: a\nnamespace: x\nm: \"{{ secret('A') }}\"\n---\nid: b\nnamespace: x.y\nm: \"{{ secret('B') }}\"\n");
  REQUIRE(f.flows.size() == 2);
  CHECK(f.flows[1].id == "b");
  CHECK(f.flows[1].ns == "x.y");
  CHECK(f.flows[1].line == 5);
  CHECK(lines_and_keys(f) == V{"3:A", "7:B"});
}

TEST_CASE("flows: broken YAML is a problem with its line, and the flow is not checked") {
  auto f = scan_flow_file("id: a\nnamespace: b\ntasks:\n  - id: x\n   type: y\n");
  CHECK(f.flows.empty());
  REQUIRE(f.problems.size() == 1);
  CHECK(f.problems[0].status == "invalid-yaml");
  CHECK(f.problems[0].line == 5);
  CHECK(f.problems[0].message.rfind("invalid YAML: ", 0) == 0);
  auto b = corpus("broken/broken.yml");
  REQUIRE(b.problems.size() == 1);
  CHECK(b.problems[0].status == "invalid-yaml");
  CHECK(b.problems[0].line == 9);
}

TEST_CASE("flows: a trailing comma after the document is invalid YAML at its place, and the scan ends (found by tests/fuzz)") {
  // A flow written as JSON with a trailing comma: yaml-cpp 0.7's LoadAll would never return.
  auto f = scan_flow_file("# flow\n{\"id\": \"a\", \"namespace\": \"b\", \"m\": \"{{ secret('X') }}\"},\n");
  CHECK(f.flows.empty());
  REQUIRE(f.problems.size() == 1);
  CHECK(f.problems[0].status == "invalid-yaml");
  CHECK(f.problems[0].line == 2);
  CHECK(f.problems[0].message.find("trailing comma") != std::string::npos);
}

TEST_CASE("flows: a document without id or namespace, or an empty file, is not a flow") {
  auto f = scan_flow_file("id: only-id\nm: \"{{ secret('X') }}\"\n");
  REQUIRE(f.problems.size() == 1);
  CHECK(f.problems[0].status == "not-a-flow");
  CHECK(f.problems[0].message == "not a flow: no top-level namespace");
  CHECK(scan_flow_file("services:\n  db: {}\n").problems.at(0).message == "not a flow: no top-level id and namespace");
  CHECK(scan_flow_file("").problems.at(0).line == 1);
  CHECK(scan_flow_file("- a\n- b\n").problems.at(0).status == "not-a-flow");
  auto two = scan_flow_file("id: a\nnamespace: b\n---\nkind: other\n");
  CHECK(two.flows.size() == 1);
  REQUIRE(two.problems.size() == 1);
  CHECK(two.problems[0].line == 4);
}

TEST_CASE("flows: a UTF-8 byte order mark and CRLF line ends keep the lines right") {
  auto f = scan_flow_file("\xEF\xBB\xBFid: a\r\nnamespace: b\r\nx: \"{{ secret('K') }}\"\r\ny: |\r\n  {{ secret('L') }}\r\n");
  REQUIRE(f.flows.size() == 1);
  CHECK(lines_and_keys(f) == V{"3:K", "5:L"});
}

TEST_CASE("flows: the corpus, reference by reference") {
  CHECK(lines_and_keys(corpus("company/team/postgres_to_s3.yml")) ==
        V{"9:POSTGRES_USERNAME", "10:POSTGRES_PASSWORD", "20:AWS_ACCESS_KEY_ID", "21:AWS_SECRET_ACCESS_KEY"});
  auto vault = corpus("company/team/vault_plugin_defaults.yml");
  CHECK(lines_and_keys(vault) == V{"12:my-app", "13:my-app", "14:my-app"});
  CHECK(vault.flows.at(0).refs.at(2).call.subkey == "NEON_PASSWORD");
  CHECK(lines_and_keys(corpus("company/team/triggers_inputs.yml")) ==
        V{"8:API_TOKEN", "17:ENV_NAME", "21:API_TOKEN", "22:GITHUB_TOKEN", "25:<dynamic>", "28:SLACK",
          "34:WEBHOOK_KEY"});
  auto parent = corpus("company/team/project/parent_fallback.yml");
  CHECK(parent.flows.at(0).ns == "company.team.project");
  CHECK(lines_and_keys(parent) == V{"8:PROJECT_TOKEN", "9:SHARED_DB_URL", "10:REPORTING_KEY"});
  CHECK(parent.flows.at(0).refs.at(2).call.ns == "company.reporting");
  auto nested = corpus("company/data/nested_subflows.yml");
  REQUIRE(nested.flows.size() == 2);
  CHECK(nested.flows[1].ns == "company.data.child");
  CHECK(lines_and_keys(nested) == V{"13:DEEP_SECRET", "23:CHILD_TOKEN", "35:CHILD_ONLY"});
}
