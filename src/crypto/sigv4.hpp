// AWS Signature Version 4, written from the specification (spec/providers.md §1.7), no SDK.
// A signer is correct when it reproduces AWS's test suite byte for byte: tests/unit/test_sigv4.cpp
// runs every case of tests/vectors/sigv4 (header and presigned-query variants).
// CONTRACT: pure functions of their inputs (the clock is a parameter, so callers re-sign each retry
// with a fresh time). Every header passed in Request::headers is signed, and it must include Host.
// Nothing here logs; the returned strings contain no secret except the session token where
// AWS requires it (X-Amz-Security-Token), which the HTTP tracer redacts.
#pragma once

#include <chrono>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace ks::crypto::sigv4 {

using TimePoint = std::chrono::system_clock::time_point;
using HeaderList = std::vector<std::pair<std::string, std::string>>;

inline constexpr std::string_view kAlgorithm = "AWS4-HMAC-SHA256";
inline constexpr std::string_view kUnsignedPayload = "UNSIGNED-PAYLOAD";

struct Credentials {
  std::string access_key_id;
  std::string secret_access_key;
  std::string session_token;  // empty when the credentials are long-term
};

struct Request {
  std::string method;       // "GET", "POST", ...
  std::string path;         // as sent on the wire, e.g. "/" (empty means "/")
  std::string query;        // as sent on the wire, without '?'; may be percent-encoded or raw UTF-8
  HeaderList headers;       // the headers to sign (names in any case, repeats allowed); needs Host
  std::string_view payload; // the body that will be sent
};

struct Options {
  bool normalize_path = true;       // remove dot segments and empty segments; false for S3
  bool encode_path = true;          // URI-encode each path segment (again); false for S3
  bool add_content_sha256 = false;  // add and sign x-amz-content-sha256 (S3; the suite's sign_body)
  bool unsigned_payload = false;    // hash the payload as "UNSIGNED-PAYLOAD" (S3 streaming)
  bool omit_session_token = false;  // add the token after signing, unsigned (suite: sts-after)
};

// Header-based signing.
struct SignedHeaders {
  std::string canonical_request;
  std::string string_to_sign;
  std::string signature;      // lower-case hex
  std::string authorization;  // the value of the Authorization header
  std::string amz_date;       // YYYYMMDD'T'HHMMSS'Z'
  HeaderList headers_to_add;  // X-Amz-Date, [X-Amz-Security-Token], [x-amz-content-sha256], Authorization
};

SignedHeaders sign(const Request& request, const Credentials& credentials, std::string_view region,
                   std::string_view service, TimePoint now, const Options& options = {});

// Query-based signing (presigned URL).
struct PresignedQuery {
  std::string canonical_request;
  std::string string_to_sign;
  std::string signature;
  std::string query;  // the complete query string to send (no '?'), X-Amz-Signature included
};

PresignedQuery presign(const Request& request, const Credentials& credentials, std::string_view region,
                       std::string_view service, TimePoint now, std::chrono::seconds expires,
                       const Options& options = {});

// Building blocks, public for tests and for providers that need them (e.g. canonical encoding).
std::string uri_encode(std::string_view bytes, bool keep_slash);  // SigV4 UriEncode
std::string percent_decode(std::string_view text);                // %XX → byte; '+' stays '+'
std::string canonical_uri(std::string_view path, const Options& options);
std::string canonical_query(std::string_view query);
std::string amz_date(TimePoint t);
std::string signing_key(std::string_view secret, std::string_view yyyymmdd, std::string_view region,
                        std::string_view service);  // raw bytes; wipe after use

}  // namespace ks::crypto::sigv4
