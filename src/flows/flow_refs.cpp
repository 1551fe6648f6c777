#include "src/flows/flow_refs.hpp"

#include <algorithm>
#include <fmt/format.h>
#include <variant>

#include "src/config/yaml_scalars.hpp"

namespace ks::flows {
namespace {

constexpr std::string_view kSecret = "secret";
constexpr std::string_view kBom = "\xEF\xBB\xBF";

enum class Tok { ident, string, number, punct };

struct Token {
  Tok kind = Tok::punct;
  std::string_view text;  // as written
  size_t offset = 0;
  std::string value;      // a string literal's value
  bool literal = true;    // false for a double-quoted string with #{…} interpolation
};

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'; }
bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool ident_start(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'; }
bool ident_char(char c) { return ident_start(c) || is_digit(c); }

// A Pebble string literal starting at t[pos] (a quote). As Pebble's lexer: a backslash escapes the
// next character for delimiting, and only an escaped quote of the literal's own kind loses its
// backslash in the value.
Token lex_string(std::string_view t, size_t pos) {
  const char quote = t[pos];
  Token tok{Tok::string, {}, pos, {}, true};
  size_t i = pos + 1;
  for (; i < t.size() && t[i] != quote; ++i) {
    if (t[i] == '\\' && i + 1 < t.size()) {
      if (t[i + 1] != quote) tok.value += '\\';
      tok.value += t[++i];
      continue;
    }
    if (quote == '"' && t[i] == '#' && i + 1 < t.size() && t[i + 1] == '{') tok.literal = false;
    tok.value += t[i];
  }
  size_t end = i < t.size() ? i + 1 : i;
  tok.text = t.substr(pos, end - pos);
  return tok;
}

// Lexes Pebble code from `pos` to its closing delimiter (`}}` or `%}`), which closes only outside
// strings and brackets, as in Pebble. Returns the position after the delimiter (or the text's end).
size_t lex_code(std::string_view t, size_t pos, std::string_view close, std::vector<Token>& out) {
  int depth = 0;
  while (pos < t.size()) {
    const char c = t[pos];
    if (is_space(c)) {
      ++pos;
      continue;
    }
    if (depth == 0 && t.substr(pos, close.size()) == close) return pos + close.size();
    size_t end = pos + 1;
    Tok kind = Tok::punct;
    if (c == '\'' || c == '"') {
      out.push_back(lex_string(t, pos));
      pos += out.back().text.size();
      continue;
    }
    if (ident_start(c)) {
      kind = Tok::ident;
      while (end < t.size() && ident_char(t[end])) ++end;
    } else if (is_digit(c)) {
      kind = Tok::number;
      while (end < t.size() && (is_digit(t[end]) || t[end] == '.')) ++end;
    } else if ((c == '=' || c == '!' || c == '<' || c == '>') && end < t.size() && t[end] == '=') {
      ++end;  // ==, !=, <=, >=: a lone `=` is always an assignment or a named argument
    } else if (c == '(' || c == '[' || c == '{') {
      ++depth;
    } else if ((c == ')' || c == ']' || c == '}') && depth > 0) {
      --depth;
    }
    out.push_back(Token{kind, t.substr(pos, end - pos), pos, {}, true});
    pos = end;
  }
  return pos;
}

// The first word of a tag (`{%- verbatim %}` → "verbatim").
std::string_view first_word(const std::vector<Token>& toks) {
  for (const auto& tok : toks) {
    if (tok.kind == Tok::ident) return tok.text;
    if (tok.text != "-") break;
  }
  return {};
}

// The position after the `{% endverbatim %}` that closes a verbatim block (or the text's end).
size_t skip_verbatim(std::string_view t, size_t pos) {
  std::vector<Token> toks;
  while ((pos = t.find("{%", pos)) != std::string_view::npos) {
    toks.clear();
    pos = lex_code(t, pos + 2, "%}", toks);
    if (first_word(toks) == "endverbatim") return pos;
  }
  return t.size();
}

std::string fold_space(std::string_view s) {
  std::string out;
  bool space = false;
  for (char c : s) {
    if (is_space(c)) {
      space = true;
      continue;
    }
    if (space && !out.empty()) out += ' ';
    space = false;
    out += c;
  }
  return out;
}

enum Slot { kKey = 0, kNamespace = 1, kSubkey = 2 };

// The call whose `secret` is toks[at] and whose `(` is toks[at + 1].
SecretCall parse_call(std::string_view t, const std::vector<Token>& toks, size_t at) {
  SecretCall call;
  call.offset = toks[at].offset;
  std::vector<std::pair<size_t, size_t>> args;  // token ranges [begin, end)
  int depth = 0;
  size_t start = at + 2, j = at + 2;
  for (; j < toks.size(); ++j) {
    const auto x = toks[j].text;
    if (toks[j].kind != Tok::punct) continue;
    if (x == "(" || x == "[" || x == "{") {
      ++depth;
    } else if (x == ")" || x == "]" || x == "}") {
      if (depth == 0) break;
      --depth;
    } else if (x == "," && depth == 0) {
      args.emplace_back(start, j);
      start = j + 1;
    }
  }
  if (start < j) args.emplace_back(start, j);
  size_t end = j < toks.size() ? toks[j].offset + 1 : toks.back().offset + toks.back().text.size();
  call.text = fold_space(t.substr(call.offset, end - call.offset));

  bool given[3] = {false, false, false};
  std::optional<std::string> literal[3];
  int positional = 0;
  for (auto [b, e] : args) {
    int slot = -1;
    if (e - b >= 2 && toks[b].kind == Tok::ident && toks[b + 1].text == "=") {
      const auto name = toks[b].text;
      slot = name == "key" ? kKey : name == "namespace" ? kNamespace : name == "subkey" ? kSubkey : -1;
      b += 2;
    } else {
      slot = positional < 3 ? positional : -1;
      ++positional;
    }
    if (slot < 0 || b == e) continue;
    if (e - b == 1 && toks[b].kind == Tok::ident && (toks[b].text == "null" || toks[b].text == "none"))
      continue;  // null: as if not given (Kestra reads a missing argument as null)
    given[slot] = true;
    if (e - b == 1 && toks[b].kind == Tok::string && toks[b].literal) literal[slot] = toks[b].value;
  }
  call.dynamic_key = !literal[kKey];
  call.key = literal[kKey];
  call.dynamic_ns = given[kNamespace] && !literal[kNamespace];
  call.ns = literal[kNamespace];
  call.dynamic_subkey = given[kSubkey] && !literal[kSubkey];
  if (literal[kSubkey] && !literal[kSubkey]->empty()) call.subkey = literal[kSubkey];
  return call;
}

void calls_in(std::string_view t, const std::vector<Token>& toks, std::vector<SecretCall>& out) {
  for (size_t i = 0; i + 1 < toks.size(); ++i) {
    if (toks[i].kind != Tok::ident || toks[i].text != kSecret || toks[i + 1].text != "(") continue;
    if (i > 0 && (toks[i - 1].text == "." || toks[i - 1].text == "|" || toks[i - 1].text == "macro")) continue;
    out.push_back(parse_call(t, toks, i));
  }
}

// Byte offsets of line starts, to turn (line, column) into an offset and back.
class LineIndex {
public:
  explicit LineIndex(std::string_view text) {
    starts_.push_back(0);
    for (size_t i = 0; i < text.size(); ++i)
      if (text[i] == '\n') starts_.push_back(i + 1);
  }
  size_t offset(int line, int column) const {
    if (line < 0 || static_cast<size_t>(line) >= starts_.size()) return starts_.back();
    return starts_[static_cast<size_t>(line)] + static_cast<size_t>(std::max(column, 0));
  }
  int line_of(size_t offset) const {
    auto it = std::upper_bound(starts_.begin(), starts_.end(), offset);
    return static_cast<int>(it - starts_.begin()) - 1;
  }

private:
  std::vector<size_t> starts_;
};

// Where a scalar's content starts in the file: after its anchor and tag, and after the header line
// of a block scalar (`|` or `>`, whose header may carry a comment).
size_t content_start(std::string_view src, size_t pos) {
  while (pos < src.size() && (src[pos] == '&' || src[pos] == '!')) {
    while (pos < src.size() && !is_space(src[pos])) ++pos;
    while (pos < src.size() && is_space(src[pos])) ++pos;
  }
  if (pos < src.size() && (src[pos] == '|' || src[pos] == '>')) {
    size_t nl = src.find('\n', pos);
    return nl == std::string_view::npos ? src.size() : nl + 1;
  }
  return pos;
}

// Gives each call of a scalar its 1-based line in the file. The k-th `secret` of the scalar's value
// is the k-th `secret` of the file from where the scalar's content starts: YAML folding, quoting and
// indentation change white space, line breaks and quotes, never the letters of a word. So a call in
// a block scalar, or on the third line of a multi-line plain or quoted scalar, gets its own line. An
// escape sequence in a double-quoted scalar that spells a letter of `secret` (`\x73`) or splits the
// word with an escaped line break breaks the correspondence; the calls that cannot be placed then
// get the scalar's first line.
void place_calls(std::string_view src, const LineIndex& lines, const config::YamlScalar& s,
                 std::vector<SecretCall>& calls, std::vector<FlowRef>& out) {
  std::string_view value = s.value;
  size_t vpos = 0, spos = content_start(src, lines.offset(s.line, s.column));
  bool placed = true;
  for (auto& call : calls) {
    int line = s.line + 1;
    while (placed) {
      size_t v = value.find(kSecret, vpos);
      size_t f = src.find(kSecret, spos);
      if (v == std::string_view::npos || f == std::string_view::npos || v > call.offset) {
        placed = false;
        break;
      }
      vpos = v + kSecret.size();
      spos = f + kSecret.size();
      if (v == call.offset) {
        line = lines.line_of(f) + 1;
        break;
      }
    }
    out.push_back(FlowRef{line, std::move(call)});
  }
}

std::optional<std::string> top_level(const config::YamlDocument& doc, const std::string& name) {
  auto it = doc.top_level.find(name);
  if (it == doc.top_level.end() || it->second.empty()) return std::nullopt;
  return it->second;
}

}  // namespace

std::vector<SecretCall> find_secret_calls(std::string_view t) {
  std::vector<SecretCall> out;
  std::vector<Token> toks;
  size_t pos = 0;
  while ((pos = t.find('{', pos)) != std::string_view::npos && pos + 1 < t.size()) {
    const char kind = t[pos + 1];
    if (kind == '#') {  // a comment
      size_t end = t.find("#}", pos + 2);
      if (end == std::string_view::npos) break;
      pos = end + 2;
      continue;
    }
    if (kind != '{' && kind != '%') {
      ++pos;
      continue;
    }
    toks.clear();
    pos = lex_code(t, pos + 2, kind == '{' ? "}}" : "%}", toks);
    if (kind == '%' && first_word(toks) == "verbatim") {
      pos = skip_verbatim(t, pos);
      continue;
    }
    calls_in(t, toks, out);
  }
  return out;
}

FlowFile scan_flow_file(std::string_view text) {
  FlowFile out;
  std::string src(text.substr(0, kBom.size()) == kBom ? text.substr(kBom.size()) : text);  // lines unchanged
  auto parsed = config::read_yaml_documents(src, [](std::string_view v) {
    return v.find(kSecret) != std::string_view::npos && v.find('{') != std::string_view::npos;
  });
  if (const auto* err = std::get_if<config::YamlSyntaxError>(&parsed)) {
    out.problems.push_back({err->line + 1, "invalid-yaml",
                            fmt::format("invalid YAML: {} (column {})", err->message, err->column + 1)});
    return out;
  }
  const LineIndex lines(src);
  bool any = false;
  for (const auto& doc : std::get<std::vector<config::YamlDocument>>(parsed)) {
    if (doc.empty) continue;
    any = true;
    auto id = top_level(doc, "id");
    auto ns = top_level(doc, "namespace");
    if (!id || !ns) {
      out.problems.push_back({doc.line + 1, "not-a-flow",
                              fmt::format("not a flow: no top-level {}", !id && !ns ? "id and namespace"
                                                                         : !id    ? "id"
                                                                                  : "namespace")});
      continue;
    }
    Flow flow{doc.line + 1, std::move(*id), std::move(*ns), {}};
    for (const auto& scalar : doc.scalars) {
      auto calls = find_secret_calls(scalar.value);
      if (!calls.empty()) place_calls(src, lines, scalar, calls, flow.refs);
    }
    std::stable_sort(flow.refs.begin(), flow.refs.end(),
                     [](const FlowRef& a, const FlowRef& b) { return a.line < b.line; });
    out.flows.push_back(std::move(flow));
  }
  if (!any) out.problems.push_back({1, "not-a-flow", "not a flow: the file holds no YAML document"});
  return out;
}

}  // namespace ks::flows
