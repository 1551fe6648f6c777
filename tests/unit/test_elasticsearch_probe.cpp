// check-config --connect for Elasticsearch (backends/elasticsearch): probe() against the fake reports
// the cluster, the index, the key derivation and one decryption round-trip (spec/kestra.md §7).
#include <doctest/doctest.h>

#include <algorithm>

#include "backends/elasticsearch/elasticsearch_backend.hpp"
#include "src/crypto/base64.hpp"

#include <csignal>
#include <cstdio>
#include <sys/wait.h>
#include <unistd.h>

using namespace ks;

namespace {

// The fake prints `READY <port> <scheme>` (tests/unit/support/fake_server.hpp expects a bare port,
// so this test starts it itself). Killed and reaped on destruction.
class EsFake {
public:
  EsFake() {
    int fds[2];
    REQUIRE(pipe(fds) == 0);
    pid_ = fork();
    REQUIRE(pid_ >= 0);
    if (pid_ == 0) {
      dup2(fds[1], STDOUT_FILENO);
      close(fds[0]);
      std::string script = std::string(KS_FAKES_DIR) + "/elasticsearch.py";
      execl(KS_PYTHON3, KS_PYTHON3, script.c_str(), "--max-seconds", "120", static_cast<char*>(nullptr));
      _exit(127);
    }
    close(fds[1]);
    FILE* f = fdopen(fds[0], "r");
    char word[16] = {0};
    int port = 0;
    REQUIRE(std::fscanf(f, "%15s %d", word, &port) == 2);
    std::fclose(f);
    port_ = port;
  }
  ~EsFake() {
    kill(pid_, SIGTERM);
    waitpid(pid_, nullptr, 0);
  }
  int port() const { return port_; }

private:
  pid_t pid_ = -1;
  int port_ = 0;
};

config::ElasticsearchSettings settings_for(int port, char key_byte) {
  config::ElasticsearchSettings s;
  s.secret = crypto::base64_encode(std::string(32, key_byte));
  s.hosts = {"http://127.0.0.1:" + std::to_string(port)};
  return s;
}

std::string fact(const Probe& p, const std::string& name) {
  auto it = std::find_if(p.facts.begin(), p.facts.end(), [&](const auto& f) { return f.first == name; });
  return it == p.facts.end() ? std::string("<none>") : it->second;
}

}  // namespace

TEST_CASE("es probe: cluster, absent index, local round-trip, then a stored document; a wrong key is 9") {
  EsFake fake;
  Context ctx;
  backends::BackendOptions opts;
  auto b = backends::make_elasticsearch_backend(settings_for(fake.port(), 'k'), opts, ctx);
  Probe p = b->probe();
  CHECK(fact(p, "version") == "8.19.2");
  CHECK(fact(p, "index").find("absent") != std::string::npos);
  CHECK(fact(p, "key").find("AES-256") != std::string::npos);
  CHECK(fact(p, "decryption").find("local") != std::string::npos);

  b->put(SecretRef{"db"}, Secret::text("value"), PutOptions{});
  p = b->probe();
  CHECK(fact(p, "index").find("present") != std::string::npos);
  CHECK(fact(p, "decryption") == "ok (secret 'db')");

  auto wrong = backends::make_elasticsearch_backend(settings_for(fake.port(), 'w'), opts, ctx);
  try {
    wrong->probe();
    FAIL("expected an error");
  } catch (const Error& e) {
    CHECK(e.kind() == ErrorKind::bad_data);
    CHECK(std::string(e.what()).find("'db'") != std::string::npos);
    CHECK(std::string(e.what()).find("value") == std::string::npos);
  }
}
