// `encode-env`: .env → .env_encoded, --decode for the way back, --check to compare without writing.
//
// Decisions where spec/cli.md is silent (documented in the README and man page by the lead):
// - --decode reads ./.env_encoded and writes ./.env by default; it writes the dotenv format (which
//   the compose dialect reads back identically), or raw `KEY=value` lines with --dialect raw.
// - --check compares key → value maps (order and comments ignored). A missing or unreadable OUTPUT
//   counts as different (exit 10), as does an OUTPUT the reader rejects; INPUT errors stay errors.
// - OUTPUT naming the same file as INPUT is refused (exit 2): the conversion would destroy its input.
// - --interpolate applies to the compose dialect only; with --dialect raw or --decode it is exit 2.
// - --prefix may hold letters, digits and `_ . -` only (it becomes part of variable names).
#include "cmd/encode_env.hpp"

#include <fmt/format.h>
#include <sys/stat.h>

#include <cstdio>
#include <filesystem>
#include <map>

#include "src/core/error.hpp"
#include "src/core/fs.hpp"
#include "src/dotenv/dotenv.hpp"
#include "src/output/diag.hpp"

namespace ks::cmd {
namespace {

constexpr const char* kDefaultEnv = ".env";
constexpr const char* kDefaultEncoded = ".env_encoded";
constexpr const char* kStdio = "-";

struct Plan {
  std::string input;
  std::string output;
  dotenv::Dialect dialect = dotenv::Dialect::compose;
};

bool same_file(const std::string& a, const std::string& b) {
  struct stat sa {}, sb {};
  if (::stat(a.c_str(), &sa) == 0 && ::stat(b.c_str(), &sb) == 0)
    return sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
  std::error_code ec;
  auto ca = std::filesystem::weakly_canonical(a, ec);
  auto cb = std::filesystem::weakly_canonical(b, ec);
  return !ec && ca == cb;
}

void check_prefix(const std::string& prefix) {
  for (char c : prefix) {
    bool ok = c == '_' || c == '.' || c == '-' || (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') ||
              (c >= 'a' && c <= 'z');
    if (!ok)
      throw Error(ErrorKind::usage, "--prefix may hold only letters, digits and _ . -",
                  "the prefix becomes part of every variable name");
  }
}

Plan plan_of(const EncodeEnvOptions& o) {
  Plan p;
  p.input = o.input.value_or(o.decode ? kDefaultEncoded : kDefaultEnv);
  p.output = o.output.value_or(o.decode ? kDefaultEnv : kDefaultEncoded);
  p.dialect = dotenv::parse_dialect(o.dialect);
  check_prefix(o.prefix);
  if (o.interpolate && (o.decode || p.dialect == dotenv::Dialect::raw))
    throw Error(ErrorKind::usage, "--interpolate applies to the compose dialect only",
                o.decode ? "an .env_encoded file holds Base64, which has nothing to interpolate"
                         : "drop --dialect raw or --interpolate");
  if (o.check && p.output == kStdio)
    throw Error(ErrorKind::usage, "--check needs an OUTPUT file to compare, not '-'");
  if (p.input == kStdio && p.output == kStdio && o.check)
    throw Error(ErrorKind::usage, "--check cannot compare standard input with standard output");
  if (p.input != kStdio && p.output != kStdio && same_file(p.input, p.output))
    throw Error(ErrorKind::usage, fmt::format("OUTPUT '{}' is the INPUT file", p.output),
                "name another OUTPUT with -O");
  return p;
}

std::string source_name(const std::string& input) {
  if (input == kStdio) return "standard input";
  return std::filesystem::path(input).filename().string();
}

// The conversion's result: the entries it carries (for --check only), their count, and the
// document to write.
struct Converted {
  std::vector<dotenv::Entry> entries;
  std::size_t count = 0;
  std::string document;
  std::vector<std::string> warnings;
};

Converted convert(const Plan& p, const EncodeEnvOptions& o, const Context& ctx, const std::string& text) {
  Converted c;
  if (o.decode) {
    c.entries = dotenv::read_encoded(text, o.prefix, &c.warnings);
    c.document = p.dialect == dotenv::Dialect::raw ? dotenv::write_raw(c.entries)
                                                   : dotenv::write_plain(c.entries, dotenv::Format::dotenv);
    c.count = c.entries.size();
    return c;
  }
  dotenv::ParseOptions po;
  po.dialect = p.dialect;
  po.interpolate = o.interpolate;
  po.lookup = [&ctx](const std::string& name) { return ctx.getenv(name); };
  if (!o.check) {  // the document only: one pass, no string per value (bench/encode_env)
    auto encoded = dotenv::encode_file(text, po, o.prefix, source_name(p.input));
    c.document = std::move(encoded.document);
    c.count = encoded.entries;
    c.warnings = std::move(encoded.warnings);
    return c;
  }
  auto parsed = dotenv::parse(text, po);
  c.document = dotenv::write_encoded(parsed.entries, o.prefix, source_name(p.input));
  c.entries = std::move(parsed.entries);
  c.count = c.entries.size();
  c.warnings = std::move(parsed.warnings);
  return c;
}

void say(const EncodeEnvOptions& o, const std::string& message) {
  if (o.quiet || out::diag().quiet) return;
  std::string line = "kestra-secrets: " + message + "\n";
  std::fwrite(line.data(), 1, line.size(), stderr);
}

std::string key_list(const std::vector<std::string>& keys) {
  std::string s;
  for (const auto& k : keys) s += (s.empty() ? "" : ", ") + k;
  return s;
}

// What OUTPUT holds now, as entries; nullopt (with the reason said) when it cannot be read.
std::optional<std::vector<dotenv::Entry>> current_output(const Plan& p, const EncodeEnvOptions& o) {
  if (!fs::exists(p.output)) {
    say(o, fmt::format("'{}' is out of date: it does not exist", p.output));
    return std::nullopt;
  }
  try {
    std::string text = fs::read_file(p.output);
    if (!o.decode) return dotenv::read_encoded(text, o.prefix);
    dotenv::ParseOptions po;
    po.dialect = p.dialect;
    return dotenv::parse(text, po).entries;
  } catch (const Error& e) {
    say(o, fmt::format("'{}' is out of date: {}", p.output, e.what()));
    return std::nullopt;
  }
}

int check(const Plan& p, const EncodeEnvOptions& o, const Converted& c) {
  auto existing = current_output(p, o);
  if (!existing) return exit_code(ErrorKind::different);
  std::map<std::string, const std::string*> want, have;
  for (const auto& e : c.entries) want[e.key] = &e.value;
  for (const auto& e : *existing) have[e.key] = &e.value;
  std::vector<std::string> changed, missing, extra;
  for (const auto& [k, v] : want) {
    auto it = have.find(k);
    if (it == have.end())
      missing.push_back(k);
    else if (*it->second != *v)
      changed.push_back(k);
  }
  for (const auto& [k, v] : have)
    if (!want.count(k)) extra.push_back(k);
  if (changed.empty() && missing.empty() && extra.empty()) {
    out::note(fmt::format("'{}' is up to date ({} keys)", p.output, want.size()));
    return 0;
  }
  std::vector<std::string> parts;
  if (!changed.empty()) parts.push_back("different value: " + key_list(changed));
  if (!missing.empty()) parts.push_back("missing: " + key_list(missing));
  if (!extra.empty()) parts.push_back("not in the input: " + key_list(extra));
  std::string all;
  for (const auto& s : parts) all += (all.empty() ? "" : "; ") + s;
  say(o, fmt::format("'{}' is out of date ({})", p.output, all));
  return exit_code(ErrorKind::different);
}

}  // namespace

int run_encode_env(const EncodeEnvOptions& opts, const Context& ctx) {
  Plan p = plan_of(opts);
  if (p.input != kStdio && !fs::exists(p.input))
    throw Error(ErrorKind::usage, fmt::format("input file '{}' does not exist", p.input),
                opts.decode ? "name the .env_encoded file to decode" : "name the .env file to encode");
  std::string text = fs::read_file(p.input, ErrorKind::usage);
  Converted c = convert(p, opts, ctx, text);
  if (!opts.quiet)
    for (const auto& w : c.warnings) out::warn(w);
  if (opts.check) return check(p, opts, c);
  fs::write_file_atomic(p.output, c.document, 0600);
  out::note(fmt::format("wrote {} keys to '{}'", c.count, p.output == kStdio ? "standard output" : p.output));
  return 0;
}

}  // namespace ks::cmd
