// Internal to src/dotenv: UTF-8 decoding and the character classes the compose dialect uses (Go's
// unicode.IsSpace / IsLetter / IsNumber, as Docker Compose's reader does), plus the interpolation
// and escape expansion shared by the reader. Not part of the public API (see dotenv.hpp).
#pragma once

#include <cstddef>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

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

// A key of the compose dialect: not empty, every character is_key_char.
bool is_compose_key(std::string_view key);
// The key as shown in messages: printable ASCII and valid non-ASCII UTF-8 as is; other bytes as \xNN.
std::string printable(std::string_view key);
// Compose's trailing trim (Go unicode.IsSpace).
std::string_view trim_right_space(std::string_view s);

using Lookup = std::function<std::optional<std::string>(const std::string&)>;

// Double-quoted escape expansion (spec/dotenv.md). `\$` becomes `$$` when the result is about to be
// interpolated (so it survives as `$`), else `$`.
std::string expand_escapes(std::string_view s, bool for_interpolation);

// Compose's ${VAR} rules on one value. `line` and `key` only label messages. Unset variables without
// a default become empty with a warning. Throws Error{bad_data} for an invalid template or a
// `${VAR:?msg}` / `${VAR?msg}` whose variable is missing.
std::string interpolate(std::string_view text, const Lookup& lookup, int line, std::string_view key,
                        std::vector<std::string>& warnings);

}  // namespace ks::dotenv::detail
