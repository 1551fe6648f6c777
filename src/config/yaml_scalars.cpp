#include "src/config/yaml_scalars.hpp"

#include <set>
#include <utility>

#include "src/config/yaml_load.hpp"

namespace ks::config {
namespace {

class Walker {
public:
  Walker(YamlDocument& doc, const std::function<bool(std::string_view)>& keep) : doc_(doc), keep_(keep) {}

  void walk(const YAML::Node& node, bool is_key) {
    if (!node.IsDefined() || node.IsNull()) return;
    auto mark = node.Mark();
    // An alias is the anchored node itself (same mark): walk it once.
    if (!seen_.emplace(mark.pos, static_cast<int>(node.Type())).second) return;
    switch (node.Type()) {
      case YAML::NodeType::Scalar:
        if (keep_(node.Scalar())) doc_.scalars.push_back({node.Scalar(), mark.line, mark.column, is_key});
        break;
      case YAML::NodeType::Sequence:
        for (const auto& item : node) walk(item, false);
        break;
      case YAML::NodeType::Map:
        for (const auto& kv : node) {
          walk(kv.first, true);
          walk(kv.second, false);
        }
        break;
      default:
        break;
    }
  }

private:
  YamlDocument& doc_;
  const std::function<bool(std::string_view)>& keep_;
  std::set<std::pair<size_t, int>> seen_;
};

YamlDocument read_document(const YAML::Node& root, const std::function<bool(std::string_view)>& keep) {
  YamlDocument doc;
  if (!root.IsDefined() || root.IsNull()) return doc;
  doc.empty = false;
  doc.line = root.Mark().line;
  if (root.IsMap()) {
    for (const auto& kv : root)
      if (kv.first.IsScalar() && kv.second.IsScalar()) doc.top_level.emplace(kv.first.Scalar(), kv.second.Scalar());
  }
  Walker(doc, keep).walk(root, false);
  return doc;
}

}  // namespace

std::variant<std::vector<YamlDocument>, YamlSyntaxError> read_yaml_documents(
    const std::string& text, const std::function<bool(std::string_view)>& keep) {
  std::vector<YAML::Node> roots;
  try {
    roots = load_all(text);
  } catch (const YAML::Exception& e) {
    // yaml-cpp's messages describe the syntax, never the content: safe to show.
    return YamlSyntaxError{e.mark.line < 0 ? 0 : e.mark.line, e.mark.column < 0 ? 0 : e.mark.column, e.msg};
  }
  std::vector<YamlDocument> out;
  out.reserve(roots.size());
  for (const auto& root : roots) out.push_back(read_document(root, keep));
  return out;
}

}  // namespace ks::config
