// The value model shared by every backend, and Kestra's secret(key, subkey=...) rules (spec/kestra.md
// §4), written once here for every store.
// A Secret is bytes, or (for field stores such as Vault KV) a JSON object of named fields.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>

namespace ks {

struct Secret {
  std::string bytes;                    // the value, exact bytes (unused when `fields` is set)
  std::optional<nlohmann::json> fields; // field stores: a JSON object of named fields
  std::optional<std::string> version;   // provider version id, when the store has versions

  static Secret text(std::string b) { return Secret{std::move(b), std::nullopt, std::nullopt}; }

  // What `get` prints without --subkey: the bytes; for a field store, the bytes of the only field
  // `value` when that is the only field and a string, else the fields as compact JSON, keys sorted.
  std::string printable() const;
};

// Kestra's secret(key, subkey=F): the top-level field F of the value parsed as JSON (or of the
// fields). A string gives its text, a number or boolean its JSON text, null gives "null", arrays and
// objects compact JSON. Throws Error{not_found} "Cannot find secret sub-key 'F' in secret 'K'." when
// the field is absent, Error{bad_data} "Failed to read secret sub-key ..." when the value is not a
// JSON object.
std::string extract_subkey(const Secret& secret, const std::string& key, const std::string& subkey);

// The text of a JSON value as Kestra's subkey rule gives it.
std::string json_field_text(const nlohmann::json& v);

// True when the bytes are valid UTF-8 (stores that hold only text refuse anything else).
bool is_valid_utf8(std::string_view bytes);

// Kestra's not-found message for a key: "Cannot find secret for key 'K'."
std::string not_found_message(const std::string& key);

}  // namespace ks
