#include "src/config/yaml_scalars.hpp"

#include <map>
#include <optional>
#include <sstream>
#include <utility>
#include <yaml-cpp/eventhandler.h>
#include <yaml-cpp/yaml.h>

#include "src/config/yaml_load.hpp"

namespace ks::config {
namespace {

// One pass over the parser's events (no nodes built): the scalars kept, each with its mark and
// whether it is a mapping key, the root mapping's scalar entries, and where each document starts.
// An alias is an event of its own, so a node reached again through one is not repeated.
class Collector final : public YAML::EventHandler {
public:
  explicit Collector(const std::function<bool(std::string_view)>& keep) : keep_(keep) {}

  void OnDocumentStart(const YAML::Mark& mark) override {
    stuck_ = started_ && mark.pos == last_start_.pos;
    started_ = true;
    last_start_ = mark;
    docs.emplace_back();
    stack_.clear();
    anchored_.clear();
    pending_key_.reset();
    root_seen_ = false;
  }
  void OnDocumentEnd() override {}

  void OnNull(const YAML::Mark& mark, YAML::anchor_t) override {
    root(mark, false);
    node_done();
  }
  void OnAlias(const YAML::Mark& mark, YAML::anchor_t anchor) override {
    root(mark, true);
    // As a root entry's key or value, an alias of a scalar stands for that scalar.
    if (auto it = anchored_.find(anchor); it != anchored_.end()) top_level(it->second);
    node_done();
  }
  void OnScalar(const YAML::Mark& mark, const std::string&, YAML::anchor_t anchor, const std::string& value) override {
    root(mark, true);
    if (anchor != YAML::NullAnchor) anchored_[anchor] = value;
    if (keep_(value)) docs.back().scalars.push_back({value, mark.line, mark.column, at_key()});
    top_level(value);
    node_done();
  }
  void OnSequenceStart(const YAML::Mark& mark, const std::string&, YAML::anchor_t, YAML::EmitterStyle::value) override {
    open(mark, false);
  }
  void OnSequenceEnd() override { close(); }
  void OnMapStart(const YAML::Mark& mark, const std::string&, YAML::anchor_t, YAML::EmitterStyle::value) override {
    open(mark, true);
  }
  void OnMapEnd() override { close(); }

  // A document that starts where the previous one started: yaml-cpp 0.7 stuck (yaml_load.hpp).
  bool stuck() const { return stuck_; }
  const YAML::Mark& last_start() const { return last_start_; }

  std::vector<YamlDocument> docs;

private:
  struct Level {
    bool is_map = false;
    bool expect_key = true;  // maps: the next node is a key
  };

  // The first node of a document is its root; a null root leaves the document empty.
  void root(const YAML::Mark& mark, bool content) {
    if (root_seen_ || !stack_.empty()) return;
    root_seen_ = true;
    if (!content) return;
    docs.back().empty = false;
    docs.back().line = mark.line;
  }

  void open(const YAML::Mark& mark, bool is_map) {
    root(mark, true);
    stack_.push_back({is_map, true});
  }

  bool at_key() const { return !stack_.empty() && stack_.back().is_map && stack_.back().expect_key; }

  // A scalar directly in the root mapping: its key, or the value of the scalar key before it.
  void top_level(const std::string& value) {
    if (stack_.size() != 1 || !stack_.back().is_map) return;
    if (at_key()) pending_key_ = value;
    else if (pending_key_) docs.back().top_level.emplace(*pending_key_, value);
  }

  void close() {
    if (!stack_.empty()) stack_.pop_back();
    node_done();
  }

  // A whole node has been read at the current level: in a mapping, keys and values alternate.
  void node_done() {
    if (stack_.empty() || !stack_.back().is_map) return;
    auto& level = stack_.back();
    if (stack_.size() == 1 && !level.expect_key) pending_key_.reset();
    level.expect_key = !level.expect_key;
  }

  const std::function<bool(std::string_view)>& keep_;
  std::vector<Level> stack_;
  std::optional<std::string> pending_key_;  // the root mapping's current key, when it is a scalar
  std::map<YAML::anchor_t, std::string> anchored_;  // this document's anchored scalars
  bool root_seen_ = false;
  bool started_ = false;
  bool stuck_ = false;
  YAML::Mark last_start_;
};

}  // namespace

std::variant<std::vector<YamlDocument>, YamlSyntaxError> read_yaml_documents(
    const std::string& text, const std::function<bool(std::string_view)>& keep) {
  Collector collector(keep);
  try {
    std::istringstream in(text);
    YAML::Parser parser(in);
    while (parser.HandleNextDocument(collector))
      if (collector.stuck()) throw YAML::ParserException(collector.last_start(), kStuckMessage);
  } catch (const YAML::Exception& e) {
    // yaml-cpp's messages describe the syntax, never the content: safe to show.
    return YamlSyntaxError{e.mark.line < 0 ? 0 : e.mark.line, e.mark.column < 0 ? 0 : e.mark.column, e.msg};
  }
  return std::move(collector.docs);
}

}  // namespace ks::config
