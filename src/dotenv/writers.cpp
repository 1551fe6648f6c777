// Writers of `.env_encoded` and of the plain-value formats (spec/dotenv.md), and the reader of
// `.env_encoded`. Every refusal names the key, never the value.
#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <set>

#include "src/core/error.hpp"
#include "src/crypto/base64.hpp"
#include "src/dotenv/dotenv.hpp"
#include "src/dotenv/text.hpp"

namespace ks::dotenv {
namespace {

using detail::printable;

std::string where(int line) { return line > 0 ? fmt::format(" (line {})", line) : std::string(); }

[[noreturn]] void cannot_carry(const Entry& e, std::string_view format, std::string_view why,
                               std::string hint = {}) {
  throw Error(ErrorKind::usage,
              fmt::format("the value of {} cannot be written in {} format: {}", printable(e.key), format, why),
              std::move(hint));
}

// A file name is shown in the generated comment: keep it on one line.
std::string one_line(std::string_view name) {
  std::string out;
  for (char c : name) out += (static_cast<unsigned char>(c) < 0x20 || c == 0x7F) ? '?' : c;
  return out;
}

// Kestra's `\R`: the line breaks removed before Base64 decoding (spec/kestra.md §3).
std::string strip_line_breaks(std::string_view v) {
  std::string out;
  for (std::size_t i = 0; i < v.size();) {
    detail::Rune r = detail::decode_utf8(v, i);
    bool brk = r.valid && (r.cp == '\n' || r.cp == '\r' || r.cp == '\v' || r.cp == '\f' || r.cp == 0x85 ||
                           r.cp == 0x2028 || r.cp == 0x2029);
    if (!brk) out.append(v.substr(i, r.len));
    i += r.len;
  }
  return out;
}

// A JSON string literal that is also a valid YAML double-quoted scalar: besides JSON's required
// escapes, DEL, C1 controls, U+2028/U+2029 (YAML 1.1 line breaks) and U+FFFE/U+FFFF are escaped.
std::string quote_json(std::string_view s) {
  std::string out = "\"";
  for (std::size_t i = 0; i < s.size();) {
    detail::Rune r = detail::decode_utf8(s, i);
    char32_t c = r.cp;
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      case '\b': out += "\\b"; break;
      case '\f': out += "\\f"; break;
      default:
        if (c < 0x20 || c == 0x7F || (c >= 0x80 && c < 0xA0) || c == 0x2028 || c == 0x2029 || c == 0xFFFE ||
            c == 0xFFFF)
          out += fmt::format("\\u{:04X}", static_cast<unsigned>(c));
        else
          out.append(s.substr(i, r.len));
    }
    i += r.len;
  }
  return out + "\"";
}

void check_unique(const std::vector<Entry>& entries) {
  std::set<std::string_view> seen;
  for (const auto& e : entries)
    if (!seen.insert(e.key).second)
      throw Error(ErrorKind::usage, fmt::format("key {} appears twice", printable(e.key)));
}

void check_text(const Entry& e, std::string_view format) {
  if (e.value.find('\0') != std::string::npos) cannot_carry(e, format, "it contains a NUL byte");
  if (!detail::is_valid_utf8(e.value))
    cannot_carry(e, format, "it is not valid UTF-8", "use --format env-encoded, which keeps any bytes");
  if (!detail::is_valid_utf8(e.key))
    throw Error(ErrorKind::usage, fmt::format("key {} is not valid UTF-8", printable(e.key)));
}

void check_key(const Entry& e, std::string_view format, bool shell) {
  bool ok = shell ? is_shell_name(e.key) : detail::is_compose_key(e.key);
  if (!ok)
    throw Error(ErrorKind::usage, fmt::format("key {} cannot be a variable name in {} format", printable(e.key), format),
                shell ? "a shell name is [A-Za-z_][A-Za-z0-9_]*" : "a key is letters, digits and _ . - [ ]");
}

void write_dotenv_line(std::string& out, const Entry& e) {
  check_key(e, "dotenv", false);
  if (e.value.find('\0') != std::string::npos) cannot_carry(e, "dotenv", "it contains a NUL byte");
  out += e.key;
  out += "=\"";
  for (char c : e.value) {
    switch (c) {
      case '\\': out += "\\\\"; break;
      case '"': out += "\\\""; break;
      case '$': out += "\\$"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default: out += c;
    }
  }
  out += "\"\n";
}

void write_shell_line(std::string& out, const Entry& e) {
  check_key(e, "shell", true);
  if (e.value.find('\0') != std::string::npos) cannot_carry(e, "shell", "it contains a NUL byte");
  out += "export " + e.key + "='";
  for (char c : e.value) {
    if (c == '\'')
      out += "'\\''";
    else
      out += c;
  }
  out += "'\n";
}

// `docker run --env-file` takes each line as it is (after leading blanks), requires UTF-8, and
// cannot carry a line break (a trailing \r is eaten by its line reader).
void write_docker_line(std::string& out, const Entry& e) {
  check_key(e, "docker", false);
  check_text(e, "docker");
  if (e.value.find('\n') != std::string::npos) cannot_carry(e, "docker", "it contains a newline");
  if (!e.value.empty() && e.value.back() == '\r') cannot_carry(e, "docker", "it ends with a carriage return");
  out += e.key + "=" + e.value + "\n";
}

std::vector<const Entry*> sorted(const std::vector<Entry>& entries) {
  std::vector<const Entry*> v;
  for (const auto& e : entries) v.push_back(&e);
  std::sort(v.begin(), v.end(), [](const Entry* a, const Entry* b) { return a->key < b->key; });
  return v;
}

std::string write_json(const std::vector<Entry>& entries) {
  if (entries.empty()) return "{}\n";
  std::string out = "{\n";
  auto v = sorted(entries);
  for (std::size_t i = 0; i < v.size(); ++i) {
    check_text(*v[i], "json");
    out += "  " + quote_json(v[i]->key) + ": " + quote_json(v[i]->value) + (i + 1 < v.size() ? ",\n" : "\n");
  }
  return out + "}\n";
}

std::string write_yaml(const std::vector<Entry>& entries) {
  if (entries.empty()) return "{}\n";
  std::string out;
  for (const Entry* e : sorted(entries)) {
    check_text(*e, "yaml");
    out += quote_json(e->key) + ": " + quote_json(e->value) + "\n";
  }
  return out;
}

}  // namespace

std::string detail::write_encoded(const std::vector<EntryView>& entries, std::string_view prefix,
                                  std::string_view source_name) {
  KeyIndex<UpperKeys> upper(entries.size());
  auto key_at = [&entries](std::uint32_t pos) { return entries[pos].key; };
  std::size_t size = 0;  // of the lines below, exactly
  for (std::uint32_t pos = 0; pos < entries.size(); ++pos) {
    const EntryView& e = entries[pos];
    size += prefix.size() + e.key.size() + crypto::base64_encoded_size(e.value.size()) + 2;
    if (!is_compose_key(e.key))
      throw Error(ErrorKind::usage, fmt::format("key {} cannot be written to an .env_encoded file", printable(e.key)),
                  "a key is letters, digits and _ . - [ ]");
    if (std::uint32_t first = upper.insert(e.key, pos, key_at); first != upper.kNone)
      throw Error(ErrorKind::usage,
                  fmt::format("keys {}{} and {}{} are the same after upper-casing", printable(entries[first].key),
                              where(entries[first].line), printable(e.key), where(e.line)),
                  "Kestra fails to start when two SECRET_ variables name the same key; rename one");
  }
  std::string out = source_name.empty()
                        ? std::string("# Generated by kestra-secrets; do not edit.\n")
                        : fmt::format("# Generated by kestra-secrets encode-env from {}; do not edit.\n",
                                      one_line(source_name));
  // Sized once and written through a cursor: for large files, per-append bookkeeping was a
  // large part of the cost.
  const std::size_t header = out.size();
  out.resize(header + size);
  char* o = out.data() + header;
  auto put = [&o](std::string_view s) { o = std::copy(s.begin(), s.end(), o); };
  for (const EntryView& e : entries) {
    put(prefix);
    put(e.key);
    *o++ = '=';
    o = crypto::base64_encode_to(o, e.value);
    *o++ = '\n';
  }
  return out;
}

std::string write_encoded(const std::vector<Entry>& entries, std::string_view prefix, std::string_view source_name) {
  std::vector<detail::EntryView> views;
  views.reserve(entries.size());
  for (const Entry& e : entries) views.push_back({e.key, e.value, e.line, e.end_line});
  return detail::write_encoded(views, prefix, source_name);
}

EncodedFile encode_file(std::string_view text, const ParseOptions& opts, std::string_view prefix,
                        std::string_view source_name) {
  detail::ParsedViews parsed;
  detail::parse_views(text, opts, parsed);
  EncodedFile out;
  out.document = detail::write_encoded(parsed.entries, prefix, source_name);
  out.entries = parsed.entries.size();
  out.warnings = std::move(parsed.warnings);
  return out;
}

std::vector<Entry> read_encoded(std::string_view text, std::string_view prefix, std::vector<std::string>* warnings) {
  ParseResult parsed = parse(text, ParseOptions{});
  if (warnings) {
    for (auto& w : parsed.warnings)
      if (w.find("duplicate key") != std::string::npos) warnings->push_back(std::move(w));
  }
  std::vector<Entry> out;
  for (auto& e : parsed.entries) {
    if (e.key.size() < prefix.size() || std::string_view(e.key).substr(0, prefix.size()) != prefix) continue;
    auto bytes = crypto::base64_decode(strip_line_breaks(e.value));
    if (!bytes)
      throw Error(ErrorKind::bad_data, fmt::format("line {}: the value of {} is not valid Base64", e.line, printable(e.key)));
    e.key.erase(0, prefix.size());
    if (e.key.empty()) throw Error(ErrorKind::bad_data, fmt::format("line {}: {} names no key", e.line, printable(prefix)));
    e.value = std::move(*bytes);
    out.push_back(std::move(e));
  }
  return out;
}

std::vector<Entry> read_encoded(std::string_view text, std::string_view prefix) {
  return read_encoded(text, prefix, nullptr);
}

Format parse_format(std::string_view name) {
  static const std::pair<std::string_view, Format> kNames[] = {
      {"dotenv", Format::dotenv}, {"shell", Format::shell}, {"docker", Format::docker},
      {"json", Format::json},     {"yaml", Format::yaml},   {"env-encoded", Format::env_encoded},
  };
  for (const auto& [n, f] : kNames)
    if (n == name) return f;
  throw Error(ErrorKind::usage, fmt::format("unknown format '{}'", printable(name)),
              "use dotenv, shell, docker, json, yaml or env-encoded");
}

std::string write_raw(const std::vector<Entry>& entries) {
  check_unique(entries);
  std::string out;
  for (const auto& e : entries) {
    check_key(e, "raw", false);
    if (e.value.find('\0') != std::string::npos) cannot_carry(e, "raw", "it contains a NUL byte");
    if (e.value.find('\n') != std::string::npos) cannot_carry(e, "raw", "it contains a newline");
    out += e.key + "=" + e.value + "\n";
  }
  return out;
}

std::string write_plain(const std::vector<Entry>& entries, Format format) {
  check_unique(entries);
  std::string out;
  switch (format) {
    case Format::json: return write_json(entries);
    case Format::yaml: return write_yaml(entries);
    case Format::env_encoded: return write_encoded(entries, "SECRET_", "");
    case Format::dotenv:
      for (const auto& e : entries) write_dotenv_line(out, e);
      break;
    case Format::shell:
      for (const auto& e : entries) write_shell_line(out, e);
      break;
    case Format::docker:
      for (const auto& e : entries) write_docker_line(out, e);
      break;
  }
  return out;
}

}  // namespace ks::dotenv
