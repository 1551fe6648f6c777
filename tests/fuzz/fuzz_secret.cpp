// src/secret: Kestra's subkey extraction (the value parsed as JSON) and the printable form of a
// field store's value. Input: the subkey on the first line, the stored value after it.
#include <nlohmann/json.hpp>

#include "src/secret/secret.hpp"
#include "tests/fuzz/fuzz_common.hpp"

using namespace ks;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const auto parts = fuzz::first_line(fuzz::text(data, size));
  const std::string& subkey = parts.first;
  const std::string& value = parts.second;
  Secret text = Secret::text(value);
  KS_FUZZ_CHECK(text.printable() == value);
  fuzz::tolerate([&] { extract_subkey(text, "k", subkey); });
  is_valid_utf8(value);
  auto doc = nlohmann::json::parse(value, nullptr, false);
  if (!doc.is_discarded()) {
    Secret fields;
    fields.fields = doc;
    fuzz::tolerate([&] { fields.printable(); });
    fuzz::tolerate([&] { extract_subkey(fields, "k", subkey); });
    for (const auto& item : doc) fuzz::tolerate([&] { json_field_text(item); });
  }
  return 0;
}
