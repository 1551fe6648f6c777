#include "src/dotenv/text.hpp"

#include <algorithm>
#include <cstdio>

namespace ks::dotenv::detail {

Rune decode_utf8_multibyte(std::string_view s, std::size_t pos) {
  auto b = [&](std::size_t i) { return static_cast<unsigned char>(s[pos + i]); };
  unsigned char c = b(0);
  std::size_t len = 0;
  char32_t cp = 0;
  char32_t min = 0;
  if (c >= 0xC2 && c <= 0xDF) {
    len = 2, cp = c & 0x1F, min = 0x80;
  } else if (c >= 0xE0 && c <= 0xEF) {
    len = 3, cp = c & 0x0F, min = 0x800;
  } else if (c >= 0xF0 && c <= 0xF4) {
    len = 4, cp = c & 0x07, min = 0x10000;
  } else {
    return {0xFFFD, 1, false};
  }
  if (pos + len > s.size()) return {0xFFFD, 1, false};
  for (std::size_t i = 1; i < len; ++i) {
    if ((b(i) & 0xC0) != 0x80) return {0xFFFD, 1, false};
    cp = (cp << 6) | (b(i) & 0x3F);
  }
  if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return {0xFFFD, 1, false};
  return {cp, len, true};
}

void append_utf8(std::string& out, char32_t cp) {
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xC0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xE0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (cp >> 18));
    out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  }
}

bool is_valid_utf8(std::string_view s) {
  for (std::size_t i = 0; i < s.size();) {
    Rune r = decode_utf8(s, i);
    if (!r.valid) return false;
    i += r.len;
  }
  return true;
}

bool is_letter_or_number(char32_t cp) {
  const CodeRange* begin = kLetterNumberRanges;
  const CodeRange* end = kLetterNumberRanges + kLetterNumberRangeCount;
  auto it = std::upper_bound(begin, end, cp, [](char32_t v, const CodeRange& r) { return v < r.first; });
  return it != begin && cp <= (it - 1)->last;
}

bool is_unicode_space(char32_t cp) {
  switch (cp) {
    case '\t': case '\n': case '\v': case '\f': case '\r': case ' ': case 0x85: case 0xA0:
    case 0x1680: case 0x2028: case 0x2029: case 0x202F: case 0x205F: case 0x3000:
      return true;
    default:
      return cp >= 0x2000 && cp <= 0x200A;
  }
}

bool is_inline_space(char32_t cp) {
  switch (cp) {
    case '\t': case '\v': case '\f': case '\r': case ' ': case 0x85: case 0xA0:
      return true;
    default:
      return false;
  }
}

bool is_key_char_multibyte(char32_t cp) { return is_letter_or_number(cp); }

bool is_compose_key_multibyte(std::string_view key) {
  if (key.empty()) return false;
  for (std::size_t i = 0; i < key.size();) {
    Rune r = decode_utf8(key, i);
    if (!r.valid || !is_key_char(r.cp)) return false;
    i += r.len;
  }
  return true;
}

std::string printable(std::string_view key) {
  std::string out;
  for (std::size_t i = 0; i < key.size();) {
    Rune r = decode_utf8(key, i);
    bool control = r.cp < 0x20 || r.cp == 0x7F || (r.cp >= 0x80 && r.cp < 0xA0);
    if (r.valid && !control) {
      out.append(key.substr(i, r.len));
    } else {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\x%02X", static_cast<unsigned char>(key[i]));
      out += buf;
      r.len = 1;
    }
    i += r.len;
  }
  return out;
}

// Backwards, one code point at a time: values are long and their ends short.
std::string_view trim_right_space_multibyte(std::string_view s) {
  std::size_t end = s.size();
  while (end > 0) {
    std::size_t start = end - 1;
    while (start > 0 && end - start < 4 && (static_cast<unsigned char>(s[start]) & 0xC0) == 0x80) --start;
    Rune r = decode_utf8(s, start);
    if (start + r.len != end) return s.substr(0, end);  // a stray byte: not a space
    if (!r.valid || !is_unicode_space(r.cp)) break;
    end = start;
  }
  return s.substr(0, end);
}

}  // namespace ks::dotenv::detail
