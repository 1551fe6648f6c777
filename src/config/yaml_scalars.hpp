// The scalars of any YAML text with where each starts, for readers of YAML documents that are not
// configuration (Kestra flow files, src/flows). It lives in src/config because only src/config sees
// yaml-cpp (DESIGN.md layering); callers get plain structs and never a yaml-cpp type.
#pragma once

#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace ks::config {

// One scalar node: a value or a mapping key.
struct YamlScalar {
  std::string value;
  int line = 0;         // 0-based line of the node's first character (its anchor, tag, quote, or the
  int column = 0;       // `|` / `>` of a block scalar); 0-based byte column of that character
  bool is_key = false;  // a mapping key
};

struct YamlDocument {
  int line = 0;                                  // 0-based line where the root node starts
  bool empty = true;                             // a document without content (`---` alone)
  std::map<std::string, std::string> top_level;  // the root mapping's entries whose key and value are scalars
  std::vector<YamlScalar> scalars;               // kept scalar nodes in document order; a node reached
                                                 // again through an alias is not repeated
};

struct YamlSyntaxError {
  int line = 0;         // 0-based
  int column = 0;
  std::string message;  // yaml-cpp's description of the syntax, never the content
};

// Every document of `text` (a stream of `---`-separated documents), keeping the scalars for which
// keep(value) is true, or the first syntax error.
std::variant<std::vector<YamlDocument>, YamlSyntaxError> read_yaml_documents(
    const std::string& text, const std::function<bool(std::string_view)>& keep);

}  // namespace ks::config
