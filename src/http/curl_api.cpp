#include "src/http/curl_api.hpp"

#include <string>

#include "src/core/dynlib.hpp"

namespace ks::http::detail {
namespace {

constexpr const char* kHint = "HTTP requests need libcurl 7.85 or later (Debian package libcurl4)";

CurlApi load() {
  // libcurl's ~38 dependencies make thousands of lookups into libcrypto: in the global scope it is
  // found at once, instead of after the others (1.2 M instructions less per run, callgrind).
  dynlib::preload_global("libcrypto.so.3");
  CurlApi api = dynlib::load<CurlApi>(kCurlLibrary, kHint, [](dynlib::Library& lib, CurlApi& table) {
#define KS_CURL_BIND(name) lib.bind(table.name, "curl_" #name);
    KS_CURL_FUNCTIONS(KS_CURL_BIND)
#undef KS_CURL_BIND
  });
  if (CURLcode rc = api.global_init(CURL_GLOBAL_DEFAULT); rc != CURLE_OK)
    dynlib::cannot_load(kCurlLibrary, std::string("curl_global_init failed: ") + api.easy_strerror(rc), kHint);
  return api;
}

}  // namespace

const CurlApi& curl_api() {
  static const CurlApi api = load();  // a throwing load leaves it uninitialised: the next call retries
  return api;
}

}  // namespace ks::http::detail
