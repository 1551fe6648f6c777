// The dotenv reader (src/dotenv) over arbitrary file text: both dialects, Compose interpolation,
// the `.env_encoded` reader, and the writers' round trips (raw and env-encoded read back what they
// wrote; json parses back to the same values).
#include <nlohmann/json.hpp>

#include "src/dotenv/dotenv.hpp"
#include "src/secret/secret.hpp"
#include "tests/fuzz/fuzz_common.hpp"

using namespace ks;
using namespace ks::dotenv;

namespace {

std::optional<std::string> lookup(const std::string& name) {
  if (name.size() % 2 == 0) return std::nullopt;  // some names set, some not
  return "v-" + name;
}

void round_trips(const std::vector<Entry>& entries) {
  fuzz::tolerate([&] {
    std::string raw = write_raw(entries);
    ParseOptions o;
    o.dialect = Dialect::raw;
    auto back = parse(raw, o).entries;
    KS_FUZZ_CHECK(back.size() == entries.size());
    for (size_t i = 0; i < back.size(); ++i)
      KS_FUZZ_CHECK(back[i].key == entries[i].key && back[i].value == entries[i].value);
  });
  fuzz::tolerate([&] {
    std::string enc = write_encoded(entries, "SECRET_", "fuzz.env");
    auto back = read_encoded(enc, "SECRET_");
    KS_FUZZ_CHECK(back.size() == entries.size());
    for (size_t i = 0; i < back.size(); ++i)
      KS_FUZZ_CHECK(back[i].key == entries[i].key && back[i].value == entries[i].value);
  });
  fuzz::tolerate([&] {
    auto doc = nlohmann::json::parse(write_plain(entries, Format::json));
    KS_FUZZ_CHECK(doc.is_object() && doc.size() == entries.size());
    for (const auto& e : entries) KS_FUZZ_CHECK(doc.at(e.key) == e.value);
  });
  for (auto f : {Format::dotenv, Format::shell, Format::docker, Format::yaml, Format::env_encoded})
    fuzz::tolerate([&] { write_plain(entries, f); });
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string input = fuzz::text(data, size);
  for (int mode = 0; mode < 3; ++mode) {
    fuzz::tolerate([&] {
      ParseOptions o;
      o.dialect = mode == 2 ? Dialect::raw : Dialect::compose;
      o.interpolate = mode == 1;
      o.lookup = lookup;
      o.keep_occurrences = true;
      auto r = parse(input, o);
      for (const auto& e : r.occurrences) KS_FUZZ_CHECK(e.line >= 1 && (e.end_line == 0 || e.end_line >= e.line));
      round_trips(r.entries);
    });
  }
  fuzz::tolerate([&] { read_encoded(input, "SECRET_"); });
  fuzz::tolerate([&] {
    std::vector<std::string> warnings;
    read_encoded(input, "SECRET_", &warnings);
  });
  return 0;
}
