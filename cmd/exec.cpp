// exec: runs a command with the secrets in its environment. Signals sent to kestra-secrets with
// kill(2) are forwarded to the child; signals from the terminal already reach the child through
// its process group, so they are not sent twice. The exit status is the child's (128+N when it
// died of signal N; 127 when the command is not found, 126 when it cannot be executed).
#include <csignal>
#include <cerrno>
#include <cstring>
#include <fmt/format.h>
#include <map>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cmd/bulk.hpp"
#include "cmd/commands.hpp"
#include "src/output/diag.hpp"
#include "src/secret/var_names.hpp"

namespace ks::cmd {
namespace {

volatile sig_atomic_t g_child = 0;

void forward(int sig, siginfo_t* info, void*) {
  if (g_child > 0 && info && (info->si_code == SI_USER || info->si_code == SI_QUEUE)) ::kill(g_child, sig);
}

constexpr int kForwarded[] = {SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2, SIGWINCH};

void install_forwarding() {
  struct sigaction sa {};
  sa.sa_sigaction = forward;
  sa.sa_flags = SA_SIGINFO | SA_RESTART;
  sigemptyset(&sa.sa_mask);
  for (int sig : kForwarded) sigaction(sig, &sa, nullptr);
}

int wait_child(pid_t pid) {
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0) {
    if (errno != EINTR) return 1;
  }
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
  return 1;
}

}  // namespace

int run_exec(const Globals& g, const ExecOptions& o, const Context& ctx) {
  if (o.command.empty()) throw Error(ErrorKind::usage, "exec needs a command after --");
  Session s = open_session(g, ctx);
  auto all = fetch_all(*s.backend, g, std::nullopt, o.only);
  std::vector<std::string> keys;
  for (const auto& kv : all) keys.push_back(kv.key);
  auto names = var_names(keys, o.upper);

  std::map<std::string, std::string> env = ctx.env;
  for (size_t i = 0; i < all.size(); ++i) {
    if (all[i].value.find('\0') != std::string::npos)
      throw Error(ErrorKind::usage, fmt::format("secret {} contains a NUL byte and cannot be an environment variable", keys[i]));
    env[names[i]] = all[i].value;
  }
  std::vector<std::string> env_strings;
  for (const auto& [k, v] : env) env_strings.push_back(k + "=" + v);
  std::vector<char*> envp;
  for (auto& e : env_strings) envp.push_back(e.data());
  envp.push_back(nullptr);
  std::vector<std::string> args = o.command;
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);

  install_forwarding();
  pid_t pid = 0;
  int rc = ::posix_spawnp(&pid, argv[0], nullptr, nullptr, argv.data(), envp.data());
  if (rc != 0) {
    out::error(Error(ErrorKind::usage, fmt::format("cannot run '{}': {}", o.command[0], std::strerror(rc))));
    return rc == ENOENT ? 127 : 126;
  }
  g_child = pid;
  return wait_child(pid);
}

}  // namespace ks::cmd
