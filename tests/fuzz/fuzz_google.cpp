// backends/google: everything read from a Secret Manager answer. The error envelope
// ({"error":{code,message,status}}) and its mapping, :access answers (payload.data, CRC32C),
// Secret resources (labels, annotations) and list pages of secrets and versions.
#include "backends/google/google_backend.hpp"
#include "backends/google/sm_client.hpp"
#include "tests/fuzz/fuzz_common.hpp"

using namespace ks;
using nlohmann::json;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string body = fuzz::text(data, size);
  fuzz::each_status(body, [](const http::Response& r) { google::map_error(r, "GET /projects/p/secrets/s"); });
  auto doc = json::parse(body, nullptr, false);
  if (doc.is_discarded() || !doc.is_object()) return 0;  // the client stops there (bad_data)
  fuzz::tolerate([&] { google::secret_of(doc, "k"); });
  fuzz::tolerate([&] { google::tags_of(doc); });
  fuzz::each_listed(doc, "secrets", "app_", [](const json& e, const char* p) { google::info_of(e, p); });
  fuzz::each_listed(doc, "versions", "", [](const json& v, const char*) { google::version_of(v); });
  return 0;
}
