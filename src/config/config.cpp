// The loader: sources (spec/cli.md "Configuration sources"), YAML → canonical tree, and the order
// in which overrides apply (config.hpp). Configuration YAML is read here (through yaml_load).
#include "src/config/config.hpp"

#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include "src/config/binding.hpp"
#include "src/config/overrides.hpp"
#include "src/config/schema.hpp"
#include "src/config/yaml_load.hpp"
#include "src/core/error.hpp"
#include "src/core/fs.hpp"

namespace ks::config {
namespace {

constexpr const char* kHomeConfig = "/.kestra/config.yml";  // under the home directory
constexpr const char* kYamlMergeKey = "<<";

nlohmann::json convert(const YAML::Node& node, const std::vector<std::string>& path);

// Merges `value` at `rel` under obj; existing objects merge key by key (nested and dotted
// spellings of one key combine, as in Micronaut).
void put_relative(nlohmann::json& obj, const std::vector<std::string>& rel, nlohmann::json value) {
  nlohmann::json wrapped = std::move(value);
  for (auto it = rel.rbegin(); it != rel.rend(); ++it) wrapped = nlohmann::json{{*it, std::move(wrapped)}};
  deep_merge(obj, wrapped);
}

nlohmann::json convert_map(const YAML::Node& node, const std::vector<std::string>& path) {
  nlohmann::json obj = nlohmann::json::object();
  nlohmann::json merged_in = nlohmann::json::object();  // "<<: *anchor" entries: existing keys win
  for (const auto& kv : node) {
    if (!kv.first.IsScalar()) continue;
    const std::string key = kv.first.Scalar();
    if (key == kYamlMergeKey) {
      const auto add = [&](const YAML::Node& m) {
        if (m.IsMap()) deep_merge(merged_in, convert_map(m, path));
      };
      if (kv.second.IsSequence())
        for (const auto& m : kv.second) add(m);
      else
        add(kv.second);
      continue;
    }
    auto segments = extend_path(path, key);
    if (!is_kept_path(segments)) continue;
    put_relative(obj, std::vector<std::string>(segments.begin() + static_cast<long>(path.size()), segments.end()),
                 convert(kv.second, segments));
  }
  deep_merge(merged_in, obj);
  return merged_in;
}

nlohmann::json convert(const YAML::Node& node, const std::vector<std::string>& path) {
  switch (node.Type()) {
    case YAML::NodeType::Map: return convert_map(node, path);
    case YAML::NodeType::Sequence: {
      nlohmann::json arr = nlohmann::json::array();
      for (const auto& item : node) arr.push_back(convert(item, path));
      return arr;
    }
    case YAML::NodeType::Scalar: return node.Scalar();
    default: return nullptr;  // null and undefined
  }
}

nlohmann::json empty_tree() {
  return {{"kestra", {{"secret", nlohmann::json::object()}}}};
}

nlohmann::json read_yaml_file(const std::string& path) {
  if (!fs::exists(path))
    throw Error(ErrorKind::config, fmt::format("configuration file '{}' does not exist", path));
  return parse_yaml(fs::read_file(path, ErrorKind::config), path);
}

std::string joined(const std::vector<std::string>& items) {
  std::string out;
  for (const auto& i : items) out += (out.empty() ? "" : ", ") + i;
  return out;
}

// The first source of spec/cli.md's list that is present, merged into tree.
std::string read_sources(const Sources& sources, const Context& ctx, nlohmann::json& tree) {
  if (!sources.files.empty()) {
    for (const auto& f : sources.files) deep_merge(tree, read_yaml_file(f));
    return "-c " + joined(sources.files);
  }
  if (auto text = ctx.getenv("KESTRA_CONFIGURATION"); text && !text->empty()) {
    deep_merge(tree, parse_yaml(*text, "KESTRA_CONFIGURATION"));
    return "KESTRA_CONFIGURATION";
  }
  if (auto list = ctx.getenv("MICRONAUT_CONFIG_FILES"); list && !split_list(*list).empty()) {
    const auto files = split_list(*list);
    for (const auto& f : files) deep_merge(tree, read_yaml_file(f));
    return "MICRONAUT_CONFIG_FILES (" + joined(files) + ")";
  }
  if (!ctx.home.empty() && fs::exists(ctx.home + kHomeConfig)) {
    deep_merge(tree, read_yaml_file(ctx.home + kHomeConfig));
    return "~/.kestra/config.yml";
  }
  return "none (embedded default: env)";
}

// kestra.secret or kestra.elasticsearch written as a single value cannot be bound (Kestra fails too).
void require_mappings(const nlohmann::json& tree, const std::string& source) {
  for (const char* block : {"secret", "elasticsearch"}) {
    const auto* b = get_path(tree, std::vector<std::string>{"kestra", block});
    if (b && !b->is_object() && !b->is_null())
      throw Error(ErrorKind::config, fmt::format("kestra.{} in {} is not a mapping", block, source),
                  "write its keys below it, e.g. kestra.secret.type: vault");
  }
}

}  // namespace

nlohmann::json parse_yaml(const std::string& text, const std::string& origin) {
  std::vector<YAML::Node> docs;
  try {
    docs = load_all(text);
  } catch (const YAML::Exception& e) {
    // yaml-cpp's messages describe the syntax, never the content: safe to show.
    throw Error(ErrorKind::config,
                fmt::format("invalid YAML in {} at line {}, column {}: {}", origin, e.mark.line + 1,
                            e.mark.column + 1, e.msg));
  }
  nlohmann::json tree = nlohmann::json::object();
  for (const auto& doc : docs) {
    if (doc.IsNull()) continue;
    if (!doc.IsMap())
      throw Error(ErrorKind::config, fmt::format("invalid configuration in {}: the top level is not a mapping", origin));
    deep_merge(tree, convert_map(doc, {}));
  }
  return tree;
}

Loaded load(const Sources& sources, const Context& ctx) {
  Loaded cfg;
  cfg.tree = empty_tree();
  cfg.source = read_sources(sources, ctx, cfg.tree);
  require_mappings(cfg.tree, cfg.source);
  apply_env_overrides(cfg.tree, ctx, cfg.warnings);
  for (const auto& s : sources.sets) apply_set(cfg.tree, s);
  if (sources.env_file) set_path(cfg.tree, {"kestra", "secret", "env", "file"}, *sources.env_file);
  resolve_placeholders(cfg.tree, ctx);
  apply_azure_alias(cfg.tree, cfg.warnings);
  apply_types(cfg.tree);
  resolve_type(cfg, sources.type);
  return cfg;
}

const nlohmann::json& secret_block(const Loaded& cfg) {
  static const nlohmann::json empty = nlohmann::json::object();
  const auto* b = get_path(cfg.tree, std::vector<std::string>{"kestra", "secret"});
  return b && b->is_object() ? *b : empty;
}

const nlohmann::json& elasticsearch_block(const Loaded& cfg) {
  static const nlohmann::json empty = nlohmann::json::object();
  const auto* b = get_path(cfg.tree, std::vector<std::string>{"kestra", "elasticsearch"});
  return b && b->is_object() ? *b : empty;
}

}  // namespace ks::config
