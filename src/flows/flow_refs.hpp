// The secret(...) references of Kestra flow files (check-flows, GitHub issue #21): a Pebble lexer
// that finds Kestra's secret function in `{{ … }}` and `{% … %}`, and a scanner that reads a flow
// file's YAML (every string scalar, map keys included) and gives each call the line it stands on.
// Pure: reads text, never a secret value.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ks::flows {

// One call of Kestra's secret function. Its arguments are `key`, `namespace`, `subkey`, in that
// order when positional (Kestra's SecretFunction.getArgumentNames), or named (`subkey='F'`);
// other named arguments (`full=true`) are ignored.
struct SecretCall {
  size_t offset = 0;                 // byte offset of `secret` in the template
  std::string text;                  // the call as written, white space folded (flow text, never a value)
  std::optional<std::string> key;    // the key when it is one string literal
  std::optional<std::string> ns;     // the namespace argument when it is one string literal
  std::optional<std::string> subkey; // the subkey when it is one non-empty string literal (Kestra
                                     // ignores an empty subkey)
  bool dynamic_key = false;          // no key, or a key that is not a string literal
  bool dynamic_ns = false;           // a namespace argument that is not a string literal
  bool dynamic_subkey = false;       // a subkey argument that is not a string literal
};

// The secret(...) calls of a Pebble template, in order. Only code counts: expressions `{{ … }}` and
// tags `{% … %}` (not text, comments `{# … #}`, `{% verbatim %}` blocks or string literals); a
// call is `secret` followed by `(`, not a method (`x.secret(…)`), a filter (`| secret`) or a macro
// definition. Nested calls (`secret(secret('a'))`) are all reported.
std::vector<SecretCall> find_secret_calls(std::string_view tmpl);

// A call in a flow file, with the 1-based line of its `secret` in the file.
struct FlowRef {
  int line = 0;
  SecretCall call;
};

struct Flow {
  int line = 0;            // 1-based line where the flow's document starts
  std::string id;          // top-level `id`
  std::string ns;          // top-level `namespace`
  std::vector<FlowRef> refs;
};

// A part of a flow file that cannot be checked.
struct FlowProblem {
  int line = 0;            // 1-based
  std::string status;      // "invalid-yaml" or "not-a-flow"
  std::string message;     // never content of the file beyond a flow id
};

struct FlowFile {
  std::vector<Flow> flows;           // one per YAML document that is a flow
  std::vector<FlowProblem> problems; // invalid YAML (then no flows), documents without id/namespace
};

// Scans a flow file's text (one flow, or several separated by `---`). Lines: the line of the
// `secret` token itself, also inside block (`|`, `>`) and multi-line flow scalars; see
// find_call_line in flow_refs.cpp for how quoted scalars with escapes are placed.
FlowFile scan_flow_file(std::string_view text);

}  // namespace ks::flows
