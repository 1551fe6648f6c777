#include "src/http/transfer.hpp"

#include <cstdio>
#include <ctime>

#include "src/http/redact.hpp"

namespace ks::http::detail {
namespace {

size_t on_body(char* data, size_t size, size_t count, void* user) {
  auto* job = static_cast<Job*>(user);
  size_t n = size * count;
  if (job->response.body.size() + n > kMaxResponseBytes) {
    job->too_large = true;
    return 0;  // makes curl abort the transfer with CURLE_WRITE_ERROR
  }
  job->response.body.append(data, n);
  return n;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r' || s.back() == '\n')) {
    s.remove_suffix(1);
  }
  return s;
}

size_t on_header(char* data, size_t size, size_t count, void* user) {
  auto* job = static_cast<Job*>(user);
  std::string_view line(data, size * count);
  if (line.starts_with("HTTP/")) {
    job->response.headers.clear();  // a new response (after 100 Continue, or a proxy CONNECT)
  } else if (size_t colon = line.find(':'); colon != std::string_view::npos) {
    job->response.headers.add(std::string(trim(line.substr(0, colon))), std::string(trim(line.substr(colon + 1))));
  }
  return size * count;
}

void set_method_and_body(CURL* easy, const Request& r) {
  if (r.method == "GET" && r.body.empty()) {
    curl_api().easy_setopt(easy, CURLOPT_HTTPGET, 1L);
    return;
  }
  if (r.method == "HEAD") {
    curl_api().easy_setopt(easy, CURLOPT_NOBODY, 1L);
    return;
  }
  if (r.method != "POST") curl_api().easy_setopt(easy, CURLOPT_CUSTOMREQUEST, r.method.c_str());
  if (!r.body.empty() || r.method == "POST" || r.method == "PUT" || r.method == "PATCH") {
    curl_api().easy_setopt(easy, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(r.body.size()));
    curl_api().easy_setopt(easy, CURLOPT_POSTFIELDS, r.body.c_str());
  }
}

curl_slist* build_headers(const Request& r) {
  curl_slist* list = nullptr;
  for (const auto& [name, value] : r.headers) {
    // "Name;" is curl's way to send a header with an empty value.
    std::string line = value.empty() ? name + ";" : name + ": " + value;
    list = curl_api().slist_append(list, line.c_str());
  }
  if (!r.headers.contains("Expect")) list = curl_api().slist_append(list, "Expect:");  // no 100-continue wait
  return list;
}

void set_tls_and_proxy(CURL* easy, const Request& r, const Options& o) {
  curl_api().easy_setopt(easy, CURLOPT_SSL_VERIFYPEER, o.tls_verify ? 1L : 0L);
  curl_api().easy_setopt(easy, CURLOPT_SSL_VERIFYHOST, o.tls_verify ? 2L : 0L);
  if (!o.ca_file.empty()) {
    // Instead of the system store, as curl --cacert: no CA directory either.
    curl_api().easy_setopt(easy, CURLOPT_CAINFO, o.ca_file.c_str());
    curl_api().easy_setopt(easy, CURLOPT_CAPATH, nullptr);
  }
  const std::string& proxy = r.url.starts_with("https://") ? o.proxy.https : o.proxy.http;
  // Always set: "" disables the proxy, so curl never reads the process environment itself.
  curl_api().easy_setopt(easy, CURLOPT_PROXY, proxy.c_str());
  curl_api().easy_setopt(easy, CURLOPT_NOPROXY, o.proxy.no_proxy.c_str());
}

}  // namespace

void configure_easy(Job& job, const Options& o, std::chrono::milliseconds timeout, CURLSH* share) {
  CURL* easy = job.easy;
  const Request& r = job.current;
  job.response = Response{};
  job.too_large = false;
  job.errbuf[0] = '\0';
  curl_api().easy_setopt(easy, CURLOPT_URL, r.url.c_str());
  curl_api().easy_setopt(easy, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_api().easy_setopt(easy, CURLOPT_NOSIGNAL, 1L);
  curl_api().easy_setopt(easy, CURLOPT_FOLLOWLOCATION, 0L);
  curl_api().easy_setopt(easy, CURLOPT_SHARE, share);
  curl_api().easy_setopt(easy, CURLOPT_PRIVATE, &job);
  curl_api().easy_setopt(easy, CURLOPT_ERRORBUFFER, job.errbuf);
  curl_api().easy_setopt(easy, CURLOPT_USERAGENT, o.user_agent.c_str());
  curl_api().easy_setopt(easy, CURLOPT_ACCEPT_ENCODING, "");
  curl_api().easy_setopt(easy, CURLOPT_HTTP_VERSION, static_cast<long>(CURL_HTTP_VERSION_2TLS));
  // Prefer multiplexing on an HTTP/2 connection, which only https can negotiate (2TLS above). On
  // http:// nothing multiplexes, and waiting made concurrent requests wait for the first answer.
  curl_api().easy_setopt(easy, CURLOPT_PIPEWAIT, r.url.starts_with("https://") ? 1L : 0L);
  curl_api().easy_setopt(easy, CURLOPT_TCP_KEEPALIVE, 1L);
  curl_api().easy_setopt(easy, CURLOPT_CONNECTTIMEOUT_MS,
                         static_cast<long>(std::min(o.connect_timeout, timeout).count()));
  curl_api().easy_setopt(easy, CURLOPT_TIMEOUT_MS, static_cast<long>(std::max<long long>(1, timeout.count())));
  curl_api().easy_setopt(easy, CURLOPT_WRITEFUNCTION, &on_body);
  curl_api().easy_setopt(easy, CURLOPT_WRITEDATA, &job);
  curl_api().easy_setopt(easy, CURLOPT_HEADERFUNCTION, &on_header);
  curl_api().easy_setopt(easy, CURLOPT_HEADERDATA, &job);
  set_method_and_body(easy, r);
  job.header_list = build_headers(r);
  curl_api().easy_setopt(easy, CURLOPT_HTTPHEADER, job.header_list);
  set_tls_and_proxy(easy, r, o);
}

void release_attempt(Job& job) {
  if (job.header_list != nullptr) curl_api().slist_free_all(job.header_list);
  job.header_list = nullptr;
}

TransportClass classify_transport(CURLcode code, bool too_large, bool connected) {
  if (too_large) return TransportClass::too_large;
  switch (code) {
    case CURLE_OK: return TransportClass::ok;
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_RESOLVE_PROXY:
    case CURLE_COULDNT_CONNECT:
    case CURLE_SSL_CONNECT_ERROR:  // handshake failed: no request bytes were sent
      return TransportClass::not_sent;
    case CURLE_OPERATION_TIMEDOUT:
      return connected ? TransportClass::maybe_sent : TransportClass::not_sent;
    case CURLE_GOT_NOTHING:
    case CURLE_SEND_ERROR:
    case CURLE_RECV_ERROR:
    case CURLE_PARTIAL_FILE:
    case CURLE_HTTP2:
    case CURLE_HTTP2_STREAM:
    case CURLE_WEIRD_SERVER_REPLY:
    case CURLE_BAD_CONTENT_ENCODING:
      return TransportClass::maybe_sent;
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_CERTPROBLEM:
    case CURLE_SSL_CACERT_BADFILE:
    case CURLE_SSL_ISSUER_ERROR:
    case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
    case CURLE_SSL_INVALIDCERTSTATUS:
      return TransportClass::tls;
    case CURLE_URL_MALFORMAT:
    case CURLE_UNSUPPORTED_PROTOCOL:
      return TransportClass::bad_url;
    default: return TransportClass::fatal;
  }
}

std::string describe_transport(CURLcode code, const char* errbuf) {
  switch (code) {
    case CURLE_COULDNT_CONNECT: return "connection refused or unreachable";
    case CURLE_COULDNT_RESOLVE_HOST: return "cannot resolve the host name";
    case CURLE_COULDNT_RESOLVE_PROXY: return "cannot resolve the proxy's host name";
    case CURLE_OPERATION_TIMEDOUT: return "timed out";
    case CURLE_GOT_NOTHING: return "the server closed the connection without answering";
    case CURLE_RECV_ERROR: return "the connection was reset while reading the response";
    case CURLE_SEND_ERROR: return "the connection was reset while sending the request";
    case CURLE_PARTIAL_FILE: return "the response was cut short (fewer bytes than announced)";
    default: break;
  }
  // curl's own text is about the transport (certificates, protocols), never about our payload.
  return errbuf != nullptr && errbuf[0] != '\0' ? std::string(errbuf) : std::string(curl_api().easy_strerror(code));
}

std::optional<std::chrono::milliseconds> parse_retry_after(const std::optional<std::string>& value) {
  if (!value || value->empty()) return std::nullopt;
  const std::string& v = *value;
  if (v.find_first_not_of("0123456789") == std::string::npos) {
    if (v.size() > 9) return std::chrono::hours(24 * 365);  // absurd: treated as "too long"
    return std::chrono::seconds(std::stol(v));
  }
  time_t when = curl_api().getdate(v.c_str(), nullptr);
  if (when < 0) return std::nullopt;
  time_t now = std::time(nullptr);
  return std::chrono::seconds(when > now ? when - now : 0);
}

void trace_line(const Options& o, const std::string& line) {
  if (o.trace_level < 1) return;
  if (o.trace_sink) {
    o.trace_sink(line);
  } else {
    std::fprintf(stderr, "%s\n", line.c_str());
  }
}

void trace_request(const Options& o, const Job& job) {
  if (o.trace_level < 2) return;
  const Request& r = job.current;
  trace_line(o, "http: > " + r.method + " " + redact_url(r.url) + " (attempt " + std::to_string(job.attempt) +
                    "/" + std::to_string(job.max_attempts) + ")");
  for (const auto& [name, value] : r.headers) trace_line(o, "http: > " + name + ": " + redact_header(name, value));
  if (!r.body.empty()) {
    trace_line(o, "http: > body " + redact_body(r.headers.get("Content-Type").value_or(""), r.body));
  }
}

void trace_response(const Options& o, const Job& job) {
  if (o.trace_level < 1) return;
  const Response& resp = job.response;
  const long ms = static_cast<long>(resp.seconds * 1000);
  trace_line(o, "http: " + job.current.method + " " + redact_url(job.current.url) + " " +
                    std::to_string(resp.status) + " " + std::to_string(ms) + " ms" +
                    (job.attempt > 1 ? " (attempt " + std::to_string(job.attempt) + ")" : ""));
  if (o.trace_level < 2) return;
  for (const auto& [name, value] : resp.headers) trace_line(o, "http: < " + name + ": " + redact_header(name, value));
  if (!resp.body.empty()) {
    trace_line(o, "http: < body " + redact_body(resp.headers.get("Content-Type").value_or(""), resp.body));
  }
}

void trace_failure(const Options& o, const Job& job, const std::string& problem) {
  if (o.trace_level < 1) return;
  trace_line(o, "http: " + job.current.method + " " + redact_url(job.current.url) + " failed: " + problem +
                    (job.attempt > 1 ? " (attempt " + std::to_string(job.attempt) + ")" : ""));
}

}  // namespace ks::http::detail
