// backends/azure: everything read from a Key Vault answer. The error envelope (code, innererror)
// and its mapping, the body check, secret bundles (value, id, tags, attributes), list pages and
// versions, and the 401 challenge's WWW-Authenticate header.
#include "backends/azure/azure_backend.hpp"
#include "backends/azure/credentials.hpp"
#include "backends/azure/kv_client.hpp"
#include "tests/fuzz/fuzz_common.hpp"

using namespace ks;
using nlohmann::json;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string body = fuzz::text(data, size);
  fuzz::each_status(body, [](const http::Response& r) { azure::map_error(r, "get"); });
  if (auto c = azure::parse_challenge(body)) {
    c->resource();
    azure::challenge_resource_ok("https://kv.vault.azure.net", c->scope);
  }
  fuzz::tolerate([&] {
    auto doc = azure::parse_object(body, "get");
    fuzz::tolerate([&] { azure::secret_of(doc); });
    // KvClient::for_each refuses a `value` that is not an array; each item is a secret or a version.
    fuzz::each_listed(doc, "value", "app/", [](const json& e, const char* p) {
      azure::info_of(e, p);
      azure::version_of(e);
    });
  });
  return 0;
}
