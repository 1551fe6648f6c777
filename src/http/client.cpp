#include "src/http/client.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <random>
#include <thread>

#include "src/http/transfer.hpp"

namespace ks::http {
namespace {

using detail::curl_api;
using detail::Job;
using detail::SteadyClock;
using detail::TransportClass;
using std::chrono::duration_cast;
using std::chrono::milliseconds;

constexpr milliseconds kPollSlice = 200ms;     // longest wait in curl_multi_poll before re-checking
constexpr milliseconds kDeadlineSlack = 5ms;   // "at the deadline" tolerance for curl's timers

std::string seconds_text(milliseconds ms) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f s", static_cast<double>(ms.count()) / 1000.0);
  return buf;
}

std::string attempts_text(int n) { return std::to_string(n) + (n == 1 ? " attempt" : " attempts"); }

}  // namespace

Retry default_classify(const Response& r) {
  if (r.status == 429) return Retry::always;
  if (r.status == 500 || r.status == 502 || r.status == 503 || r.status == 504) return Retry::if_idempotent;
  return Retry::no;
}

ErrorKind error_kind_for_status(long status) {
  if (status == 401 || status == 403) return ErrorKind::denied;
  if (status == 404 || status == 410) return ErrorKind::not_found;
  if (status == 409 || status == 412) return ErrorKind::conflict;
  if (status == 429 || status >= 500) return ErrorKind::unavailable;
  if (status >= 400) return ErrorKind::bad_data;
  return ErrorKind::internal;
}

namespace {

std::string media_type(const Response& r) {
  std::string type = r.headers.get("Content-Type").value_or("no Content-Type");
  return type.substr(0, type.find(';'));
}

// An HTML page (said and shown): some servers (moto) label JSON text/html.
bool html(const Response& r) {
  auto first = r.body.find_first_not_of(" \t\r\n");
  return media_type(r).find("html") != std::string::npos && first != std::string::npos && r.body[first] == '<';
}

}  // namespace

std::string body_summary(const Response& r) {
  std::string out = " (" + media_type(r) + ", " + std::to_string(r.body.size()) + " bytes";
  if (html(r)) out += ": an error page from a proxy or a load balancer?";
  return out + ")";
}

std::string host_of(std::string_view url) {
  size_t start = url.find("://");
  start = start == std::string_view::npos ? 0 : start + 3;
  size_t end = url.find_first_of("/?#", start);
  std::string_view authority = url.substr(start, end == std::string_view::npos ? std::string_view::npos : end - start);
  if (size_t at = authority.rfind('@'); at != std::string_view::npos) authority.remove_prefix(at + 1);
  return std::string(authority);
}

std::string host_header_of(std::string_view url) {
  std::string host = host_of(url);
  for (char& c : host) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  const bool https = url.substr(0, 8) == "https://" || url.substr(0, 8) == "HTTPS://";
  const std::string_view default_port = https ? ":443" : ":80";
  // An IPv6 literal keeps its brackets ("[::1]:443" → "[::1]"), so a suffix test is enough.
  if (host.ends_with(default_port)) host.resize(host.size() - default_port.size());
  return host;
}

// The engine: a share handle (connections, DNS, TLS sessions) that outlives every request, so
// connections are reused across send() calls; a multi handle per run (nested runs, e.g. a token
// refresh from Policy::prepare inside send_many, get their own); a pool of easy handles.
struct Client::Engine {
  const Options& options;
  const std::optional<SteadyClock::time_point>& deadline;
  CURLSH* share = nullptr;
  std::vector<CURL*> idle_easy;
  std::vector<CURLM*> idle_multi;
  std::mt19937_64 rng{std::random_device{}()};

  Engine(const Options& o, const std::optional<SteadyClock::time_point>& d) : options(o), deadline(d) {}
  ~Engine() {
    if (share == nullptr) return;  // nothing was sent: libcurl may not even be loaded
    for (CURL* e : idle_easy) curl_api().easy_cleanup(e);
    for (CURLM* m : idle_multi) curl_api().multi_cleanup(m);
    curl_api().share_cleanup(share);
  }

  void run(std::vector<Job>& jobs, const Policy& policy);

private:
  void make_share();
  CURLM* take_multi();
  void start(Job& job, const Policy& policy, CURLM* multi);
  void conclude(Job& job, CURLcode code, const Policy& policy);
  void after_response(Job& job, const Policy& policy);
  void retry_or_fail(Job& job, const std::string& problem, bool allowed, std::optional<milliseconds> retry_after);
  void fail(Job& job, ErrorKind kind, std::string message, std::string hint = {});
  std::optional<milliseconds> remaining() const;
  milliseconds backoff(int attempt);
};

std::optional<milliseconds> Client::Engine::remaining() const {
  if (!deadline) return std::nullopt;
  return std::max(0ms, duration_cast<milliseconds>(*deadline - SteadyClock::now()));
}

milliseconds Client::Engine::backoff(int attempt) {
  // Full jitter: uniform in [0, min(cap, base · 2^(attempt-1))].
  double ceiling = static_cast<double>(options.backoff_base.count()) * std::pow(2.0, attempt - 1);
  ceiling = std::min(ceiling, static_cast<double>(options.backoff_cap.count()));
  std::uniform_real_distribution<double> dist(0.0, ceiling);
  return milliseconds(static_cast<long long>(dist(rng)));
}

// At the first request, so a Client that sends nothing never loads libcurl (curl_api.hpp).
void Client::Engine::make_share() {
  if (share != nullptr) return;
  share = curl_api().share_init();
  curl_api().share_setopt(share, CURLSHOPT_SHARE, CURL_LOCK_DATA_CONNECT);
  curl_api().share_setopt(share, CURLSHOPT_SHARE, CURL_LOCK_DATA_DNS);
  curl_api().share_setopt(share, CURLSHOPT_SHARE, CURL_LOCK_DATA_SSL_SESSION);
}

CURLM* Client::Engine::take_multi() {
  if (!idle_multi.empty()) {
    CURLM* m = idle_multi.back();
    idle_multi.pop_back();
    return m;
  }
  CURLM* m = curl_api().multi_init();
  curl_api().multi_setopt(m, CURLMOPT_PIPELINING, CURLPIPE_MULTIPLEX);
  curl_api().multi_setopt(m, CURLMOPT_MAX_HOST_CONNECTIONS, static_cast<long>(std::max(1, options.concurrency)));
  return m;
}

void Client::Engine::fail(Job& job, ErrorKind kind, std::string message, std::string hint) {
  job.result = Error(kind, std::move(message), std::move(hint));
}

void Client::Engine::start(Job& job, const Policy& policy, CURLM* multi) {
  auto left = remaining();
  if (left && *left <= 0ms) {
    fail(job, ErrorKind::unavailable,
         "request to " + host_of(job.original->url) + " timed out after " + seconds_text(options.timeout) +
             " (" + attempts_text(job.attempt) + ")",
         "raise --timeout, or check that the service is reachable");
    return;
  }
  ++job.attempt;
  job.current = *job.original;
  try {
    if (policy.prepare) policy.prepare(job.current, job.attempt);
  } catch (const Error& e) {
    job.result = e;
    return;
  }
  if (!idle_easy.empty()) {
    job.easy = idle_easy.back();
    idle_easy.pop_back();
  } else {
    job.easy = curl_api().easy_init();
  }
  milliseconds timeout = left ? std::min(*left, options.request_timeout) : options.request_timeout;
  detail::configure_easy(job, options, timeout, share);
  detail::trace_request(options, job);
  curl_api().multi_add_handle(multi, job.easy);
  job.in_flight = true;
}

void Client::Engine::retry_or_fail(Job& job, const std::string& problem, bool allowed,
                                   std::optional<milliseconds> retry_after) {
  const std::string host = host_of(job.original->url);
  const std::string tried = " (" + attempts_text(job.attempt) + ")";
  const std::string hint = "the service may be down or throttling: retry later, or raise --timeout";
  if (!allowed) {
    fail(job, ErrorKind::unavailable, problem + tried + "; not retried because the request may have been "
         "processed and is not idempotent", hint);
  } else if (job.attempt >= job.max_attempts) {
    fail(job, ErrorKind::unavailable, problem + tried, hint);
  } else if (retry_after && *retry_after > options.max_retry_after) {
    fail(job, ErrorKind::unavailable, problem + tried + "; the server asked to retry after " +
         seconds_text(*retry_after), hint);
  } else {
    milliseconds delay = retry_after ? *retry_after : backoff(job.attempt);
    auto left = remaining();
    if (left && delay >= *left) {
      fail(job, ErrorKind::unavailable, problem + tried + "; gave up: the next attempt (in " +
           seconds_text(delay) + ") would pass the " + seconds_text(options.timeout) + " deadline", hint);
      return;
    }
    job.not_before = SteadyClock::now() + delay;
    detail::trace_line(options, "http: retrying " + host + " in " + seconds_text(delay));
  }
}

void Client::Engine::after_response(Job& job, const Policy& policy) {
  std::optional<Retry> r;
  if (policy.classify) r = policy.classify(job.response);
  Retry verdict = r.value_or(default_classify(job.response));
  if (verdict == Retry::no) {
    job.result = std::move(job.response);
    return;
  }
  const bool allowed = verdict == Retry::always || job.original->idempotent;
  std::string problem = host_of(job.original->url) + " answered HTTP " + std::to_string(job.response.status);
  if (html(job.response)) problem += " with an HTML page (from a proxy or a load balancer?)";
  retry_or_fail(job, problem, allowed, detail::parse_retry_after(job.response.headers.get("Retry-After")));
}

void Client::Engine::conclude(Job& job, CURLcode code, const Policy& policy) {
  long status = 0, connects = 0;
  curl_off_t total_us = 0, connect_us = 0;
  curl_api().easy_getinfo(job.easy, CURLINFO_RESPONSE_CODE, &status);
  curl_api().easy_getinfo(job.easy, CURLINFO_NUM_CONNECTS, &connects);
  curl_api().easy_getinfo(job.easy, CURLINFO_TOTAL_TIME_T, &total_us);
  curl_api().easy_getinfo(job.easy, CURLINFO_CONNECT_TIME_T, &connect_us);
  job.response.status = status;
  job.response.seconds = static_cast<double>(total_us) / 1e6;
  job.response.attempts = job.attempt;
  job.response.new_connections = connects;
  const bool connected = connect_us > 0 || (code != CURLE_OPERATION_TIMEDOUT && status != 0);
  TransportClass tc = detail::classify_transport(code, job.too_large, connected);
  if (tc == TransportClass::ok) {
    detail::trace_response(options, job);
    after_response(job, policy);
    return;
  }
  const std::string host = host_of(job.original->url);
  std::string what = detail::describe_transport(code, job.errbuf);
  detail::trace_failure(options, job, what);
  auto left = remaining();
  switch (tc) {
    case TransportClass::too_large:
      return fail(job, ErrorKind::bad_data, "the response from " + host + " is larger than " +
                  std::to_string(kMaxResponseBytes >> 20) + " MiB");
    case TransportClass::bad_url:
      return fail(job, ErrorKind::config, "cannot use the URL for " + host + ": " + what,
                  "endpoints must be http:// or https:// URLs");
    case TransportClass::tls:
      return fail(job, ErrorKind::unavailable, "TLS connection to " + host + " failed: " + what,
                  options.ca_file.empty()
                      ? "if the server uses a private CA, pass its PEM bundle with --ca-file (or "
                        "kestra.secret.<type>.ca-file, AWS_CA_BUNDLE, VAULT_CACERT, SSL_CERT_FILE)"
                      : "the CA bundle " + options.ca_file + " (from " + options.ca_source +
                            ") does not vouch for this server's certificate");
    case TransportClass::fatal:
      return fail(job, ErrorKind::unavailable, "request to " + host + " failed: " + what);
    default: break;
  }
  if (code == CURLE_OPERATION_TIMEDOUT && left && *left <= kDeadlineSlack) {
    return fail(job, ErrorKind::unavailable, "request to " + host + " timed out after " +
                seconds_text(options.timeout) + " (" + attempts_text(job.attempt) + ")",
                "raise --timeout, or check that the service is reachable");
  }
  if (code == CURLE_OPERATION_TIMEDOUT) what = "timed out after " + seconds_text(options.request_timeout);
  const bool allowed = tc == TransportClass::not_sent || job.original->idempotent;
  retry_or_fail(job, "cannot reach " + host + ": " + what, allowed, std::nullopt);
}

void Client::Engine::run(std::vector<Job>& jobs, const Policy& policy) {
  make_share();
  CURLM* multi = take_multi();
  const size_t limit = static_cast<size_t>(std::max(1, options.concurrency));
  size_t in_flight = 0;
  auto finish_all_in_flight = [&] {
    for (Job& j : jobs) {
      if (!j.in_flight) continue;
      curl_api().multi_remove_handle(multi, j.easy);
      detail::release_attempt(j);
      curl_api().easy_reset(j.easy);
      idle_easy.push_back(j.easy);
      j.easy = nullptr;
      j.in_flight = false;
    }
  };
  try {
    for (;;) {
      auto now = SteadyClock::now();
      std::optional<SteadyClock::time_point> next_wake;
      bool pending = false;
      for (Job& j : jobs) {
        if (j.result || j.in_flight) continue;
        pending = true;
        if (j.not_before > now) {
          next_wake = next_wake ? std::min(*next_wake, j.not_before) : j.not_before;
        } else if (in_flight < limit) {
          start(j, policy, multi);
          if (j.in_flight) ++in_flight;
        }
      }
      if (!pending && in_flight == 0) break;
      if (in_flight == 0) {
        if (next_wake) std::this_thread::sleep_until(*next_wake);
        continue;
      }
      int running = 0;
      curl_api().multi_perform(multi, &running);
      int queued = 0;
      while (CURLMsg* msg = curl_api().multi_info_read(multi, &queued)) {
        if (msg->msg != CURLMSG_DONE) continue;
        Job* job = nullptr;
        curl_api().easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, reinterpret_cast<char**>(&job));
        CURLcode code = msg->data.result;
        curl_api().multi_remove_handle(multi, job->easy);
        job->in_flight = false;
        --in_flight;
        conclude(*job, code, policy);
        detail::release_attempt(*job);
        curl_api().easy_reset(job->easy);
        idle_easy.push_back(job->easy);
        job->easy = nullptr;
      }
      milliseconds wait = kPollSlice;
      if (next_wake) wait = std::clamp(duration_cast<milliseconds>(*next_wake - SteadyClock::now()), 0ms, kPollSlice);
      if (in_flight > 0) curl_api().multi_poll(multi, nullptr, 0, static_cast<int>(wait.count()), nullptr);
    }
  } catch (...) {
    finish_all_in_flight();
    idle_multi.push_back(multi);
    throw;
  }
  idle_multi.push_back(multi);
}

Client::Client(Options options) : options_(std::move(options)) {
  if (options_.timeout > 0ms) deadline_ = SteadyClock::now() + options_.timeout;
  engine_ = std::make_unique<Engine>(options_, deadline_);
}

Client::~Client() = default;

Response Client::send(const Request& request, const Policy& policy) {
  std::vector<Job> jobs(1);
  jobs[0].original = &request;
  jobs[0].max_attempts = std::max(1, policy.max_attempts > 0 ? policy.max_attempts : options_.max_attempts);
  engine_->run(jobs, policy);
  if (auto* e = std::get_if<Error>(&*jobs[0].result)) throw *e;
  return std::get<Response>(std::move(*jobs[0].result));
}

std::vector<Result> Client::send_many(const std::vector<Request>& requests, const Policy& policy) {
  std::vector<Job> jobs(requests.size());
  for (size_t i = 0; i < requests.size(); ++i) {
    jobs[i].original = &requests[i];
    jobs[i].max_attempts = std::max(1, policy.max_attempts > 0 ? policy.max_attempts : options_.max_attempts);
  }
  engine_->run(jobs, policy);
  std::vector<Result> out;
  out.reserve(jobs.size());
  for (Job& j : jobs) out.push_back(std::move(*j.result));
  return out;
}

}  // namespace ks::http
