// Internal to src/dotenv: UTF-8 decoding and the character classes the compose dialect uses (Go's
// unicode.IsSpace / IsLetter / IsNumber, as Docker Compose's reader does), plus the interpolation
// and escape expansion shared by the reader. Not part of the public API (see dotenv.hpp).
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "src/dotenv/dotenv.hpp"

namespace ks::dotenv::detail {

struct CodeRange {
  char32_t first;
  char32_t last;
};
extern const CodeRange kLetterNumberRanges[];
extern const std::size_t kLetterNumberRangeCount;

// One decoded code point. An invalid or truncated sequence decodes as one byte with valid = false
// (Go's RuneError, which is neither a letter nor a space).
struct Rune {
  char32_t cp = 0;
  std::size_t len = 1;
  bool valid = false;
};
Rune decode_utf8_multibyte(std::string_view s, std::size_t pos);
inline Rune decode_utf8(std::string_view s, std::size_t pos) {
  auto c = static_cast<unsigned char>(s[pos]);
  if (c < 0x80) return {c, 1, true};  // the common case, kept inline
  return decode_utf8_multibyte(s, pos);
}
void append_utf8(std::string& out, char32_t cp);
bool is_valid_utf8(std::string_view s);

bool is_letter_or_number(char32_t cp);  // Unicode categories L* and N*
bool is_unicode_space(char32_t cp);     // Go unicode.IsSpace (includes \n)
bool is_inline_space(char32_t cp);      // Compose's isSpace: \t \v \f \r ' ' U+0085 U+00A0
bool is_key_char_multibyte(char32_t cp);
inline bool is_key_char(char32_t cp) {  // letter, number, _ . - [ ]
  if (cp >= 0x80) return is_key_char_multibyte(cp);
  return (cp >= 'a' && cp <= 'z') || (cp >= 'A' && cp <= 'Z') || (cp >= '0' && cp <= '9') || cp == '_' ||
         cp == '.' || cp == '-' || cp == '[' || cp == ']';
}

// Character classes of ASCII bytes as tables (false for the bytes of multi-byte characters), for
// the loops over the keys of large files: is_key_char, and the characters of a shell name.
constexpr bool is_ascii_alnum(int c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}
inline constexpr std::array<bool, 256> kAsciiKeyChars = [] {
  std::array<bool, 256> t{};
  for (int c = 0; c < 0x80; ++c) t[c] = is_ascii_alnum(c) || c == '_' || c == '.' || c == '-' || c == '[' || c == ']';
  return t;
}();
inline constexpr std::array<bool, 256> kShellNameChars = [] {
  std::array<bool, 256> t{};
  for (int c = 0; c < 0x80; ++c) t[c] = is_ascii_alnum(c) || c == '_';
  return t;
}();
// The length of the run of bytes of a class at the start of s.
inline std::size_t ascii_run(std::string_view s, const std::array<bool, 256>& table) {
  const char* p = s.data();
  const char* end = p + s.size();
  while (p != end && table[static_cast<unsigned char>(*p)]) ++p;
  return static_cast<std::size_t>(p - s.data());
}
inline std::size_t ascii_key_run(std::string_view s) { return ascii_run(s, kAsciiKeyChars); }

// A key of the compose dialect: not empty, every character is_key_char.
bool is_compose_key_multibyte(std::string_view key);
inline bool is_compose_key(std::string_view key) {
  if (!key.empty() && ascii_key_run(key) == key.size()) return true;  // the common case, inline
  return is_compose_key_multibyte(key);
}
// The key as shown in messages: printable ASCII and valid non-ASCII UTF-8 as is; other bytes as \xNN.
std::string printable(std::string_view key);
// Compose's trailing trim (Go unicode.IsSpace).
std::string_view trim_right_space_multibyte(std::string_view s);
inline std::string_view trim_right_space(std::string_view s) {
  // An ASCII last byte that is no space ends the trim at once (U+0085 and U+00A0 are not ASCII).
  if (!s.empty()) {
    auto c = static_cast<unsigned char>(s.back());
    if (c < 0x80 && c != ' ' && (c < '\t' || c > '\r')) return s;
  }
  return trim_right_space_multibyte(s);
}

// Hashing (FNV-1a) and equality of keys for KeyIndex: exact, or after ASCII upper-casing (the
// .env_encoded writer: Kestra upper-cases the names it reads).
inline char ascii_upper(char c) { return c >= 'a' && c <= 'z' ? static_cast<char>(c - 'a' + 'A') : c; }
template <bool kUpper>
struct KeyRule {
  static char fold(char c) noexcept { return kUpper ? ascii_upper(c) : c; }
  static std::size_t hash(std::string_view s) noexcept {
    std::size_t h = 1469598103934665603ull;
    for (char c : s) h = (h ^ static_cast<unsigned char>(fold(c))) * 1099511628211ull;
    return h;
  }
  static bool equal(std::string_view a, std::string_view b) noexcept {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i)
      if (fold(a[i]) != fold(b[i])) return false;
    return true;
  }
};
using ExactKeys = KeyRule<false>;
using UpperKeys = KeyRule<true>;

// Positions of entries by key, for files of many thousands of lines: open addressing over the
// positions (no allocation per key, one hash per lookup). The keys stay with the caller:
// `key_at(pos)` returns the key of the entry at a position. Keys::hash / Keys::equal decide which
// keys are the same.
template <class Keys>
class KeyIndex {
public:
  static constexpr std::uint32_t kNone = UINT32_MAX;

  explicit KeyIndex(std::size_t expected) {
    std::size_t capacity = 16;
    while (capacity * 3 < expected * 4) capacity *= 2;
    slots_.assign(capacity, Slot{});
  }

  // The position stored for a key the same as `key`, or kNone.
  template <class KeyAt>
  std::uint32_t find(std::string_view key, const KeyAt& key_at) const {
    return slots_[probe(key, Keys::hash(key), key_at)].pos;
  }

  // Stores `pos` for `key`, unless the same key is there already: then returns its position and
  // stores nothing. kNone when stored.
  template <class KeyAt>
  std::uint32_t insert(std::string_view key, std::uint32_t pos, const KeyAt& key_at) {
    if ((size_ + 1) * 4 > slots_.size() * 3) grow();
    const std::size_t h = Keys::hash(key);
    Slot& slot = slots_[probe(key, h, key_at)];
    if (slot.pos != kNone) return slot.pos;
    slot = Slot{static_cast<std::uint32_t>(h), pos};
    ++size_;
    return kNone;
  }

private:
  struct Slot {
    std::uint32_t hash = 0;  // the low bits of Keys::hash: compared before the keys, kept for grow()
    std::uint32_t pos = kNone;
  };

  template <class KeyAt>
  std::size_t probe(std::string_view key, std::size_t h, const KeyAt& key_at) const {
    const std::size_t mask = slots_.size() - 1;
    for (std::size_t i = h & mask;; i = (i + 1) & mask) {
      const Slot& s = slots_[i];
      if (s.pos == kNone || (s.hash == static_cast<std::uint32_t>(h) && Keys::equal(key_at(s.pos), key))) return i;
    }
  }

  void grow() {
    const std::vector<Slot> old = std::exchange(slots_, std::vector<Slot>(slots_.size() * 2));
    const std::size_t mask = slots_.size() - 1;
    for (const Slot& s : old) {
      if (s.pos == kNone) continue;
      std::size_t i = s.hash & mask;
      while (slots_[i].pos != kNone) i = (i + 1) & mask;
      slots_[i] = s;
    }
  }

  std::vector<Slot> slots_;
  std::size_t size_ = 0;
};

using Lookup = std::function<std::optional<std::string>(const std::string&)>;

// Double-quoted escape expansion (spec/dotenv.md). `\$` becomes `$$` when the result is about to be
// interpolated (so it survives as `$`), else `$`.
std::string expand_escapes(std::string_view s, bool for_interpolation);

// Compose's ${VAR} rules on one value. `line` and `key` only label messages. Unset variables without
// a default become empty with a warning. Throws Error{bad_data} for an invalid template or a
// `${VAR:?msg}` / `${VAR?msg}` whose variable is missing.
std::string interpolate(std::string_view text, const Lookup& lookup, int line, std::string_view key,
                        std::vector<std::string>& warnings);

// The reader's entries: views into the parsed text, or into `storage` for the values the reader
// computed (quotes, escapes, interpolation). parse() copies them into Entry; encode_file() writes
// them as they are, without a string per value, for files of many thousands of lines.
struct EntryView {
  std::string_view key;
  std::string_view value;
  int line = 0;
  int end_line = 0;
};
struct ParsedViews {
  std::vector<EntryView> entries;      // as ParseResult
  std::vector<std::string> warnings;
  std::vector<EntryView> occurrences;
  std::deque<std::string> storage;     // computed values, at stable addresses
};
// parse(), without the copies: the views point into `text` (which must outlive them) and out.storage.
void parse_views(std::string_view text, const ParseOptions& opts, ParsedViews& out);
// write_encoded() over views.
std::string write_encoded(const std::vector<EntryView>& entries, std::string_view prefix, std::string_view source_name);

}  // namespace ks::dotenv::detail
