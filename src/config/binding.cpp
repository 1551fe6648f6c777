#include "src/config/binding.hpp"

#include <fmt/format.h>

#include "src/config/schema.hpp"
#include "src/core/error.hpp"

namespace ks::config {
namespace {

bool is_upper(char c) { return c >= 'A' && c <= 'Z'; }
bool is_lower_or_digit(char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); }

// Guards against ${A:${A}}-style loops and absurd nesting.
constexpr int kMaxPlaceholderDepth = 8;

bool is_user_map_key(const std::vector<std::string>& segments) {
  const KeySpec* k = find_key(join_path(segments));
  return k && (k->type == ValueType::map || k->type == ValueType::map_or_list);
}

std::string resolve_string(std::string_view text, const Context& ctx, const std::string& path, int depth);

std::optional<std::string> lookup(const std::string& name, const Context& ctx) {
  if (auto v = ctx.getenv(name)) return v;
  if (auto v = ctx.getenv(env_form(name))) return v;
  return std::nullopt;
}

// Resolves the placeholder whose body starts at text[start] (just after "${"); returns the
// replacement and sets `end` to the index just after the closing '}'.
std::string resolve_one(std::string_view text, size_t start, size_t& end, const Context& ctx,
                        const std::string& path, int depth) {
  int nesting = 0;
  size_t close = start;
  for (; close < text.size(); ++close) {
    if (text[close] == '{') ++nesting;
    if (text[close] == '}' && nesting-- == 0) break;
  }
  if (close >= text.size())
    throw Error(ErrorKind::config, fmt::format("unterminated placeholder '${{' in {}", path),
                "write ${NAME} or ${NAME:default}");
  std::string_view body = text.substr(start, close - start);
  end = close + 1;
  const auto colon = body.find(':');
  const std::string name(body.substr(0, colon));
  if (auto v = lookup(name, ctx)) return *v;
  if (colon != std::string_view::npos) return resolve_string(body.substr(colon + 1), ctx, path, depth + 1);
  throw Error(ErrorKind::config,
              fmt::format("environment variable '{}' used by a placeholder in {} is not set", name, path),
              fmt::format("set {} or write ${{{}:default}}", name, name));
}

std::string resolve_string(std::string_view text, const Context& ctx, const std::string& path, int depth) {
  if (depth > kMaxPlaceholderDepth)
    throw Error(ErrorKind::config, fmt::format("placeholders nested too deeply in {}", path));
  std::string out;
  for (size_t i = 0; i < text.size();) {
    if (text[i] == '$' && i + 1 < text.size() && text[i + 1] == '{') {
      size_t end = 0;
      out += resolve_one(text, i + 2, end, ctx, path, depth);
      i = end;
    } else {
      out.push_back(text[i++]);
    }
  }
  return out;
}

void resolve_walk(nlohmann::json& node, const Context& ctx, const std::string& path) {
  if (node.is_object()) {
    for (auto it = node.begin(); it != node.end(); ++it)
      resolve_walk(it.value(), ctx, path.empty() ? it.key() : path + "." + it.key());
  } else if (node.is_array()) {
    for (size_t i = 0; i < node.size(); ++i) resolve_walk(node[i], ctx, fmt::format("{}[{}]", path, i));
  } else if (node.is_string()) {
    const auto& s = node.get_ref<const std::string&>();
    if (s.find("${") != std::string::npos) node = resolve_string(s, ctx, path, 0);
  }
}

}  // namespace

std::string canonical_segment(std::string_view seg) {
  std::string out;
  out.reserve(seg.size() + 4);
  for (size_t i = 0; i < seg.size(); ++i) {
    char c = seg[i];
    if (c == '_' || c == ' ') c = '-';
    if (is_upper(c) && i > 0 && is_lower_or_digit(seg[i - 1]) && !out.empty() && out.back() != '-')
      out.push_back('-');
    out.push_back(is_upper(c) ? static_cast<char>(c - 'A' + 'a') : c);
  }
  return out;
}

std::vector<std::string> extend_path(std::vector<std::string> base, std::string_view key) {
  while (!key.empty()) {
    if (!base.empty() && is_user_map_key(base)) {
      base.emplace_back(key);
      return base;
    }
    const auto dot = key.find('.');
    base.push_back(canonical_segment(key.substr(0, dot)));
    key = dot == std::string_view::npos ? std::string_view() : key.substr(dot + 1);
  }
  return base;
}

std::string join_path(const std::vector<std::string>& segments) {
  std::string out;
  for (const auto& s : segments) {
    if (!out.empty()) out.push_back('.');
    out += s;
  }
  return out;
}

bool is_kept_path(const std::vector<std::string>& s) {
  if (s.empty()) return true;
  if (s[0] != "kestra") return false;
  return s.size() < 2 || s[1] == "secret" || s[1] == "elasticsearch";
}

std::vector<std::string> split_list(const std::string& text) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start <= text.size()) {
    auto comma = text.find(',', start);
    if (comma == std::string::npos) comma = text.size();
    const std::string item = text.substr(start, comma - start);
    const auto b = item.find_first_not_of(" \t");
    if (b != std::string::npos) out.push_back(item.substr(b, item.find_last_not_of(" \t") - b + 1));
    start = comma + 1;
  }
  return out;
}

void deep_merge(nlohmann::json& dst, const nlohmann::json& src) {
  if (!dst.is_object() || !src.is_object()) {
    dst = src;
    return;
  }
  for (auto it = src.begin(); it != src.end(); ++it) {
    if (dst.contains(it.key())) deep_merge(dst[it.key()], it.value());
    else dst[it.key()] = it.value();
  }
}

void set_path(nlohmann::json& root, const std::vector<std::string>& segments, nlohmann::json value) {
  nlohmann::json* node = &root;
  for (size_t i = 0; i + 1 < segments.size(); ++i) {
    if (!node->is_object()) *node = nlohmann::json::object();
    node = &(*node)[segments[i]];
  }
  if (!node->is_object()) *node = nlohmann::json::object();
  (*node)[segments.back()] = std::move(value);
}

const nlohmann::json* get_path(const nlohmann::json& root, const std::vector<std::string>& segments) {
  const nlohmann::json* node = &root;
  for (const auto& s : segments) {
    if (!node->is_object()) return nullptr;
    auto it = node->find(s);
    if (it == node->end()) return nullptr;
    node = &*it;
  }
  return node;
}

const nlohmann::json* get_path(const nlohmann::json& root, std::string_view dotted) {
  std::vector<std::string> segments;
  size_t start = 0;
  while (start <= dotted.size()) {
    const auto dot = dotted.find('.', start);
    segments.emplace_back(dotted.substr(start, dot == std::string_view::npos ? dot : dot - start));
    if (dot == std::string_view::npos) break;
    start = dot + 1;
  }
  return get_path(root, segments);
}

void resolve_placeholders(nlohmann::json& tree, const Context& ctx) { resolve_walk(tree, ctx, ""); }

}  // namespace ks::config
