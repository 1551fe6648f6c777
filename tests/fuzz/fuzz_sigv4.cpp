// src/crypto/sigv4: canonicalisation and signing of arbitrary requests, written as the AWS suite's
// request.txt files are ("METHOD target HTTP/1.1", header lines "Name:value", a blank line, the
// body). UriEncode must be undone by percent_decode byte for byte.
#include "src/crypto/sigv4.hpp"
#include "tests/fuzz/fuzz_common.hpp"

using namespace ks::crypto::sigv4;

namespace {

Request request_of(const std::string& input) {
  Request r;
  auto [start, rest] = ks::fuzz::first_line(input);
  auto sp1 = start.find(' ');
  r.method = start.substr(0, sp1);
  std::string target = sp1 == std::string::npos ? "" : start.substr(sp1 + 1);
  if (auto sp2 = target.rfind(" HTTP/"); sp2 != std::string::npos) target.resize(sp2);
  auto q = target.find('?');
  r.path = target.substr(0, q);
  if (q != std::string::npos) r.query = target.substr(q + 1);
  size_t pos = 0;
  while (pos < rest.size()) {
    size_t nl = rest.find('\n', pos);
    std::string line = rest.substr(pos, nl == std::string::npos ? std::string::npos : nl - pos);
    pos = nl == std::string::npos ? rest.size() : nl + 1;
    if (line.empty()) break;
    auto colon = line.find(':');
    r.headers.emplace_back(line.substr(0, colon), colon == std::string::npos ? "" : line.substr(colon + 1));
  }
  static thread_local std::string body;
  body = rest.substr(std::min(pos, rest.size()));
  r.payload = body;
  return r;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string input = ks::fuzz::text(data, size);
  KS_FUZZ_CHECK(percent_decode(uri_encode(input, false)) == input);
  KS_FUZZ_CHECK(percent_decode(uri_encode(input, true)) == input);
  percent_decode(input);
  canonical_query(input);
  Request req = request_of(input);
  Options plain, s3;
  s3.normalize_path = false;
  s3.encode_path = false;
  s3.add_content_sha256 = true;
  s3.omit_session_token = true;
  canonical_uri(req.path, plain);
  canonical_uri(req.path, s3);
  canonical_query(req.query);
  Credentials creds{"AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", "session-token"};
  auto now = TimePoint{std::chrono::seconds{1440938160}};
  for (const auto* o : {&plain, &s3}) {
    ks::fuzz::tolerate([&] {
      auto s = sign(req, creds, "us-east-1", "service", now, *o);
      KS_FUZZ_CHECK(s.signature.size() == 64);
    });
    ks::fuzz::tolerate([&] { presign(req, creds, "us-east-1", "service", now, std::chrono::seconds{3600}, *o); });
  }
  return 0;
}
