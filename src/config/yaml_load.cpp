#include "src/config/yaml_load.hpp"

#include <sstream>
#include <yaml-cpp/eventhandler.h>

namespace ks::config {
namespace {

// Sees only where each document starts.
class DocumentStarts final : public YAML::EventHandler {
public:
  void OnDocumentStart(const YAML::Mark& mark) override {
    stuck_ = started_ && mark.pos == last_.pos;
    started_ = true;
    last_ = mark;
  }
  void OnDocumentEnd() override {}
  void OnNull(const YAML::Mark&, YAML::anchor_t) override {}
  void OnAlias(const YAML::Mark&, YAML::anchor_t) override {}
  void OnScalar(const YAML::Mark&, const std::string&, YAML::anchor_t, const std::string&) override {}
  void OnSequenceStart(const YAML::Mark&, const std::string&, YAML::anchor_t, YAML::EmitterStyle::value) override {}
  void OnSequenceEnd() override {}
  void OnMapStart(const YAML::Mark&, const std::string&, YAML::anchor_t, YAML::EmitterStyle::value) override {}
  void OnMapEnd() override {}

  bool stuck() const { return stuck_; }
  const YAML::Mark& last() const { return last_; }

private:
  bool started_ = false;
  bool stuck_ = false;
  YAML::Mark last_;
};

}  // namespace

std::vector<YAML::Node> load_all(const std::string& text) {
  {
    std::istringstream in(text);
    YAML::Parser parser(in);
    DocumentStarts starts;
    while (parser.HandleNextDocument(starts))
      if (starts.stuck())
        throw YAML::ParserException(starts.last(), kStuckMessage);
  }
  return YAML::LoadAll(text);
}

}  // namespace ks::config
