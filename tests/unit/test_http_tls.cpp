// TLS verification, CA bundle resolution (spec/cli.md order) and proxies, all on 127.0.0.1.
#include <doctest/doctest.h>

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include "src/core/context.hpp"
#include "src/http/client.hpp"
#include "src/http/transport_config.hpp"
#include "tests/unit/support/fake_server.hpp"

using namespace ks::http;
using ks::ErrorKind;
using ks::test::tls_dir;
using json = nlohmann::json;

namespace {

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

ks::test::FaultServer& tls_server() {
  static ks::test::FaultServer server(json{{"*", {{{"status", 200}, {"body", "over tls"}}}}}, /*tls=*/true);
  return server;
}

Options with_ca(const std::string& file) {
  Options o;
  o.ca_file = file;
  o.ca_source = "--ca-file";
  o.max_attempts = 1;
  return o;
}

}  // namespace

TEST_CASE("http tls: a server signed by an unknown CA is refused with a --ca-file hint") {
  Options o;
  o.ca_file = (tls_dir() / "other_ca.pem").string();  // a store without the test CA (never the system's)
  Client client(o);
  auto e = error_of([&] { client.send({"GET", tls_server().url("/")}); });
  CHECK(e.kind() == ErrorKind::unavailable);
  CHECK(std::string(e.what()).find("TLS") != std::string::npos);
  CHECK(e.hint().find("other_ca.pem") != std::string::npos);
  // With the default store the hint points at --ca-file.
  Client system_store{Options{}};
  auto e2 = error_of([&] { system_store.send({"GET", tls_server().url("/")}); });
  CHECK(e2.kind() == ErrorKind::unavailable);
  CHECK(e2.hint().find("--ca-file") != std::string::npos);
  CHECK(tls_server().requests().empty());  // nothing was ever sent
}

TEST_CASE("http tls: the CA bundle from ca_file is trusted (and replaces the system store)") {
  Client client(with_ca((tls_dir() / "ca.pem").string()));
  Response r = client.send({"GET", tls_server().url("/x")});
  CHECK(r.status == 200);
  CHECK(r.body == "over tls");
  // localhost is in the certificate's SAN as well.
  std::string by_name = "https://localhost:" + std::to_string(tls_server().port()) + "/y";
  CHECK(client.send({"GET", by_name}).status == 200);
}

TEST_CASE("http tls: tls_verify=false (Elasticsearch trust-all-ssl) skips verification") {
  Options o;
  o.tls_verify = false;
  Client client(o);
  CHECK(client.send({"GET", tls_server().url("/z")}).status == 200);
}

TEST_CASE("http tls: resolve_ca_file follows --ca-file, config, backend variable, SSL_CERT_FILE") {
  const std::string ca = (tls_dir() / "ca.pem").string(), other = (tls_dir() / "other_ca.pem").string();
  ks::Context ctx;
  ctx.env = {{"VAULT_CACERT", other}, {"SSL_CERT_FILE", ca}};
  const std::string key = "kestra.secret.vault.ca-file";
  auto pick = [&](std::optional<std::string> flag, std::optional<std::string> cfg, std::string_view var) {
    return resolve_ca_file(ctx, flag, cfg, key, var);
  };
  CHECK(pick(ca, other, "VAULT_CACERT")->source == "--ca-file");
  CHECK(pick(std::nullopt, other, "VAULT_CACERT")->source == key);
  CHECK(pick(std::nullopt, std::nullopt, "VAULT_CACERT")->source == "VAULT_CACERT");
  CHECK(pick(std::nullopt, std::nullopt, "VAULT_CACERT")->file == other);
  CHECK(pick(std::nullopt, std::nullopt, "AWS_CA_BUNDLE")->source == "SSL_CERT_FILE");
  CHECK(pick(std::string(), std::string(), "")->source == "SSL_CERT_FILE");  // empty = not set
  ctx.env.clear();
  CHECK_FALSE(pick(std::nullopt, std::nullopt, "VAULT_CACERT").has_value());
  auto e = error_of([&] { pick("/nonexistent/ca.pem", std::nullopt, ""); });
  CHECK(e.kind() == ErrorKind::config);
  CHECK(std::string(e.what()).find("--ca-file") != std::string::npos);
}

TEST_CASE("http proxy: from the Context, either case; NO_PROXY bypasses") {
  ks::Context ctx;
  ctx.env = {{"HTTPS_PROXY", "http://p:1"}, {"http_proxy", "http://lower:2"}, {"HTTP_PROXY", "http://upper:3"},
             {"NO_PROXY", "127.0.0.1,localhost"}};
  ProxyConfig p = proxy_from_env(ctx);
  CHECK(p.https == "http://p:1");
  CHECK(p.http == "http://lower:2");
  CHECK(p.no_proxy == "127.0.0.1,localhost");
  ctx.env = {{"ALL_PROXY", "socks5://s:4"}};
  p = proxy_from_env(ctx);
  CHECK(p.http == "socks5://s:4");
  CHECK(p.https == "socks5://s:4");

  ks::test::FaultServer plain(json{{"*", {{{"status", 200}, {"body", "direct"}}}}});
  // A proxy that does not exist: used, the request fails ...
  int s = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  bind(s, reinterpret_cast<sockaddr*>(&a), sizeof a);
  socklen_t len = sizeof a;
  getsockname(s, reinterpret_cast<sockaddr*>(&a), &len);
  close(s);
  Options o;
  o.max_attempts = 1;
  o.proxy.http = "http://127.0.0.1:" + std::to_string(ntohs(a.sin_port));
  Client via_proxy(o);
  CHECK(error_of([&] { via_proxy.send({"GET", plain.url("/")}); }).kind() == ErrorKind::unavailable);
  // ... unless NO_PROXY names the host.
  o.proxy.no_proxy = "127.0.0.1";
  Client bypass(o);
  CHECK(bypass.send({"GET", plain.url("/")}).body == "direct");
  CHECK(plain.requests().size() == 1);
}

TEST_CASE("http: helpers") {
  CHECK(host_of("https://user:pw@vault.example:8200/v1/x?y") == "vault.example:8200");
  CHECK(host_of("http://127.0.0.1/") == "127.0.0.1");
  CHECK(host_header_of("https://SecretsManager.us-east-1.amazonaws.com:443/") == "secretsmanager.us-east-1.amazonaws.com");
  CHECK(host_header_of("http://127.0.0.1:80/x") == "127.0.0.1");
  CHECK(host_header_of("http://127.0.0.1:5000/x") == "127.0.0.1:5000");
  CHECK(host_header_of("https://[::1]:443/") == "[::1]");
  CHECK(host_header_of("https://[::1]:8443/") == "[::1]:8443");
  CHECK(error_kind_for_status(401) == ErrorKind::denied);
  CHECK(error_kind_for_status(403) == ErrorKind::denied);
  CHECK(error_kind_for_status(404) == ErrorKind::not_found);
  CHECK(error_kind_for_status(409) == ErrorKind::conflict);
  CHECK(error_kind_for_status(429) == ErrorKind::unavailable);
  CHECK(error_kind_for_status(503) == ErrorKind::unavailable);
  CHECK(error_kind_for_status(400) == ErrorKind::bad_data);
  Headers h{{"Content-Type", "a"}, {"X-Multi", "1"}, {"x-multi", "2"}};
  CHECK(h.get("content-type") == "a");
  CHECK(h.get("X-MULTI") == "1");
  h.set("x-MULTI", "3");
  CHECK(h.size() == 2);
  CHECK(h.get("X-Multi") == "3");
  h.remove("CONTENT-TYPE");
  CHECK_FALSE(h.contains("Content-Type"));
  CHECK(default_classify(Response{429, {}, "", 0, 1, 0}) == Retry::always);
  CHECK(default_classify(Response{503, {}, "", 0, 1, 0}) == Retry::if_idempotent);
  CHECK(default_classify(Response{501, {}, "", 0, 1, 0}) == Retry::no);
  CHECK(default_classify(Response{400, {}, "", 0, 1, 0}) == Retry::no);
}
