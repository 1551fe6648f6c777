// The one HTTP client of kestra-secrets (libcurl; nothing else includes curl). Every provider
// backend sends through it, and so gets the same timeouts, retries, TLS rules and redacted tracing.
//
// CONTRACT
// - TLS is verified unless Options::tls_verify is false (only Elasticsearch's trust-all-ssl).
// - A request is attempted at most max_attempts times, all within the overall deadline
//   (Options::timeout, the --timeout of the whole command, counted from the Client's creation).
//   Policy::prepare runs before EVERY attempt on a fresh copy of the request, so signers re-sign
//   (new X-Amz-Date) and token holders refresh.
// - Retried: connection failures before the request was sent (always safe); transport failures
//   after it may have been sent (reset, truncated body, timeout) only when Request::idempotent;
//   responses per Policy::classify (default: 429 always; 500/502/503/504 when idempotent).
//   Retry-After (seconds or HTTP date) is honoured; backoff is exponential with full jitter.
// - send() returns every response that is not retried, whatever its status: mapping 4xx/5xx to
//   error kinds is the provider's job (error_kind_for_status helps). It throws ks::Error:
//   unavailable (unreachable, timed out, TLS not trusted, still failing after the retries),
//   bad_data (response larger than kMaxResponseBytes), config (malformed URL).
// - Error messages name the host, the status and the attempts, never a header or a body.
// - Tracing (-v: one line per attempt; -vv: headers and bodies) goes through src/http/redact.
// - Not thread-safe: one Client per thread; send_many gives concurrency.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "src/core/error.hpp"
#include "src/http/headers.hpp"
#include "src/http/transport_config.hpp"

namespace ks::http {

using namespace std::chrono_literals;

inline constexpr std::chrono::milliseconds kDefaultConnectTimeout = 10s;
inline constexpr std::chrono::milliseconds kDefaultRequestTimeout = 30s;  // one attempt
inline constexpr int kDefaultMaxAttempts = 3;                              // as the AWS SDKs
inline constexpr std::chrono::milliseconds kDefaultBackoffBase = 500ms;
inline constexpr std::chrono::milliseconds kDefaultBackoffCap = 20s;      // botocore's cap
inline constexpr std::chrono::milliseconds kDefaultMaxRetryAfter = 30s;   // longer: give up at once
inline constexpr int kDefaultConcurrency = 8;
inline constexpr size_t kMaxResponseBytes = 64u << 20;

struct Request {
  Request() = default;
  Request(std::string method_, std::string url_, Headers headers_ = {}, std::string body_ = {},
          bool idempotent_ = true)
      : method(std::move(method_)), url(std::move(url_)), headers(std::move(headers_)),
        body(std::move(body_)), idempotent(idempotent_) {}

  std::string method = "GET";
  std::string url;
  Headers headers;
  std::string body;
  // May this request be sent twice? GETs, PUT-by-id, AWS reads (POST but side-effect free), writes
  // that carry an idempotency token. False: never retried once it may have reached the server.
  bool idempotent = true;
};

struct Response {
  long status = 0;
  Headers headers;  // of the final response (case-insensitive lookup)
  std::string body;
  double seconds = 0;   // duration of the last attempt
  int attempts = 0;     // attempts made, including this one
  long new_connections = 0;  // connections this attempt had to open (0 = reused)
};

using Result = std::variant<Response, Error>;

enum class Retry {
  no,              // final: hand the response to the caller
  if_idempotent,   // transient, but the server may have acted on it (e.g. 500, 503)
  always,          // the server did not process it (429, throttling codes): safe even for POST
};

// The default classification: 429 → always; 500, 502, 503, 504 → if_idempotent; others → no.
Retry default_classify(const Response& response);

struct Policy {
  std::function<void(Request&, int attempt)> prepare;           // attempt counts from 1
  std::function<std::optional<Retry>(const Response&)> classify;  // nullopt → default_classify
  int max_attempts = 0;                                          // 0 → Options::max_attempts
};

struct Options {
  std::chrono::milliseconds connect_timeout = kDefaultConnectTimeout;
  std::chrono::milliseconds request_timeout = kDefaultRequestTimeout;
  std::chrono::milliseconds timeout{0};  // whole operation (--timeout); 0 = no overall deadline
  int max_attempts = kDefaultMaxAttempts;
  std::chrono::milliseconds backoff_base = kDefaultBackoffBase;
  std::chrono::milliseconds backoff_cap = kDefaultBackoffCap;
  std::chrono::milliseconds max_retry_after = kDefaultMaxRetryAfter;
  int concurrency = kDefaultConcurrency;  // requests in flight in send_many; connections per host
  std::string ca_file;                    // PEM bundle used instead of the system store
  std::string ca_source;                  // where ca_file came from, for hints ("--ca-file", ...)
  bool tls_verify = true;
  ProxyConfig proxy;                      // usually proxy_from_env(ctx)
  int trace_level = 0;                    // 0 off, 1 one line per attempt, 2 headers and bodies
  std::function<void(std::string_view line)> trace_sink;  // default: stderr
  std::string user_agent = "kestra-secrets/" KS_VERSION;
};

// 401/403 → denied, 404 → not_found, 409/412 → conflict, 429/5xx → unavailable, other 4xx →
// bad_data... as a starting point for providers, which know better for their own codes.
ErrorKind error_kind_for_status(long status);

// Why a body that should hold JSON is unusable, for error messages: its content type and size,
// never its content: " (text/html, 96 bytes: an error page from a proxy or a load balancer?)".
std::string body_summary(const Response& response);

// The host[:port] of a URL, for messages.
std::string host_of(std::string_view url);
// The Host header value curl sends for a URL: lower-case host, port only when not the scheme's
// default (https 443, http 80). Signers (SigV4) sign this, and set it on the request explicitly.
std::string host_header_of(std::string_view url);

class Client {
public:
  explicit Client(Options options = {});
  ~Client();
  Client(const Client&) = delete;
  Client& operator=(const Client&) = delete;

  Response send(const Request& request, const Policy& policy = {});
  // Up to Options::concurrency at a time; results in the order of the requests. One policy for all.
  std::vector<Result> send_many(const std::vector<Request>& requests, const Policy& policy = {});

  const Options& options() const { return options_; }
  // Moves the overall deadline (e.g. when a command's --timeout starts later than the Client).
  void set_deadline(std::chrono::steady_clock::time_point deadline) { deadline_ = deadline; }

private:
  struct Engine;
  Options options_;
  std::optional<std::chrono::steady_clock::time_point> deadline_;
  std::unique_ptr<Engine> engine_;
};

}  // namespace ks::http
