// yaml-cpp's LoadAll, made safe for any input. Internal to src/config (the only layer that sees
// yaml-cpp, DESIGN.md): config.cpp and yaml_scalars.cpp load YAML through it.
#pragma once

#include <string>
#include <vector>
#include <yaml-cpp/yaml.h>

namespace ks::config {

// Every document of `text`, as YAML::LoadAll; throws YAML::Exception on a syntax error.
// yaml-cpp 0.7 (Debian 12) never ends LoadAll on a stray flow token at the top level ('"a",' or
// '{"a": 1},', JSON pasted with a trailing comma): it yields empty documents without consuming
// input until memory runs out (fixed upstream after 0.8). A first pass over the parser's events
// (no nodes built) finds a document that starts where the previous one started, and reports it as
// a syntax error at that place.
std::vector<YAML::Node> load_all(const std::string& text);

// The syntax error given for such a stream (also by read_yaml_documents, which reads the events
// in one pass of its own).
inline constexpr const char* kStuckMessage = "unexpected ',' or flow value after the document (a trailing comma?)";

}  // namespace ks::config
