// The dotenv reader against every reading rule of spec/dotenv.md (each TEST_CASE names its rule),
// the Compose column of "How other readers differ", and the decisions of src/dotenv/reader.cpp.
#include <doctest/doctest.h>

#include <map>
#include <string>

#include "src/core/error.hpp"
#include "src/dotenv/dotenv.hpp"

using namespace ks;
using namespace ks::dotenv;

namespace {

ParseOptions compose_opts(bool interpolate = false, std::map<std::string, std::string> env = {}) {
  ParseOptions o;
  o.interpolate = interpolate;
  o.lookup = [env](const std::string& n) -> std::optional<std::string> {
    auto it = env.find(n);
    if (it == env.end()) return std::nullopt;
    return it->second;
  };
  return o;
}

std::map<std::string, std::string> values(std::string_view text, const ParseOptions& o = compose_opts()) {
  std::map<std::string, std::string> m;
  for (auto& e : parse(text, o).entries) m[e.key] = e.value;
  return m;
}

std::string value(std::string_view text, const std::string& key = "A", const ParseOptions& o = compose_opts()) {
  auto m = values(text, o);
  REQUIRE_MESSAGE(m.count(key), "no key " << key);
  return m[key];
}

std::string ipol(std::string_view text, std::map<std::string, std::string> env = {}) {
  return value(text, "A", compose_opts(true, std::move(env)));
}

// Parses text that must fail: returns the error, after checking kind and that no secret leaks.
Error failure(std::string_view text, const ParseOptions& o = compose_opts(), std::string_view secret = "hunter2") {
  try {
    parse(text, o);
  } catch (const Error& e) {
    CHECK(e.kind() == ErrorKind::bad_data);
    CHECK(std::string(e.what()).find(secret) == std::string::npos);
    CHECK(e.hint().find(secret) == std::string::npos);
    return e;
  }
  FAIL("no error for: " << text);
  return Error(ErrorKind::internal, "");
}

bool contains(const std::string& s, std::string_view part) { return s.find(part) != std::string::npos; }

ParseOptions raw_opts() {
  ParseOptions o;
  o.dialect = Dialect::raw;
  return o;
}

}  // namespace

// ---- encoding and lines -------------------------------------------------------------------------

TEST_CASE("dotenv compose: a leading UTF-8 BOM is skipped") {
  CHECK(value("\xEF\xBB\xBF" "A=1\n") == "1");
  CHECK(parse("\xEF\xBB\xBF" "A=1\n", compose_opts()).entries[0].key == "A");
}

TEST_CASE("dotenv compose: UTF-8 values are kept as bytes") {
  CHECK(value("A=pässwörd €\n") == "pässwörd €");
}

TEST_CASE("dotenv compose: CRLF files read as LF files (a \\r before \\n is trailing whitespace)") {
  auto m = values("A=1\r\nB=two words\r\nC=\"q\"\r\n# c\r\nD='s'\r\n");
  CHECK(m == std::map<std::string, std::string>{{"A", "1"}, {"B", "two words"}, {"C", "q"}, {"D", "s"}});
}

TEST_CASE("dotenv compose: a lone \\r is not a line end") {
  CHECK(value("A=x\rB=y\n") == "x\rB=y");
  CHECK(values("A=x\rB=y\n").count("B") == 0);
}

TEST_CASE("dotenv compose: the last line needs no newline") { CHECK(value("B=0\nA=last") == "last"); }

TEST_CASE("dotenv compose: entry line numbers (start and end)") {
  auto r = parse("\n# c\nA=1\nB=\"x\ny\nz\"\nC=3\n", compose_opts());
  REQUIRE(r.entries.size() == 3);
  CHECK(r.entries[0].line == 3);
  CHECK(r.entries[0].end_line == 3);
  CHECK(r.entries[1].line == 4);
  CHECK(r.entries[1].end_line == 6);
  CHECK(r.entries[2].line == 7);
}

// ---- blank lines, comments, export --------------------------------------------------------------

TEST_CASE("dotenv compose: blank lines and # comment lines are skipped") {
  auto m = values("\n   \n\t\n# comment A=no\n   # indented comment\nA=1\n\n#B=2\n");
  CHECK(m == std::map<std::string, std::string>{{"A", "1"}});
}

TEST_CASE("dotenv compose: an empty file has no entries") {
  CHECK(parse("", compose_opts()).entries.empty());
  CHECK(parse("\n\n# only comments\n", compose_opts()).entries.empty());
}

TEST_CASE("dotenv compose: a leading export is ignored") {
  CHECK(value("export A=1\n") == "1");
  CHECK(value("export   A=1\n") == "1");
  CHECK(value("export\tA=1\n") == "1");
  CHECK(value("exportA=1\n", "exportA") == "1");  // not the keyword
  CHECK(value("export=1\n", "export") == "1");
}

// ---- keys ---------------------------------------------------------------------------------------

TEST_CASE("dotenv compose: KEY=VALUE and KEY: VALUE") {
  CHECK(value("A=1\n") == "1");
  CHECK(value("A: 1\n") == "1");
  CHECK(value("A:1\n") == "1");
  CHECK(value("URL=http://h:80/p\n", "URL") == "http://h:80/p");
  CHECK(value("A:b=c\n") == "b=c");  // the first separator wins
}

TEST_CASE("dotenv compose: whitespace around KEY and before VALUE is ignored") {
  CHECK(value("   A   =   1\n") == "1");
  CHECK(value("\tA\t=\t1\n") == "1");
  CHECK(value("A :  1\n") == "1");
}

TEST_CASE("dotenv compose: key charset is Unicode letters, digits and _ . - [ ]") {
  auto m = values("a.b-c_d[0]=1\nclé=2\nКЛЮЧ=3\n鍵=4\n٣x=5\n");
  CHECK(m["a.b-c_d[0]"] == "1");
  CHECK(m["clé"] == "2");
  CHECK(m["КЛЮЧ"] == "3");
  CHECK(m["鍵"] == "4");
  CHECK(m["٣x"] == "5");
}

TEST_CASE("dotenv compose: a key may start with a digit") { CHECK(value("1A=x\n", "1A") == "x"); }

TEST_CASE("dotenv compose: a bad key character is an error naming the line and the key, not the value") {
  auto e = failure("A=1\nB=2\nMY$KEY=hunter2\n");
  CHECK(contains(e.what(), "line 3"));
  CHECK(contains(e.what(), "MY$KEY"));
  CHECK(contains(e.what(), "'$'"));
  for (auto text : {"A/B=hunter2\n", "A@B=hunter2\n", "\"A\"=hunter2\n", "A,B: hunter2\n", "A\xFF=hunter2\n"}) {
    auto e2 = failure(text);
    CHECK(contains(e2.what(), "line 1"));
  }
}

TEST_CASE("dotenv compose: whitespace inside a key is an error (DECISION: tabs too)") {
  CHECK(contains(failure("A B=hunter2\n").what(), "whitespace"));
  CHECK(contains(failure("A\tB=hunter2\n").what(), "line 1"));
}

TEST_CASE("dotenv compose: an empty key is an error (DECISION)") {
  CHECK(contains(failure("=hunter2\n").what(), "line 1"));
  CHECK(contains(failure("A=1\n  : hunter2\n").what(), "line 2"));
}

TEST_CASE("dotenv compose: a key that is not a shell name is accepted with a warning") {
  auto r = parse("spring.datasource.password=x\nOK_1=y\n", compose_opts());
  REQUIRE(r.entries.size() == 2);
  CHECK(r.entries[0].key == "spring.datasource.password");
  REQUIRE(r.warnings.size() == 1);
  CHECK(contains(r.warnings[0], "spring.datasource.password"));
  CHECK(contains(r.warnings[0], "spring_datasource_password"));
  CHECK(contains(r.warnings[0], "line 1"));
  auto d = parse("9LIVES=x\n", compose_opts());
  REQUIRE(d.warnings.size() == 1);
  CHECK(contains(d.warnings[0], "_9LIVES"));
}

TEST_CASE("dotenv is_shell_name") {
  CHECK(is_shell_name("A"));
  CHECK(is_shell_name("_a1"));
  CHECK_FALSE(is_shell_name(""));
  CHECK_FALSE(is_shell_name("1A"));
  CHECK_FALSE(is_shell_name("a.b"));
  CHECK_FALSE(is_shell_name("a-b"));
  CHECK_FALSE(is_shell_name("é"));
}

// ---- unquoted values ----------------------------------------------------------------------------

TEST_CASE("dotenv compose: unquoted value runs to the end of the line") {
  CHECK(value("A=one two  three\n") == "one two  three");
  CHECK(value("A=a'b\"c\n") == "a'b\"c");
  CHECK(value("A=a\\nb\n") == "a\\nb");  // no escapes outside double quotes
}

TEST_CASE("dotenv compose: unquoted ' #' starts a comment") {
  CHECK(value("A=x #y\n") == "x");
  CHECK(value("A=x   # y # z\n") == "x");
}

TEST_CASE("dotenv compose: unquoted a#b stays a#b") {
  CHECK(value("A=a#b\n") == "a#b");
  CHECK(value("A=#b\n") == "#b");
  CHECK(value("A= #b\n") == "#b");  // blanks before the value are not part of it (Compose)
}

TEST_CASE("dotenv compose: unquoted tab before # stays as written") { CHECK(value("A=a\t#b\n") == "a\t#b"); }

TEST_CASE("dotenv compose: unquoted trailing whitespace is trimmed") {
  CHECK(value("A=x  \t \n") == "x");
  CHECK(value("A=x\xE3\x80\x80\n") == "x");  // U+3000, Unicode space as Go's unicode.IsSpace
  CHECK(value("A=\n") == "");
  CHECK(value("A=   \n") == "");
}

// ---- single quotes ------------------------------------------------------------------------------

TEST_CASE("dotenv compose: single-quoted value is literal") {
  CHECK(value("A='a\\nb $X ${Y} \"q\" # not a comment'\n") == "a\\nb $X ${Y} \"q\" # not a comment");
  CHECK(value("A='  padded  '\n") == "  padded  ");
  CHECK(value("A=''\n") == "");
}

TEST_CASE("dotenv compose: single-quoted \\' is the only escape") {
  CHECK(value("A='it\\'s'\n") == "it's");
  CHECK(value("A='a\\\\b'\n") == "a\\\\b");
}

TEST_CASE("dotenv compose: single-quoted value may span lines") {
  CHECK(value("A='line1\nline2\n'\nB=2\n") == "line1\nline2\n");
}

// ---- double quotes ------------------------------------------------------------------------------

TEST_CASE("dotenv compose: double-quoted escapes \\a \\b \\f \\n \\r \\t \\v \\\\ \\\" \\$") {
  CHECK(value(R"(A="\a\b\f\n\r\t\v\\\"\$")" "\n") == "\a\b\f\n\r\t\v\\\"$");
  CHECK(value(R"(A="\$HOME")" "\n") == "$HOME");
}

TEST_CASE("dotenv compose: double-quoted octal \\0NNN") {
  CHECK(value(R"(A="\0101\0102")" "\n") == "AB");
  CHECK(value(R"(A="x\0000y")" "\n") == std::string("x\0y", 3));
  CHECK(value(R"(A="\01234")" "\n") == "S4");           // three digits at most
  CHECK(value(R"(A="\0377")" "\n") == "\xC3\xBF");      // Compose: the code point, UTF-8 encoded
  // Malformed octal is left as Compose leaves it (its rewrite drops the 0).
  CHECK(value(R"(A="\012")" "\n") == "\\12");
  CHECK(value(R"(A="\0")" "\n") == "\\");
  CHECK(value(R"(A="\0400")" "\n") == "\\400");
}

TEST_CASE("dotenv compose: double-quoted other \\x stays as written") {
  CHECK(value(R"(A="\x41\q\c\u00e9\'")" "\n") == "\\x41\\q\\c\\u00e9\\'");
  CHECK(value(R"(A="C:\path\to\x")" "\n") == "C:\\path\to\\x");  // \t is an escape, \p and \x are not
}

TEST_CASE("dotenv compose: double-quoted value may span lines") {
  CHECK(value("A=\"-----BEGIN-----\nabc\n-----END-----\"\nB=1\n") == "-----BEGIN-----\nabc\n-----END-----");
  CHECK(values("A=\"x\ny\"\nB=1\n")["B"] == "1");
}

TEST_CASE("dotenv compose: quoted values keep inner bytes (DECISION: \\r inside a CRLF quote stays)") {
  CHECK(value("A=\"a\r\nb\"\r\n") == "a\r\nb");
  CHECK(value("A='  a\tb  '\n") == "  a\tb  ");
}

TEST_CASE("dotenv compose: a quoted value may be preceded by blanks") { CHECK(value("A=   \"x y\"\n") == "x y"); }

TEST_CASE("dotenv compose: after the closing quote only whitespace or a # comment") {
  CHECK(value("A=\"x\"   \n") == "x");
  CHECK(value("A=\"x\" # comment\n") == "x");
  CHECK(value("A='x'\t# comment\n") == "x");
  CHECK(value("A=\"x\"# comment\n") == "x");  // Compose treats it as a comment too
  auto e = failure("A=\"x\"hunter2\n");
  CHECK(contains(e.what(), "line 1"));
  auto e2 = failure("A='x\ny' B=hunter2\n");
  CHECK(contains(e2.what(), "line 2"));
}

TEST_CASE("dotenv compose: unquoted value starting later with a quote is unquoted") {
  CHECK(value("A=a\"b\"\n") == "a\"b\"");
}

TEST_CASE("dotenv compose: an unterminated quote is an error with the line where the value started") {
  auto e = failure("A=1\nB=\"hunter2\nmore\nlines\n");
  CHECK(contains(e.what(), "line 2"));
  CHECK(contains(e.what(), "B"));
  auto e2 = failure("\n\nC='hunter2");
  CHECK(contains(e2.what(), "line 3"));
  auto e3 = failure("D=\"hunter2\\\"");  // the escaped quote does not close
  CHECK(contains(e3.what(), "line 1"));
}

// ---- lines without a separator, duplicates ------------------------------------------------------

TEST_CASE("dotenv compose: a line with no = or : is an error (DECISION)") {
  auto e = failure("A=1\nhunter2\n");
  CHECK(contains(e.what(), "line 2"));
  auto e2 = failure("A=1\n\nexport hunter2");
  CHECK(contains(e2.what(), "line 3"));
  failure("hunter2 with spaces\n");
}

TEST_CASE("dotenv compose: duplicate keys, the last wins, warning names key and both lines") {
  auto r = parse("A=hunter2\nB=b\nA=hunter3\n", compose_opts());
  REQUIRE(r.entries.size() == 2);
  CHECK(r.entries[0].key == "A");  // position of the first occurrence
  CHECK(r.entries[0].value == "hunter3");
  CHECK(r.entries[0].line == 1);
  CHECK(r.entries[1].key == "B");
  REQUIRE(r.warnings.size() == 1);
  CHECK(contains(r.warnings[0], "A"));
  CHECK(contains(r.warnings[0], "line 1"));
  CHECK(contains(r.warnings[0], "line 3"));
  CHECK_FALSE(contains(r.warnings[0], "hunter"));
}

TEST_CASE("dotenv compose: warnings never contain values") {
  auto r = parse("a.b=hunter2\na.b=hunter3\n", compose_opts());
  REQUIRE(r.warnings.size() == 2);
  for (const auto& w : r.warnings) {
    CHECK_FALSE(contains(w, "hunter"));
  }
}

// ---- interpolation ------------------------------------------------------------------------------

TEST_CASE("dotenv compose: no interpolation without --interpolate (DECISION)") {
  CHECK(value("A=${HOME}$X$$\n") == "${HOME}$X$$");
  CHECK(value("A=\"${HOME}$$\"\n") == "${HOME}$$");
  CHECK(value("B=1\nA=${B}\n") == "${B}");
}

TEST_CASE("dotenv compose interpolate: ${VAR} and $VAR") {
  CHECK(ipol("A=${X}/$X/${x_1}\n", {{"X", "v"}, {"x_1", "w"}}) == "v/v/w");
  CHECK(ipol("A=\"pre-${X}-post\"\n", {{"X", "v"}}) == "pre-v-post");
  CHECK(ipol("A=$X.y\n", {{"X", "v"}}) == "v.y");
}

TEST_CASE("dotenv compose interpolate: an unset variable is empty, with a warning") {
  auto r = parse("A=a${NOPE}b\n", compose_opts(true));
  CHECK(r.entries[0].value == "ab");
  REQUIRE(r.warnings.size() == 1);
  CHECK(contains(r.warnings[0], "NOPE"));
}

TEST_CASE("dotenv compose interpolate: $$ is a literal $") {
  CHECK(ipol("A=$$X\n", {{"X", "v"}}) == "$X");
  CHECK(ipol("A=\"a$$b\"\n") == "a$b");
  CHECK(ipol("A=\"\\$X\"\n", {{"X", "v"}}) == "$X");  // \$ survives interpolation as Compose
}

TEST_CASE("dotenv compose interpolate: a $ that starts no variable stays") {
  CHECK(ipol("A=cost $5 and $ and end$\n") == "cost $5 and $ and end$");
}

TEST_CASE("dotenv compose interpolate: ${VAR:-default} and ${VAR-default}") {
  CHECK(ipol("A=${X:-d}\n") == "d");
  CHECK(ipol("A=${X:-d}\n", {{"X", ""}}) == "d");
  CHECK(ipol("A=${X:-d}\n", {{"X", "v"}}) == "v");
  CHECK(ipol("A=${X-d}\n") == "d");
  CHECK(ipol("A=${X-d}\n", {{"X", ""}}) == "");
  CHECK(ipol("A=${X:-${Y:-deep}}!\n") == "deep!");
  CHECK(ipol("A=${X:-a b}\n") == "a b");
}

TEST_CASE("dotenv compose interpolate: ${VAR:+alt} and ${VAR+alt}") {
  CHECK(ipol("A=${X:+alt}\n", {{"X", "v"}}) == "alt");
  CHECK(ipol("A=${X:+alt}\n", {{"X", ""}}) == "");
  CHECK(ipol("A=${X+alt}\n", {{"X", ""}}) == "alt");
  CHECK(ipol("A=${X+alt}\n") == "");
}

TEST_CASE("dotenv compose interpolate: ${VAR:?err} and ${VAR?err} fail when missing") {
  CHECK(ipol("A=${X:?need X}\n", {{"X", "v"}}) == "v");
  CHECK(ipol("A=${X?need X}\n", {{"X", ""}}) == "");
  auto e = failure("A=${X:?need X}\n", compose_opts(true, {{"X", ""}}));
  CHECK(contains(e.what(), "X"));
  CHECK(contains(e.what(), "need X"));
  CHECK(contains(e.what(), "line 1"));
  failure("A=${X?need}\n", compose_opts(true));
}

TEST_CASE("dotenv compose interpolate: an invalid ${...} is an error that does not echo the value") {
  auto e = failure("A=hunter2${X:x}\n", compose_opts(true));
  CHECK(contains(e.what(), "line 1"));
  failure("A=hunter2${}\n", compose_opts(true));
  failure("A=hunter2${1}\n", compose_opts(true));
  failure("A=hunter2${X\n", compose_opts(true));
  failure("A=hunter2${X:-${Y}\n", compose_opts(true));
}

TEST_CASE("dotenv compose interpolate: never in single-quoted values") {
  CHECK(ipol("A='${X} $X $$'\n", {{"X", "v"}}) == "${X} $X $$");
}

TEST_CASE("dotenv compose interpolate: earlier entries of the file first, then the environment") {
  CHECK(ipol("X=file\nA=${X}\n", {{"X", "env"}}) == "file");
  CHECK(ipol("A=${X}\nX=file\n", {{"X", "env"}}) == "env");  // later entries are not seen
  CHECK(ipol("X=1\nX=2\nA=$X\n") == "2");
  CHECK(ipol("X=\"${Y:-a}\"\nA=${X}b\n") == "ab");
}

TEST_CASE("dotenv compose interpolate: comment stripped and trimmed before expansion") {
  CHECK(ipol("A=${X} #c\n", {{"X", "v w"}}) == "v w");
}

// ---- "How other readers differ": the Compose column ---------------------------------------------

TEST_CASE("dotenv compose differ-table: A=x#y is x#y") { CHECK(value("A=x#y\n") == "x#y"); }
TEST_CASE("dotenv compose differ-table: A=x #y is x") { CHECK(value("A=x #y\n") == "x"); }
TEST_CASE("dotenv compose differ-table: A=\"a\\nb\" is a newline") { CHECK(value("A=\"a\\nb\"\n") == "a\nb"); }
TEST_CASE("dotenv compose differ-table: A=\"a\\\"b\" is a\"b") { CHECK(value("A=\"a\\\"b\"\n") == "a\"b"); }
TEST_CASE("dotenv compose differ-table: A='${B}' is ${B}") {
  CHECK(value("B=x\nA='${B}'\n") == "${B}");
  CHECK(ipol("B=x\nA='${B}'\n") == "${B}");
}
TEST_CASE("dotenv compose differ-table: export A=1 is 1") { CHECK(value("export A=1\n") == "1"); }

// ---- raw ----------------------------------------------------------------------------------------

TEST_CASE("dotenv raw: everything after the first = is the value, byte for byte") {
  auto o = raw_opts();
  CHECK(value("A=\"quoted\" # not a comment  \n", "A", o) == "\"quoted\" # not a comment  ");
  CHECK(value("A=b=c==\n", "A", o) == "b=c==");
  CHECK(value("A=\n", "A", o) == "");
  CHECK(value("A=x\r\n", "A", o) == "x\r");  // DECISION: byte for byte, the \r stays
  CHECK(value("A=\xFF\xFE\x01\n", "A", o) == "\xFF\xFE\x01");
  CHECK(value("A=${X} $$\n", "A", o) == "${X} $$");
  CHECK(value("A=  lead\n", "A", o) == "  lead");
}

TEST_CASE("dotenv raw: blank and # lines are skipped, the last line needs no newline") {
  auto m = values("\n  \n# c=1\n  # d=2\nA=1\nB=2", raw_opts());
  CHECK(m == std::map<std::string, std::string>{{"A", "1"}, {"B", "2"}});
}

TEST_CASE("dotenv raw: a leading BOM is skipped") { CHECK(value("\xEF\xBB\xBF" "A=1\n", "A", raw_opts()) == "1"); }

TEST_CASE("dotenv raw: a line without = is an error (DECISION, like compose)") {
  auto e = failure("A=1\nhunter2\n", raw_opts());
  CHECK(contains(e.what(), "line 2"));
}

TEST_CASE("dotenv raw: a key outside the key charset is an error naming it") {
  auto e = failure("export A=hunter2\n", raw_opts());
  CHECK(contains(e.what(), "export A"));
  failure("=hunter2\n", raw_opts());
}

TEST_CASE("dotenv raw: duplicates and non-shell keys warn as in compose") {
  auto r = parse("a.b=1\na.b=2\n", raw_opts());
  REQUIRE(r.entries.size() == 1);
  CHECK(r.entries[0].value == "2");
  CHECK(r.warnings.size() == 2);
}

TEST_CASE("dotenv parse_dialect") {
  CHECK(parse_dialect("compose") == Dialect::compose);
  CHECK(parse_dialect("raw") == Dialect::raw);
  CHECK_THROWS_AS(parse_dialect("node"), Error);
}
