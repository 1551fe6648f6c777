// dotenv: the reader (dialects `compose` and `raw`, spec/dotenv.md) and the writers of
// `.env_encoded` and of plain-value formats. Pure functions over strings: no file I/O here.
// CONTRACT: no error or warning text ever contains a value; they name line numbers and keys.
#pragma once

#include <cstddef>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ks::dotenv {

enum class Dialect { compose, raw };

// Parses "compose" or "raw"; throws Error{usage} otherwise.
Dialect parse_dialect(std::string_view name);

struct Entry {
  std::string key;
  std::string value;   // exact bytes
  int line = 0;        // 1-based line where the entry starts
  int end_line = 0;    // 1-based line where it ends (a quoted value may span lines); 0 = `line`
};

struct ParseOptions {
  Dialect dialect = Dialect::compose;
  bool interpolate = false;  // compose only: ${VAR}, ${VAR:-default}, $VAR, $$ (Compose's rules)
  // Where interpolation looks variables up, after the earlier entries of the file. DECISION: the
  // file first, so a file converts the same way wherever it runs (compose-go asks its lookup
  // function first and the file's earlier entries second).
  std::function<std::optional<std::string>(const std::string&)> lookup;
  // Also return every occurrence of every key, duplicates included, with their line spans (for
  // writers that edit a file in place and must remove every line that defines a key).
  bool keep_occurrences = false;
};

struct ParseResult {
  std::vector<Entry> entries;          // duplicates resolved: one entry per key (see parse())
  std::vector<std::string> warnings;   // e.g. duplicate keys, non-shell key names; never values
  std::vector<Entry> occurrences;      // with keep_occurrences: every entry as written, in order
};

// Parses a whole file. Throws Error{bad_data} naming the line for a syntax error (bad key character,
// unterminated quote, line without '=' or ':').
// Duplicate keys: the last value wins, with a warning naming the key and both line numbers; the
// entry keeps the position of its first occurrence.
ParseResult parse(std::string_view text, const ParseOptions& opts);

// `.env_encoded`: a generated-file comment naming `source_name`, then `<prefix><KEY>=<base64>` per
// entry, in order, standard Base64 with padding, never wrapped. Throws Error{usage} when two keys
// are equal after upper-casing (Kestra fails to start on them), naming both keys.
std::string write_encoded(const std::vector<Entry>& entries, std::string_view prefix,
                          std::string_view source_name);

// encode-env in one pass: write_encoded(parse(text, opts).entries, prefix, source_name), with the
// same errors, without a string per value (files of many thousands of lines). `entries` and
// `warnings` are what parse() would give.
struct EncodedFile {
  std::string document;
  std::size_t entries = 0;
  std::vector<std::string> warnings;
};
EncodedFile encode_file(std::string_view text, const ParseOptions& opts, std::string_view prefix,
                        std::string_view source_name);

// Reads an `.env_encoded` text back: every `<prefix>KEY=base64` line, prefix stripped, value decoded
// (line breaks removed first, as Kestra does). Lines without the prefix are ignored.
// Throws Error{bad_data} naming the line (never the value) for invalid Base64.
std::vector<Entry> read_encoded(std::string_view text, std::string_view prefix);
// The same, reading the text with the compose dialect (comments, CRLF, quotes as Compose would);
// duplicate-key warnings are appended to `warnings`.
std::vector<Entry> read_encoded(std::string_view text, std::string_view prefix,
                                std::vector<std::string>* warnings);

enum class Format { dotenv, shell, docker, json, yaml, env_encoded };
// Parses a --format name; throws Error{usage} otherwise.
Format parse_format(std::string_view name);

// Writes entries (already in the order to write) in a plain-value format of spec/dotenv.md.
// Throws Error{usage} naming the key when a value cannot be carried (NUL; newline for docker; bytes
// that are not UTF-8 for json, yaml and docker), when a key cannot be a name in that format (a
// compose key for dotenv/docker/env-encoded, a shell name for shell), or when a key appears twice.
// json and yaml sort the keys by bytes; env-encoded uses the prefix SECRET_.
std::string write_plain(const std::vector<Entry>& entries, Format format);

// `KEY=value` lines that the `raw` dialect reads back byte for byte (any bytes, UTF-8 or not).
// Throws Error{usage} naming the key for a value with a newline or a NUL, or a key the raw dialect
// would refuse.
std::string write_raw(const std::vector<Entry>& entries);

// True when the key is a shell name ([A-Za-z_][A-Za-z0-9_]*).
bool is_shell_name(std::string_view key);

}  // namespace ks::dotenv
