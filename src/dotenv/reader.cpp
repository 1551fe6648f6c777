// The dotenv reader: dialect `compose` (Docker Compose's reader, compose-go dotenv/parser.go, with
// the DECISIONS of spec/dotenv.md) and dialect `raw` (the seed's `IFS='=' read` loop done right).
//
// Where the spec is silent, this reader decides (and the tests pin it):
// - An empty key (`=value`) is an error (Compose would store the empty name).
// - Any whitespace inside a key is an error (Compose rejects only a space and lets a tab through).
// - A comment may follow a closing quote with or without blanks before `#` (`"x"#c` is a comment in
//   Compose too); any other text after a closing quote is an error.
// - Bytes inside quotes are kept as they are: a multi-line quoted value in a CRLF file keeps its
//   `\r` before each inner line break, exactly as Compose does.
// - `raw` skips a leading BOM, keeps a `\r` before `\n` in the value (byte for byte), reads a last
//   line without a newline, and errors on a line without `=` and on a key that is not a compose key.
#include <fmt/format.h>

#include <algorithm>
#include <unordered_map>

#include "src/core/error.hpp"
#include "src/dotenv/dotenv.hpp"
#include "src/dotenv/text.hpp"

namespace ks::dotenv {
namespace {

using detail::decode_utf8;
using detail::printable;
using detail::Rune;

constexpr std::string_view kBom = "\xEF\xBB\xBF";

std::size_t line_count(std::string_view text) {
  return static_cast<std::size_t>(std::count(text.begin(), text.end(), '\n')) + 1;
}

[[noreturn]] void syntax(int line, const std::string& what, std::string hint = {}) {
  throw Error(ErrorKind::bad_data, fmt::format("line {}: {}", line, what), std::move(hint));
}

// Collects entries; resolves duplicates (last value wins, first position kept) with a warning.
class Collector {
public:
  // `lines` bounds the number of entries: reserving up front saves the rehashing and regrowth that
  // otherwise dominate large files.
  Collector(ParseResult& out, std::size_t lines, bool keep_occurrences)
      : out_(out), keep_occurrences_(keep_occurrences) {
    out_.entries.reserve(lines);
    index_.reserve(lines);
  }

  // `key` is e.key as a view into the parsed text, which outlives the collector (no copy to hash).
  void add(Entry e, std::string_view key) {
    if (keep_occurrences_) out_.occurrences.push_back(e);
    auto it = index_.find(key);
    if (it == index_.end()) {
      if (!is_shell_name(e.key)) warn_non_shell(e);
      index_.emplace(key, out_.entries.size());
      out_.entries.push_back(std::move(e));
      return;
    }
    Entry& first = out_.entries[it->second];
    out_.warnings.push_back(fmt::format("line {}: duplicate key {} (first on line {}); the last value wins",
                                        e.line, printable(e.key), first.line));
    first.value = std::move(e.value);
  }

  // The value the file has given `key` so far (interpolation looks here first).
  const std::string* find(std::string_view key) const {
    auto it = index_.find(key);
    return it == index_.end() ? nullptr : &out_.entries[it->second].value;
  }

private:
  void warn_non_shell(const Entry& e) {
    std::string name;
    for (std::size_t i = 0; i < e.key.size();) {
      Rune r = decode_utf8(e.key, i);
      char c = e.key[i];
      bool ok = r.len == 1 && (c == '_' || (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z'));
      name += ok ? c : '_';
      i += r.len;
    }
    if (name[0] >= '0' && name[0] <= '9') name.insert(name.begin(), '_');
    out_.warnings.push_back(fmt::format(
        "line {}: key {} is not a shell variable name; exec and export --format shell|dotenv|docker call it {}",
        e.line, printable(e.key), name));
  }

  ParseResult& out_;
  bool keep_occurrences_;
  std::unordered_map<std::string_view, std::size_t> index_;
};

// ---- compose ----------------------------------------------------------------------------------

class ComposeParser {
public:
  ComposeParser(std::string_view text, const ParseOptions& opts, ParseResult& out)
      : s_(text), opts_(opts), out_(out), entries_(out, line_count(text), opts.keep_occurrences) {
    if (s_.substr(0, kBom.size()) == kBom) pos_ = kBom.size();
    lookup_ = [this](const std::string& name) -> std::optional<std::string> {
      if (const std::string* v = entries_.find(name)) return *v;
      if (opts_.lookup) return opts_.lookup(name);
      return std::nullopt;
    };
  }

  void run() {
    while (next_statement()) statement();
  }

private:
  bool at_end() const { return pos_ >= s_.size(); }
  Rune rune() const { return decode_utf8(s_, pos_); }

  // Skips blank space (counting lines) and comment lines; false at the end of the text.
  bool next_statement() {
    for (;;) {
      while (!at_end()) {
        Rune r = rune();
        if (!r.valid || !detail::is_unicode_space(r.cp)) break;
        if (r.cp == '\n') ++line_;
        pos_ += r.len;
      }
      if (at_end()) return false;
      if (s_[pos_] != '#') return true;
      skip_to_line_end();
    }
  }

  void skip_to_line_end() {
    std::size_t nl = s_.find('\n', pos_);
    pos_ = nl == std::string_view::npos ? s_.size() : nl;
  }

  void skip_inline_space() {
    while (!at_end()) {
      Rune r = rune();
      if (!r.valid || !detail::is_inline_space(r.cp)) return;
      pos_ += r.len;
    }
  }

  void skip_export() {
    constexpr std::string_view kExport = "export";
    if (s_.substr(pos_, kExport.size()) != kExport) return;
    std::size_t p = pos_ + kExport.size();
    if (p >= s_.size() || (s_[p] != ' ' && s_[p] != '\t' && s_[p] != '\f' && s_[p] != '\r')) return;
    pos_ = p;
    skip_inline_space();
  }

  std::string_view key() {
    std::size_t start = pos_;
    std::size_t bad = std::string_view::npos;  // first character that may not be in a key
    while (!at_end() && s_[pos_] != '=' && s_[pos_] != ':' && s_[pos_] != '\n') {
      Rune r = rune();
      if (bad == std::string_view::npos && (!r.valid || !detail::is_key_char(r.cp))) bad = pos_;
      pos_ += r.len;
    }
    if (at_end() || s_[pos_] == '\n')
      syntax(line_, "expected KEY=VALUE or KEY: VALUE, found no '=' or ':'",
             "a secrets file cannot take a value from the environment as Compose does; write KEY=VALUE");
    std::string_view raw = detail::trim_right_space(s_.substr(start, pos_ - start));
    ++pos_;  // the separator
    if (raw.empty()) syntax(line_, "missing key before '=' or ':'");
    if (bad < start + raw.size()) {
      Rune r = decode_utf8(s_, bad);
      bool space = r.valid && detail::is_unicode_space(r.cp);
      syntax(line_, fmt::format("key '{}' {}", printable(raw),
                                space ? "contains whitespace"
                                      : fmt::format("contains the character '{}'", printable(s_.substr(bad, r.len)))),
             "a key is letters, digits and _ . - [ ]");
    }
    return raw;
  }

  void statement() {
    int line = line_;
    skip_export();
    std::string_view key_view = key();
    std::string k(key_view);
    skip_inline_space();
    Entry e;
    e.line = line;
    if (!at_end() && (s_[pos_] == '"' || s_[pos_] == '\'')) {
      e.value = quoted(k, line);
      after_quote(k);
    } else {
      e.value = unquoted(k, line);
    }
    e.end_line = line_;
    e.key = std::move(k);
    if (!at_end()) {  // the '\n' that ends the entry
      ++pos_;
      ++line_;
    }
    entries_.add(std::move(e), key_view);
  }

  std::string unquoted(const std::string& k, int line) {
    std::size_t nl = s_.find('\n', pos_);
    if (nl == std::string_view::npos) nl = s_.size();
    std::string_view v = s_.substr(pos_, nl - pos_);
    pos_ = nl;
    std::size_t comment = v.find(" #");
    if (comment != std::string_view::npos) v = v.substr(0, comment);
    v = detail::trim_right_space(v);
    if (!opts_.interpolate) return std::string(v);
    return detail::interpolate(v, lookup_, line, k, out_.warnings);
  }

  // pos_ is at the opening quote. Inside, `\` + the quote is the quote; any other `\x` is kept as
  // both characters here (double-quoted escapes are expanded afterwards).
  std::string quoted(const std::string& k, int line) {
    char q = s_[pos_++];
    std::string chars;
    for (; !at_end(); ++pos_) {
      char c = s_[pos_];
      if (c == '\n') ++line_;
      if (c == '\\' && pos_ + 1 < s_.size()) {
        char n = s_[pos_ + 1];
        if (n == '\n') ++line_;
        if (n != q) chars += '\\';
        chars += n;
        ++pos_;
        continue;
      }
      if (c == q) {
        ++pos_;
        if (q == '\'') return chars;
        std::string v = detail::expand_escapes(chars, opts_.interpolate);
        if (!opts_.interpolate) return v;
        return detail::interpolate(v, lookup_, line, k, out_.warnings);
      }
      chars += c;
    }
    syntax(line, fmt::format("unterminated {}-quoted value of {}", q == '"' ? "double" : "single", printable(k)),
           fmt::format("the value opens with {} on line {} and never closes", q, line));
  }

  // Only blanks, then the end of the line or a `#` comment, may follow a closing quote.
  void after_quote(const std::string& k) {
    skip_inline_space();
    if (at_end() || s_[pos_] == '\n') return;
    if (s_[pos_] == '#') {
      skip_to_line_end();
      return;
    }
    syntax(line_, fmt::format("unexpected text after the closing quote of {}'s value", printable(k)),
           "only blanks or a ' #' comment may follow a quoted value");
  }

  std::string_view s_;
  const ParseOptions& opts_;
  ParseResult& out_;
  Collector entries_;
  detail::Lookup lookup_;
  std::size_t pos_ = 0;
  int line_ = 1;
};

// ---- raw --------------------------------------------------------------------------------------

bool is_blank(std::string_view line) {
  return line.find_first_not_of(" \t\r\v\f") == std::string_view::npos;
}

void parse_raw(std::string_view text, ParseResult& out, bool keep_occurrences) {
  Collector entries(out, line_count(text), keep_occurrences);
  if (text.substr(0, kBom.size()) == kBom) text.remove_prefix(kBom.size());
  int line = 0;
  std::size_t pos = 0;
  while (pos < text.size()) {
    ++line;
    std::size_t nl = text.find('\n', pos);
    if (nl == std::string_view::npos) nl = text.size();
    std::string_view l = text.substr(pos, nl - pos);
    pos = nl + 1;
    std::size_t first = l.find_first_not_of(" \t\r\v\f");
    if (is_blank(l) || l[first] == '#') continue;
    std::size_t eq = l.find('=');
    if (eq == std::string_view::npos) syntax(line, "expected KEY=VALUE, found no '='");
    std::string_view key = l.substr(0, eq);
    if (key.empty()) syntax(line, "missing key before '='");
    if (!detail::is_compose_key(key))
      syntax(line, fmt::format("key '{}' is not letters, digits and _ . - [ ]", printable(key)),
             "the raw dialect takes everything before the first '=' as the key; see --dialect compose");
    entries.add(Entry{std::string(key), std::string(l.substr(eq + 1)), line, line}, key);
  }
}

}  // namespace

Dialect parse_dialect(std::string_view name) {
  if (name == "compose") return Dialect::compose;
  if (name == "raw") return Dialect::raw;
  throw Error(ErrorKind::usage, fmt::format("unknown dialect '{}'", name), "use compose or raw");
}

bool is_shell_name(std::string_view key) {
  if (key.empty()) return false;
  for (std::size_t i = 0; i < key.size(); ++i) {
    char c = key[i];
    bool alpha = c == '_' || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
    if (!alpha && !(i > 0 && c >= '0' && c <= '9')) return false;
  }
  return true;
}

ParseResult parse(std::string_view text, const ParseOptions& opts) {
  ParseResult out;
  if (opts.dialect == Dialect::raw) {
    parse_raw(text, out, opts.keep_occurrences);
  } else {
    ComposeParser(text, opts, out).run();
  }
  return out;
}

}  // namespace ks::dotenv
