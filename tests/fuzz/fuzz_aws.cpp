// backends/aws: everything read from an AWS answer. Error bodies (JSON `__type` / `code`, the
// x-amzn-ErrorType header, XML <Code>) and their mapping; Secrets Manager answers as the backend
// reads them (values, ListSecrets entries, versions, BatchGetSecretValue); and the credential
// documents of the chain (IMDS / container JSON, credential_process output, STS XML, INI files,
// shell words).
#include "backends/aws/aws_backend.hpp"
#include "backends/aws/ini.hpp"
#include "backends/aws/metadata.hpp"
#include "backends/aws/process.hpp"
#include "backends/aws/sm_client.hpp"
#include "backends/aws/sts.hpp"
#include "tests/fuzz/fuzz_common.hpp"

using namespace ks;
using nlohmann::json;

namespace {

void errors(const std::string& body) {
  fuzz::each_status(body, [&](http::Response r) {
    aws::error_code(r);
    aws::map_error(r, "GetSecretValue");
    r.headers.add("x-amzn-ErrorType", fuzz::first_line(body).first);
    aws::map_error(r, "GetSecretValue");
  });
}

void answers(const json& doc) {
  fuzz::tolerate([&] { aws::secret_of(doc); });
  fuzz::each_listed(doc, "SecretList", "app/", [](const json& e, const char* p) { aws::info_of(e, p); });
  fuzz::tolerate([&] { aws::versions_of(doc); });
  fuzz::tolerate([&] { aws::next_token(doc, std::nullopt, false); });
  fuzz::tolerate([&] {
    std::map<std::string, Result<Secret>> by_id;
    aws::collect_batch(doc, by_id);
  });
  fuzz::tolerate([&] { aws::date_of(doc, "DeletionDate"); });
}

void credentials(const std::string& body) {
  fuzz::tolerate([&] { aws::parse_metadata_credentials(body, "fuzz"); });
  fuzz::tolerate([&] { aws::parse_process_output(body, "fuzz"); });
  fuzz::tolerate([&] { aws::parse_sts_credentials(body, "AssumeRole"); });
  fuzz::tolerate([&] { aws::xml_text(body, "Code"); });
  fuzz::tolerate([&] {
    auto ini = aws::parse_ini(body);
    aws::config_profile(ini, "default");
    aws::credentials_profile(ini, "default");
  });
  fuzz::tolerate([&] { aws::shell_split(fuzz::first_line(body).first); });
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string body = fuzz::text(data, size);
  errors(body);
  auto doc = json::parse(body, nullptr, false);
  if (doc.is_object()) answers(doc);  // SmClient::call refuses any other answer (bad_data)
  credentials(body);
  return 0;
}
