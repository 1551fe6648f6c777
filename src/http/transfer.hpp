// Internal to src/http: one request's life inside the client (its attempts on a curl easy handle),
// how curl's result codes are classified, and the tracer. Only client.cpp and transfer.cpp use it.
#pragma once

#include <chrono>
#include <optional>
#include <string>

#include "src/http/client.hpp"
#include "src/http/curl_api.hpp"

namespace ks::http::detail {

using SteadyClock = std::chrono::steady_clock;

// What a finished attempt means for the request.
enum class TransportClass {
  ok,          // a complete HTTP response arrived
  not_sent,    // failed before the request could reach the server: always safe to retry
  maybe_sent,  // failed after sending started (reset, truncated, timed out): idempotent only
  tls,         // certificate not trusted / bad CA file: never retried, hint about --ca-file
  too_large,   // the response passed kMaxResponseBytes: bad_data
  bad_url,     // malformed URL or unsupported scheme: config
  fatal,       // anything else curl reports: unavailable, not retried
};

struct Job {
  const Request* original = nullptr;
  Request current;  // the original after Policy::prepare for this attempt
  int attempt = 0;
  int max_attempts = 1;
  SteadyClock::time_point not_before{};
  bool in_flight = false;
  std::optional<Result> result;

  // The current attempt.
  CURL* easy = nullptr;
  curl_slist* header_list = nullptr;
  Response response;
  bool too_large = false;
  char errbuf[CURL_ERROR_SIZE] = {};
};

// Sets every option of the attempt on job.easy (already reset). `timeout` bounds this attempt.
void configure_easy(Job& job, const Options& options, std::chrono::milliseconds timeout,
                    CURLSH* share);
// Frees what configure_easy allocated for the attempt.
void release_attempt(Job& job);

// Classifies a finished attempt; `connected` tells whether a connection had been made.
TransportClass classify_transport(CURLcode code, bool too_large, bool connected);
// A short human description of a transport failure ("connection refused", "timed out", ...).
std::string describe_transport(CURLcode code, const char* errbuf);

// Seconds from a Retry-After value (delta-seconds or HTTP date); nullopt if absent or unreadable.
std::optional<std::chrono::milliseconds> parse_retry_after(const std::optional<std::string>& value);

// Tracing: every line passes through src/http/redact.
void trace_request(const Options& options, const Job& job);
void trace_response(const Options& options, const Job& job);
void trace_failure(const Options& options, const Job& job, const std::string& problem);
void trace_line(const Options& options, const std::string& line);

}  // namespace ks::http::detail
