// backends/vault: everything read from a Vault answer. The `errors` envelope and its mapping, the
// body check, KV v1/v2 reads (data.data, data.metadata), LIST answers, and KV v2 metadata
// documents (custom_metadata, versions).
#include "backends/vault/vault_client.hpp"
#include "backends/vault/vault_kv.hpp"
#include "tests/fuzz/fuzz_common.hpp"

using namespace ks;
using nlohmann::json;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string body = fuzz::text(data, size);
  fuzz::each_status(body, [](const http::Response& r) {
    vault::error_text(r);
    vault::map_error(r, "read of 'k'");
  });
  for (long status : {200L, 404L})
    for (int kv : {1, 2})
      for (bool versioned : {false, true})
        fuzz::tolerate([&] {
          SecretRef ref{"k"};
          if (versioned) ref.version = "3";
          auto [s, info] = vault::read_answer(status, body, kv, ref);
          s.printable();
        });
  fuzz::tolerate([&] {
    auto doc = vault::parse_body(fuzz::response(200, body), "read");
    fuzz::tolerate([&] { vault::list_answer(doc); });
    const json& d = vault::data_of(doc);
    fuzz::tolerate([&] { vault::info_from_metadata(d); });
    fuzz::tolerate([&] { vault::versions_from_metadata(d); });
    fuzz::tolerate([&] { vault::tags_of(d.value("custom_metadata", json())); });
    fuzz::tolerate([&] { vault::version_state(d); });
  });
  return 0;
}
