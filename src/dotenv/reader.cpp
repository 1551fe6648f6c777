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

#include <cstdint>

#include "src/core/error.hpp"
#include "src/dotenv/dotenv.hpp"
#include "src/dotenv/text.hpp"

namespace ks::dotenv {
namespace {

using detail::decode_utf8;
using detail::EntryView;
using detail::ParsedViews;
using detail::printable;
using detail::Rune;

constexpr std::string_view kBom = "\xEF\xBB\xBF";

std::size_t line_count(std::string_view text) {
  std::size_t n = 1;  // find (memchr), not std::count: its byte loop was a tenth of a large file's parse
  for (std::size_t at = text.find('\n'); at != std::string_view::npos; at = text.find('\n', at + 1)) ++n;
  return n;
}

[[noreturn]] void syntax(int line, const std::string& what, std::string hint = {}) {
  throw Error(ErrorKind::bad_data, fmt::format("line {}: {}", line, what), std::move(hint));
}

// Collects entries; resolves duplicates (last value wins, first position kept) with a warning.
class Collector {
public:
  // `lines` bounds the number of entries: reserving up front saves the rehashing and regrowth that
  // otherwise dominate large files.
  Collector(ParsedViews& out, std::size_t lines, bool keep_occurrences)
      : out_(out), keep_occurrences_(keep_occurrences), index_(lines) {
    out_.entries.reserve(lines);
  }

  void add(const EntryView& e) {
    if (keep_occurrences_) out_.occurrences.push_back(e);
    const auto pos = static_cast<std::uint32_t>(out_.entries.size());
    const std::uint32_t first_pos = index_.insert(e.key, pos, KeyAt{out_.entries});
    if (first_pos == Index::kNone) {
      if (!is_shell_name(e.key)) warn_non_shell(e);
      out_.entries.push_back(e);
      return;
    }
    EntryView& first = out_.entries[first_pos];
    out_.warnings.push_back(fmt::format("line {}: duplicate key {} (first on line {}); the last value wins",
                                        e.line, printable(e.key), first.line));
    first.value = e.value;
  }

  // The value the file has given `key` so far (interpolation looks here first).
  std::optional<std::string_view> find(std::string_view key) const {
    const std::uint32_t pos = index_.find(key, KeyAt{out_.entries});
    if (pos == Index::kNone) return std::nullopt;
    return out_.entries[pos].value;
  }

  // Keeps a value the reader computed, for as long as the result.
  std::string_view keep(std::string value) { return out_.storage.emplace_back(std::move(value)); }

private:
  using Index = detail::KeyIndex<detail::ExactKeys>;

  struct KeyAt {  // the key of the entry at a position, for the index
    const std::vector<EntryView>& entries;
    std::string_view operator()(std::uint32_t pos) const { return entries[pos].key; }
  };

  void warn_non_shell(const EntryView& e) {
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

  ParsedViews& out_;
  bool keep_occurrences_;
  Index index_;  // entry positions by key
};

// ---- compose ----------------------------------------------------------------------------------

class ComposeParser {
public:
  ComposeParser(std::string_view text, const ParseOptions& opts, ParsedViews& out)
      : s_(text), opts_(opts), out_(out), entries_(out, line_count(text), opts.keep_occurrences) {
    if (s_.substr(0, kBom.size()) == kBom) pos_ = kBom.size();
    lookup_ = [this](const std::string& name) -> std::optional<std::string> {
      if (auto v = entries_.find(name)) return std::string(*v);
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
    pos_ += detail::ascii_key_run(s_.substr(pos_));  // the common case, then the general loop
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
    EntryView e;
    e.line = line_;
    skip_export();
    e.key = key();
    skip_inline_space();
    if (!at_end() && (s_[pos_] == '"' || s_[pos_] == '\'')) {
      e.value = quoted(e.key, e.line);
      after_quote(e.key);
    } else {
      e.value = unquoted(e.key, e.line);
    }
    e.end_line = line_;
    if (!at_end()) {  // the '\n' that ends the entry
      ++pos_;
      ++line_;
    }
    entries_.add(e);
  }

  std::string_view unquoted(std::string_view k, int line) {
    std::size_t nl = s_.find('\n', pos_);
    if (nl == std::string_view::npos) nl = s_.size();
    std::string_view v = s_.substr(pos_, nl - pos_);
    pos_ = nl;
    std::size_t comment = v.find(" #");
    if (comment != std::string_view::npos) v = v.substr(0, comment);
    v = detail::trim_right_space(v);
    if (!opts_.interpolate) return v;
    return entries_.keep(detail::interpolate(v, lookup_, line, k, out_.warnings));
  }

  // pos_ is at the opening quote. Inside, `\` + the quote is the quote; any other `\x` is kept as
  // both characters here (double-quoted escapes are expanded afterwards).
  std::string_view quoted(std::string_view k, int line) {
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
        if (q == '\'') return entries_.keep(std::move(chars));
        std::string v = detail::expand_escapes(chars, opts_.interpolate);
        if (!opts_.interpolate) return entries_.keep(std::move(v));
        return entries_.keep(detail::interpolate(v, lookup_, line, k, out_.warnings));
      }
      chars += c;
    }
    syntax(line, fmt::format("unterminated {}-quoted value of {}", q == '"' ? "double" : "single", printable(k)),
           fmt::format("the value opens with {} on line {} and never closes", q, line));
  }

  // Only blanks, then the end of the line or a `#` comment, may follow a closing quote.
  void after_quote(std::string_view k) {
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
  ParsedViews& out_;
  Collector entries_;
  detail::Lookup lookup_;
  std::size_t pos_ = 0;
  int line_ = 1;
};

// ---- raw --------------------------------------------------------------------------------------

bool is_blank(std::string_view line) {
  return line.find_first_not_of(" \t\r\v\f") == std::string_view::npos;
}

void parse_raw(std::string_view text, ParsedViews& out, bool keep_occurrences) {
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
    entries.add(EntryView{key, l.substr(eq + 1), line, line});
  }
}

}  // namespace

Dialect parse_dialect(std::string_view name) {
  if (name == "compose") return Dialect::compose;
  if (name == "raw") return Dialect::raw;
  throw Error(ErrorKind::usage, fmt::format("unknown dialect '{}'", name), "use compose or raw");
}

bool is_shell_name(std::string_view key) {
  if (key.empty() || (key[0] >= '0' && key[0] <= '9')) return false;
  return detail::ascii_run(key, detail::kShellNameChars) == key.size();
}

void detail::parse_views(std::string_view text, const ParseOptions& opts, ParsedViews& out) {
  if (opts.dialect == Dialect::raw) {
    parse_raw(text, out, opts.keep_occurrences);
  } else {
    ComposeParser(text, opts, out).run();
  }
}

ParseResult parse(std::string_view text, const ParseOptions& opts) {
  ParsedViews views;
  detail::parse_views(text, opts, views);
  auto copies = [](const std::vector<EntryView>& from) {
    std::vector<Entry> to;
    to.reserve(from.size());
    for (const EntryView& e : from) to.push_back(Entry{std::string(e.key), std::string(e.value), e.line, e.end_line});
    return to;
  };
  ParseResult out;
  out.entries = copies(views.entries);
  out.occurrences = copies(views.occurrences);
  out.warnings = std::move(views.warnings);
  return out;
}

}  // namespace ks::dotenv
