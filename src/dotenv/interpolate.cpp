// Escape expansion of double-quoted values and Compose's variable interpolation
// (compose-go template package: `$$`, `$VAR`, `${VAR}`, `${VAR:-w}`, `${VAR-w}`, `${VAR:+w}`,
// `${VAR+w}`, `${VAR:?msg}`, `${VAR?msg}`; names `[_A-Za-z][_A-Za-z0-9]*`; a `$` that starts none of
// these stays as written; `${` followed by anything else is an error).
#include <fmt/format.h>

#include "src/core/error.hpp"
#include "src/dotenv/text.hpp"

namespace ks::dotenv::detail {
namespace {

bool is_name_start(char c) {
  return c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}
bool is_name_char(char c) { return is_name_start(c) || (c >= '0' && c <= '9'); }
bool is_digit(char c) { return c >= '0' && c <= '9'; }

// `\0` followed by up to three digits, as Compose reads it: it rewrites `\0NNN` to Go's `\NNN` and
// unquotes that. Three octal digits worth at most 255 give that code point (UTF-8 encoded, as Go's
// string(rune) does: `\0377` is U+00FF); anything else is kept as Compose leaves it, i.e. without
// the `0` (`\012` stays `\12`, a lone `\0` becomes `\`). Returns the bytes consumed after `\`.
std::size_t expand_octal(std::string_view s, std::size_t i, std::string& out) {
  std::size_t n = 0;
  while (n < 3 && i + 1 + n < s.size() && is_digit(s[i + 1 + n])) ++n;
  std::string_view digits = s.substr(i + 1, n);
  bool octal = n == 3 && digits.find_first_of("89") == std::string_view::npos;
  int value = octal ? (digits[0] - '0') * 64 + (digits[1] - '0') * 8 + (digits[2] - '0') : 256;
  if (value <= 255) {
    append_utf8(out, static_cast<char32_t>(value));
  } else {
    out += '\\';
    out.append(digits);
  }
  return 1 + n;
}

class Interpolator {
public:
  Interpolator(const Lookup& lookup, int line, std::string_view key, std::vector<std::string>& warnings)
      : lookup_(lookup), line_(line), key_(key), warnings_(warnings) {}

  std::string run(std::string_view t) {
    std::string out;
    std::size_t i = 0;
    while (i < t.size()) {
      std::size_t dollar = t.find('$', i);
      if (dollar == std::string_view::npos) dollar = t.size();
      out.append(t.substr(i, dollar - i));
      i = dollar;
      if (i >= t.size()) break;
      i = dollar_at(t, i, out);
    }
    return out;
  }

private:
  // t[i] is '$'; appends its expansion and returns the index after it.
  std::size_t dollar_at(std::string_view t, std::size_t i, std::string& out) {
    char next = i + 1 < t.size() ? t[i + 1] : '\0';
    if (next == '$') {
      out += '$';
      return i + 2;
    }
    if (i + 1 < t.size() && is_name_start(next)) {
      std::size_t j = i + 1;
      while (j < t.size() && is_name_char(t[j])) ++j;
      out += plain(std::string(t.substr(i + 1, j - i - 1)));
      return j;
    }
    if (next == '{') return braced(t, i, out);
    out += '$';
    return i + 1;
  }

  std::string plain(const std::string& name) {
    if (auto v = lookup_(name)) return *v;
    warnings_.push_back(fmt::format("line {}: variable {} in the value of {} is not set; using an empty string",
                                    line_, name, printable(key_)));
    return {};
  }

  [[noreturn]] void invalid() {
    throw Error(ErrorKind::bad_data,
                fmt::format("line {}: invalid ${{...}} interpolation in the value of {}", line_, printable(key_)),
                "write $$ for a literal $, or drop --interpolate");
  }

  // t[i..] is "${"; handles the whole braced form.
  std::size_t braced(std::string_view t, std::size_t i, std::string& out) {
    std::size_t p = i + 2;
    if (p >= t.size() || !is_name_start(t[p])) invalid();
    std::size_t name_end = p;
    while (name_end < t.size() && is_name_char(t[name_end])) ++name_end;
    std::string name(t.substr(p, name_end - p));
    p = name_end;
    if (p < t.size() && t[p] == '}') {
      out += plain(name);
      return p + 1;
    }
    bool colon = p < t.size() && t[p] == ':';
    if (colon) ++p;
    if (p >= t.size() || (t[p] != '-' && t[p] != '+' && t[p] != '?')) invalid();
    char op = t[p++];
    std::size_t close = matching_brace(t, p);
    out += apply(name, colon, op, t.substr(p, close - p));
    return close + 1;
  }

  // Index of the `}` that closes a `${` whose word starts at p (nested braces counted).
  std::size_t matching_brace(std::string_view t, std::size_t p) {
    int depth = 1;
    for (; p < t.size(); ++p) {
      if (t[p] == '{') ++depth;
      if (t[p] == '}' && --depth == 0) return p;
    }
    invalid();
  }

  std::string apply(const std::string& name, bool colon, char op, std::string_view word) {
    std::optional<std::string> v = lookup_(name);
    bool present = v.has_value() && (!colon || !v->empty());
    switch (op) {
      case '-':
        return present ? *v : run(word);
      case '+':
        return present ? run(word) : v.value_or(std::string());
      default:  // '?'
        if (present) return *v;
        // The message is the file's literal text, never a looked-up value.
        throw Error(ErrorKind::bad_data,
                    fmt::format("line {}: required variable {} is missing{}: {}", line_, name,
                                colon ? " or empty" : "", printable(word)));
    }
  }

  const Lookup& lookup_;
  int line_;
  std::string_view key_;
  std::vector<std::string>& warnings_;
};

}  // namespace

std::string expand_escapes(std::string_view s, bool for_interpolation) {
  std::string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] != '\\' || i + 1 >= s.size()) {
      out += s[i];
      continue;
    }
    char c = s[i + 1];
    switch (c) {
      case 'a': out += '\a'; break;
      case 'b': out += '\b'; break;
      case 'f': out += '\f'; break;
      case 'n': out += '\n'; break;
      case 'r': out += '\r'; break;
      case 't': out += '\t'; break;
      case 'v': out += '\v'; break;
      case '\\': out += '\\'; break;
      case '"': out += '"'; break;
      case '$': out += for_interpolation ? "$$" : "$"; break;
      case '0': i += expand_octal(s, i + 1, out) - 1; break;
      default: out += '\\'; continue;  // any other `\x` stays as written
    }
    ++i;
  }
  return out;
}

std::string interpolate(std::string_view text, const Lookup& lookup, int line, std::string_view key,
                        std::vector<std::string>& warnings) {
  return Interpolator(lookup, line, key, warnings).run(text);
}

}  // namespace ks::dotenv::detail
