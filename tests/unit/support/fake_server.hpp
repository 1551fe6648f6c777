// Starts a Python fake server from tests/fakes for the length of a test (RAII).
//
// FakeServer runs `KS_PYTHON3 KS_FAKES_DIR/<script> args...` with posix_spawn, reads the port from
// the first line of its stdout (every fake binds 127.0.0.1:0 and prints the port when ready), and
// on destruction sends SIGTERM (SIGKILL after a grace period) and reaps it. A fake should print
// nothing else on stdout (stderr is inherited, so its tracebacks show in the test output).
//
// FaultServer wraps tests/fakes/faults.py: a script of responses per path, and a record of the
// requests it received (one JSON object per line, written before each answer).
#pragma once

#include <nlohmann/json.hpp>

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <strings.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

extern char** environ;

namespace ks::test {

class FakeServer {
public:
  FakeServer(const std::string& script, const std::vector<std::string>& args,
             std::chrono::milliseconds ready_timeout = std::chrono::seconds(15)) {
    int fds[2];
    if (pipe2(fds, O_CLOEXEC) != 0) throw std::runtime_error("pipe failed");
    std::vector<std::string> argv_s = {KS_PYTHON3, std::string(KS_FAKES_DIR) + "/" + script};
    argv_s.insert(argv_s.end(), args.begin(), args.end());
    std::vector<char*> argv;
    for (auto& a : argv_s) argv.push_back(a.data());
    argv.push_back(nullptr);
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, fds[1], STDOUT_FILENO);
    int rc = posix_spawn(&pid_, KS_PYTHON3, &actions, nullptr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    close(fds[1]);
    out_fd_ = fds[0];
    if (rc != 0) {
      close(out_fd_);
      throw std::runtime_error("cannot start " + script);
    }
    port_ = read_port(ready_timeout, script);
  }

  ~FakeServer() {
    if (pid_ > 0) {
      kill(pid_, SIGTERM);
      for (int i = 0; i < 100 && waitpid(pid_, nullptr, WNOHANG) == 0; ++i) {
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
        if (i == 99) {
          kill(pid_, SIGKILL);
          waitpid(pid_, nullptr, 0);
        }
      }
    }
    if (out_fd_ >= 0) close(out_fd_);
  }

  FakeServer(const FakeServer&) = delete;
  FakeServer& operator=(const FakeServer&) = delete;

  int port() const { return port_; }
  pid_t pid() const { return pid_; }

private:
  int read_port(std::chrono::milliseconds timeout, const std::string& script) {
    std::string line;
    auto end = std::chrono::steady_clock::now() + timeout;
    while (line.find('\n') == std::string::npos) {
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(end - std::chrono::steady_clock::now());
      pollfd p{out_fd_, POLLIN, 0};
      if (left.count() <= 0 || poll(&p, 1, static_cast<int>(left.count())) <= 0) {
        throw std::runtime_error(script + " did not print its port in time");
      }
      char buf[64];
      ssize_t n = read(out_fd_, buf, sizeof buf);
      if (n <= 0) throw std::runtime_error(script + " exited before printing its port");
      line.append(buf, static_cast<size_t>(n));
    }
    // faults.py prints the bare port; the provider fakes print "READY <port> <scheme>".
    if (line.rfind("READY ", 0) == 0) line = line.substr(6);
    return std::stoi(line);
  }

  pid_t pid_ = -1;
  int out_fd_ = -1;
  int port_ = 0;
};

// A fresh temporary directory, removed with its contents at the end of the scope.
class TempDir {
public:
  TempDir() {
    std::string tmpl = (std::filesystem::temp_directory_path() / "ks-test-XXXXXX").string();
    if (mkdtemp(tmpl.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
    path_ = tmpl;
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::filesystem::path& path() const { return path_; }

private:
  std::filesystem::path path_;
};

inline std::filesystem::path tls_dir() { return std::filesystem::path(KS_SOURCE_DIR) / "tests" / "data" / "tls"; }

class FaultServer {
public:
  // `routes`: {"/path": [response, ...]} as documented in tests/fakes/faults.py.
  explicit FaultServer(const nlohmann::json& routes, bool tls = false)
      : record_(dir_.path() / "requests.jsonl"), server_("faults.py", args(routes, tls)), tls_(tls) {}
  explicit FaultServer(nlohmann::json::initializer_list_t routes, bool tls = false)
      : FaultServer(nlohmann::json(routes), tls) {}

  int port() const { return server_.port(); }
  std::string url(const std::string& path = "/") const {
    return std::string(tls_ ? "https" : "http") + "://127.0.0.1:" + std::to_string(port()) + path;
  }
  // Every request received so far, in arrival order.
  std::vector<nlohmann::json> requests() const {
    std::vector<nlohmann::json> out;
    std::ifstream in(record_);
    for (std::string line; std::getline(in, line);) {
      if (!line.empty()) out.push_back(nlohmann::json::parse(line));
    }
    return out;
  }
  // The first value of a header in a recorded request (case-insensitive), or "".
  static std::string header(const nlohmann::json& request, const std::string& name) {
    for (const auto& h : request.at("headers")) {
      std::string n = h.at(0);
      if (n.size() == name.size() && strncasecmp(n.c_str(), name.c_str(), n.size()) == 0) return h.at(1);
    }
    return "";
  }

private:
  std::vector<std::string> args(const nlohmann::json& routes, bool tls) const {
    std::vector<std::string> a = {"--script", nlohmann::json{{"routes", routes}}.dump(), "--record", record_.string()};
    if (tls) {
      a.insert(a.end(), {"--tls", (tls_dir() / "server.pem").string(), (tls_dir() / "server.key").string()});
    }
    return a;
  }

  TempDir dir_;
  std::filesystem::path record_;
  FakeServer server_;
  bool tls_;
};

}  // namespace ks::test
