// Internal to src/http: libcurl's functions, loaded at the first HTTP request (dlopen of
// libcurl.so.4 through src/core/dynlib, each function found with dlsym). The binary is compiled against curl's headers
// but not linked with libcurl, so commands that send nothing (encode-env, --version, completion,
// check-config without --connect, the env backend) never load it nor the ~38 libraries it pulls in
// (ldap, kerberos, ssh2, nghttp2, psl, idn2...), whose symbol resolution was most of their start-up.
// client.cpp and transfer.cpp call curl through this table only: a direct call to a curl_ function
// would not link. The Debian package must therefore declare `Depends: libcurl4 (>= 7.85.0)`.
#pragma once

#include <curl/curl.h>

namespace ks::http::detail {

inline constexpr const char* kCurlLibrary = "libcurl.so.4";

// Every curl function src/http calls, once: the table's members and the symbols looked up.
#define KS_CURL_FUNCTIONS(X)                                                                          \
  X(global_init) X(getdate) X(slist_append) X(slist_free_all) X(share_init) X(share_setopt)          \
  X(share_cleanup) X(easy_init) X(easy_setopt) X(easy_getinfo) X(easy_reset) X(easy_cleanup)         \
  X(easy_strerror) X(multi_init) X(multi_setopt) X(multi_add_handle) X(multi_remove_handle)          \
  X(multi_perform) X(multi_info_read) X(multi_poll) X(multi_cleanup)

// api.easy_setopt(...) is curl_easy_setopt(...), with the type curl.h declares.
struct CurlApi {
#define KS_CURL_MEMBER(name) decltype(&::curl_##name) name = nullptr;
  KS_CURL_FUNCTIONS(KS_CURL_MEMBER)
#undef KS_CURL_MEMBER
};

// libcurl's functions, loaded and curl_global_init'ed by the first call (thread-safe); the same
// table afterwards. Throws Error{internal} naming libcurl.so.4 when the library cannot be loaded or
// lacks one of the functions; a later call retries. CURLOPT_PROTOCOLS_STR needs libcurl 7.85.
const CurlApi& curl_api();

}  // namespace ks::http::detail
