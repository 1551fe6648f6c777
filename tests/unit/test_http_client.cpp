// The HTTP client against tests/fakes/faults.py on 127.0.0.1: retries, Retry-After, deadlines,
// idempotency, transport faults, connection reuse, bounded concurrency.
// One fault server serves most cases (each case has its own paths), because starting Python is
// the slowest part of these tests.
#include <doctest/doctest.h>

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <set>

#include "src/crypto/sigv4.hpp"
#include "src/http/client.hpp"
#include "tests/unit/support/fake_server.hpp"

using namespace std::chrono_literals;
using ks::ErrorKind;
using ks::http::Client;
using ks::http::Options;
using ks::http::Policy;
using ks::http::Request;
using ks::http::Response;
using ks::test::FaultServer;
using json = nlohmann::json;

namespace {

using SteadyClock = std::chrono::steady_clock;

json ok(const std::string& body = "ok") { return {{"status", 200}, {"body", body}}; }
json status(int s) { return {{"status", s}, {"body", "{\"message\":\"try again\"}"}}; }

FaultServer& shared() {
  static FaultServer server(json{
      {"/retry", {status(503), status(500), ok("done")}},
      {"/nf", {status(404)}},
      {"/bad", {{{"status", 200}, {"body", "{not json"}, {"headers", {{"Content-Type", "text/html"}}}}}},
      {"/throttle", {{{"status", 400}, {"body", "{\"__type\":\"ThrottlingException\",\"message\":\"Rate exceeded\"}"}}, ok()}},
      {"/ra-seconds", {{{"status", 429}, {"headers", {{"Retry-After", "1"}}}}, ok()}},
      {"/ra-date", {{{"status", 503}, {"dated_headers", {{"Retry-After", 2}}}}, ok()}},
      {"/ra-long", {{{"status", 429}, {"headers", {{"Retry-After", "120"}}}}}},
      {"/ra-deadline", {{{"status", 429}, {"headers", {{"Retry-After", "5"}}}}}},
      {"/always503", {status(503)}},
      {"/always503b", {status(503)}},
      {"/post503", {status(503), ok()}},
      {"/post429", {status(429), ok()}},
      {"/idem503", {status(503), ok()}},
      {"/slow", {{{"status", 200}, {"delay", 3}}}},
      {"/once", {{{"status", 200}, {"delay", 2}}, ok("second")}},
      {"/drip", {{{"status", 200}, {"body", "abcdefghij"}, {"fault", "slow_body"}, {"interval", 0.3}}}},
      {"/trunc", {{{"status", 200}, {"body", "{\"a\":1}"}, {"fault", "truncate"}}}},
      {"/trunc-post", {{{"status", 200}, {"body", "{\"a\":1}"}, {"fault", "truncate"}}}},
      {"/reset", {{{"status", 200}, {"body", "{\"abcdefgh\":1}"}, {"fault", "reset"}}}},
      {"/close", {{{"fault", "close"}}, ok("after close")}},
      {"*", {ok()}},
  });
  return server;
}

std::vector<json> requests_to(const std::string& path) {
  std::vector<json> out;
  for (auto& r : shared().requests()) {
    std::string p = r["path"];
    if (p == path || p.starts_with(path + "?")) out.push_back(r);
  }
  return out;
}

// Fast settings for tests: tiny backoff, short timeouts.
Options fast() {
  Options o;
  o.backoff_base = 10ms;
  o.backoff_cap = 50ms;
  o.connect_timeout = 2s;
  o.request_timeout = 5s;
  return o;
}

double since(SteadyClock::time_point t) { return std::chrono::duration<double>(SteadyClock::now() - t).count(); }

// Runs `f`, expects a ks::Error and returns it.
template <class F>
ks::Error error_of(F&& f) {
  try {
    f();
  } catch (const ks::Error& e) {
    return e;
  }
  FAIL("expected a ks::Error");
  return ks::Error(ErrorKind::internal, "unreachable");
}

bool contains(const ks::Error& e, const std::string& text) {
  return std::string(e.what()).find(text) != std::string::npos;
}

// A loopback port with nothing listening.
int closed_port() {
  int s = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  bind(s, reinterpret_cast<sockaddr*>(&a), sizeof a);
  socklen_t len = sizeof a;
  getsockname(s, reinterpret_cast<sockaddr*>(&a), &len);
  close(s);
  return ntohs(a.sin_port);
}

}  // namespace

TEST_CASE("http: success after retries; prepare runs before every attempt") {
  Client client(fast());
  int prepared = 0;
  Policy policy;
  policy.prepare = [&](Request& r, int attempt) {
    ++prepared;
    r.headers.set("X-Amz-Date", "attempt-" + std::to_string(attempt));  // as a signer re-signs
  };
  Response r = client.send({"GET", shared().url("/retry")}, policy);
  CHECK(r.status == 200);
  CHECK(r.body == "done");
  CHECK(r.attempts == 3);
  CHECK(prepared == 3);
  auto reqs = requests_to("/retry");
  REQUIRE(reqs.size() == 3);
  for (int i = 0; i < 3; ++i) {
    CHECK(FaultServer::header(reqs[i], "X-Amz-Date") == "attempt-" + std::to_string(i + 1));
    CHECK(FaultServer::header(reqs[i], "User-Agent") == "kestra-secrets/" KS_VERSION);
  }
}

TEST_CASE("http: a SigV4 prepare hook re-signs every attempt with a fresh date") {
  namespace sigv4 = ks::crypto::sigv4;
  Client client(fast());
  auto clock = std::chrono::system_clock::from_time_t(1440938160);  // a pinned clock, as Context::now
  Policy policy;
  policy.prepare = [&](Request& r, int) {
    clock += 1s;
    r.headers.set("Host", ks::http::host_header_of(r.url));  // sign exactly what is sent
    sigv4::Request s{r.method, "/", "", {{"Host", *r.headers.get("Host")}, {"X-Amz-Target", "secretsmanager.GetSecretValue"}}, r.body};
    for (auto& [name, value] : sigv4::sign(s, {"AKID", "SECRET", "TOKEN"}, "us-east-1", "secretsmanager", clock).headers_to_add) {
      r.headers.set(name, value);
    }
  };
  Request r{"POST", shared().url("/signed"), {{"X-Amz-Target", "secretsmanager.GetSecretValue"}}, "{}", true};
  CHECK(client.send(r, policy).status == 200);
  CHECK(client.send(r, policy).status == 200);
  auto reqs = requests_to("/signed");
  REQUIRE(reqs.size() == 2);
  CHECK(FaultServer::header(reqs[0], "X-Amz-Date") == "20150830T123601Z");
  CHECK(FaultServer::header(reqs[1], "X-Amz-Date") == "20150830T123602Z");
  CHECK(FaultServer::header(reqs[0], "Authorization") != FaultServer::header(reqs[1], "Authorization"));
  CHECK(FaultServer::header(reqs[0], "X-Amz-Security-Token") == "TOKEN");
  CHECK(FaultServer::header(reqs[0], "Host") == "127.0.0.1:" + std::to_string(shared().port()));
}

TEST_CASE("http: 4xx responses are returned, not retried, not mapped") {
  Client client(fast());
  Response r = client.send({"GET", shared().url("/nf")});
  CHECK(r.status == 404);
  CHECK(r.attempts == 1);
  CHECK(ks::http::error_kind_for_status(r.status) == ErrorKind::not_found);
  // A malformed body or a wrong content type is the provider's business (it reports bad_data).
  Response m = client.send({"GET", shared().url("/bad")});
  CHECK(m.status == 200);
  CHECK(m.body == "{not json");
  CHECK(m.headers.get("content-type") == "text/html");
  CHECK(requests_to("/nf").size() == 1);
}

TEST_CASE("http: a classify hook turns provider codes into retries (AWS throttling as HTTP 400)") {
  Client client(fast());
  Policy policy;
  policy.classify = [](const Response& r) -> std::optional<ks::http::Retry> {
    if (r.status == 400 && r.body.find("ThrottlingException") != std::string::npos) return ks::http::Retry::always;
    return std::nullopt;
  };
  Response r = client.send({"POST", shared().url("/throttle"), {}, "{}", /*idempotent=*/false}, policy);
  CHECK(r.status == 200);
  CHECK(r.attempts == 2);
}

TEST_CASE("http: Retry-After in seconds is honoured") {
  Client client(fast());
  auto t0 = SteadyClock::now();
  Response r = client.send({"GET", shared().url("/ra-seconds")});
  double took = since(t0);
  CHECK(r.status == 200);
  CHECK(took >= 0.95);
  CHECK(took < 3.0);
  auto reqs = requests_to("/ra-seconds");
  REQUIRE(reqs.size() == 2);
  CHECK(reqs[1]["time"].get<double>() - reqs[0]["time"].get<double>() >= 0.95);
}

TEST_CASE("http: Retry-After as an HTTP date is honoured") {
  Client client(fast());
  auto t0 = SteadyClock::now();
  CHECK(client.send({"GET", shared().url("/ra-date")}).status == 200);
  CHECK(since(t0) >= 0.9);  // the date has one-second resolution: 1 to 2 s after the response
}

TEST_CASE("http: a Retry-After beyond the limit or the deadline fails at once") {
  Client client(fast());
  auto t0 = SteadyClock::now();
  auto e = error_of([&] { client.send({"GET", shared().url("/ra-long")}); });
  CHECK(e.kind() == ErrorKind::unavailable);
  CHECK(contains(e, "asked to retry after 120.0 s"));
  Options o = fast();
  o.timeout = 1500ms;
  Client bounded(o);
  auto e2 = error_of([&] { bounded.send({"GET", shared().url("/ra-deadline")}); });
  CHECK(e2.kind() == ErrorKind::unavailable);
  CHECK(contains(e2, "deadline"));
  CHECK(since(t0) < 1.0);
}

TEST_CASE("http: exhausted retries are unavailable, naming status, host and attempts") {
  Client client(fast());
  auto e = error_of([&] { client.send({"GET", shared().url("/always503")}); });
  CHECK(e.kind() == ErrorKind::unavailable);
  CHECK(contains(e, "HTTP 503"));
  CHECK(contains(e, "127.0.0.1:" + std::to_string(shared().port())));
  CHECK(contains(e, "3 attempts"));
  CHECK_FALSE(contains(e, "try again"));  // bodies never reach messages
  CHECK(requests_to("/always503").size() == 3);
}

TEST_CASE("http: all retries end within the overall deadline") {
  Options o = fast();
  o.max_attempts = 50;
  o.backoff_base = 200ms;
  o.backoff_cap = 200ms;
  o.timeout = 800ms;
  Client client(o);
  auto t0 = SteadyClock::now();
  auto e = error_of([&] { client.send({"GET", shared().url("/always503b")}); });
  CHECK(e.kind() == ErrorKind::unavailable);
  CHECK(since(t0) < 1.0);
  CHECK(requests_to("/always503b").size() < 50);
}

TEST_CASE("http: non-idempotent requests are retried only when the server did not process them") {
  Client client(fast());
  auto e = error_of([&] { client.send({"POST", shared().url("/post503"), {}, "{}", /*idempotent=*/false}); });
  CHECK(e.kind() == ErrorKind::unavailable);
  CHECK(contains(e, "not idempotent"));
  CHECK(requests_to("/post503").size() == 1);
  CHECK(client.send({"POST", shared().url("/post429"), {}, "{}", false}).attempts == 2);
  CHECK(client.send({"POST", shared().url("/idem503"), {}, "{}", true}).attempts == 2);
}

TEST_CASE("http: the overall deadline: unavailable within deadline + slack") {
  Options o = fast();
  o.timeout = 700ms;
  Client client(o);
  auto t0 = SteadyClock::now();
  auto e = error_of([&] { client.send({"GET", shared().url("/slow")}); });
  CHECK(e.kind() == ErrorKind::unavailable);
  CHECK(contains(e, "timed out after 0.7 s"));
  CHECK(since(t0) < 1.2);
}

TEST_CASE("http: one attempt times out, the retry succeeds") {
  Options o = fast();
  o.request_timeout = 400ms;
  Client client(o);
  Response r = client.send({"GET", shared().url("/once")});
  CHECK(r.body == "second");
  CHECK(r.attempts == 2);
}

TEST_CASE("http: a body that trickles past the deadline") {
  Options o = fast();
  o.timeout = 800ms;
  Client client(o);
  auto t0 = SteadyClock::now();
  CHECK(error_of([&] { client.send({"GET", shared().url("/drip")}); }).kind() == ErrorKind::unavailable);
  CHECK(since(t0) < 1.3);
}

TEST_CASE("http: broken responses are unavailable (transport failures), retried when idempotent") {
  Options o = fast();
  o.max_attempts = 2;
  Client client(o);
  auto e = error_of([&] { client.send({"GET", shared().url("/trunc")}); });
  CHECK(e.kind() == ErrorKind::unavailable);
  CHECK(contains(e, "cut short"));
  CHECK(contains(e, "2 attempts"));
  CHECK(error_of([&] { client.send({"GET", shared().url("/reset")}); }).kind() == ErrorKind::unavailable);
  CHECK(client.send({"GET", shared().url("/close")}).body == "after close");
  auto p = error_of([&] { client.send({"POST", shared().url("/trunc-post"), {}, "x", false}); });
  CHECK(contains(p, "not idempotent"));
  CHECK(requests_to("/trunc").size() == 2);
  CHECK(requests_to("/reset").size() == 2);
  CHECK(requests_to("/close").size() == 2);
  CHECK(requests_to("/trunc-post").size() == 1);
}

TEST_CASE("http: connection refused is unavailable naming the host, and safe to retry even for POST") {
  int port = closed_port();
  Client client(fast());
  int prepared = 0;
  Policy policy;
  policy.prepare = [&](Request&, int) { ++prepared; };
  auto e = error_of([&] { client.send({"POST", "http://127.0.0.1:" + std::to_string(port) + "/", {}, "{}", false}, policy); });
  CHECK(e.kind() == ErrorKind::unavailable);
  CHECK(contains(e, "127.0.0.1:" + std::to_string(port)));
  CHECK(contains(e, "refused"));
  CHECK(prepared == 3);
  CHECK(error_of([&] { client.send({"GET", "ftp://127.0.0.1/"}); }).kind() == ErrorKind::config);
}

TEST_CASE("http: sequential requests reuse one connection") {
  Client client(fast());
  std::vector<long> fresh;
  for (int i = 0; i < 5; ++i) fresh.push_back(client.send({"GET", shared().url("/reuse?i=" + std::to_string(i))}).new_connections);
  CHECK(fresh == std::vector<long>{1, 0, 0, 0, 0});
  client.send({"POST", shared().url("/reuse"), {{"Content-Type", "application/json"}}, "{\"k\":1}", false});
  auto reqs = requests_to("/reuse");
  REQUIRE(reqs.size() == 6);
  for (const auto& r : reqs) CHECK(r["conn"] == reqs[0]["conn"]);
  CHECK(reqs.back()["body"] == "{\"k\":1}");
}

TEST_CASE("http: send_many keeps at most `concurrency` requests in flight, results in order") {
  FaultServer server({{"*", {{{"status", 200}, {"delay", 0.25}, {"body", "slow"}}}}, {"/missing", {status(404)}}});
  Options o = fast();
  o.concurrency = 3;
  Client client(o);
  std::vector<Request> batch;
  for (int i = 0; i < 9; ++i) batch.push_back({"GET", server.url("/item" + std::to_string(i))});
  batch.push_back({"GET", server.url("/missing")});
  batch.push_back({"GET", "http://127.0.0.1:" + std::to_string(closed_port()) + "/"});
  auto t0 = SteadyClock::now();
  auto results = client.send_many(batch);
  double took = since(t0);
  REQUIRE(results.size() == 11);
  for (int i = 0; i < 9; ++i) {
    REQUIRE(std::holds_alternative<Response>(results[i]));
    CHECK(std::get<Response>(results[i]).body == "slow");
  }
  CHECK(std::get<Response>(results[9]).status == 404);
  REQUIRE(std::holds_alternative<ks::Error>(results[10]));
  CHECK(std::get<ks::Error>(results[10]).kind() == ErrorKind::unavailable);
  int max_inflight = 0;
  std::set<int> conns;
  for (const auto& r : server.requests()) {
    max_inflight = std::max(max_inflight, r["inflight"].get<int>());
    conns.insert(r["conn"].get<int>());
  }
  MESSAGE("max in flight " << max_inflight << ", connections " << conns.size() << ", " << took << " s");
  CHECK(max_inflight <= 3);
  CHECK(max_inflight >= 2);
  CHECK(conns.size() <= 3);
  CHECK(took >= 0.7);  // 9 slow requests, 3 at a time: at least 3 × 0.25 s
  CHECK(took < 3.0);
}
