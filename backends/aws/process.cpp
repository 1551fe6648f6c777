#include "backends/aws/process.hpp"

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <fmt/format.h>
#include <nlohmann/json.hpp>
#include <poll.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "src/core/error.hpp"
#include "src/core/time_format.hpp"

namespace ks::aws {
namespace {

struct Output {
  int status = -1;  // exit status, or -1 when killed
  bool timed_out = false;
  std::string out, err;
};

// The program's path: as given when it has a '/', else the first executable in the Context's PATH.
std::string find_program(const std::string& name, const Context& ctx) {
  if (name.find('/') != std::string::npos) return name;
  std::string path = ctx.getenv_or("PATH", "/usr/local/bin:/usr/bin:/bin");
  size_t start = 0;
  while (start <= path.size()) {
    size_t end = path.find(':', start);
    if (end == std::string::npos) end = path.size();
    std::string dir = path.substr(start, end - start);
    std::string candidate = (dir.empty() ? "." : dir) + "/" + name;
    if (access(candidate.c_str(), X_OK) == 0) return candidate;
    start = end + 1;
  }
  throw Error(ErrorKind::config, fmt::format("credential_process: '{}' is not on PATH", name));
}

void drain(int fd, std::string& into, bool& open) {
  char buf[4096];
  ssize_t n = read(fd, buf, sizeof buf);
  if (n > 0 && into.size() < kMaxProcessOutput) into.append(buf, static_cast<size_t>(n));
  if (n == 0 || (n < 0 && errno != EINTR && errno != EAGAIN)) open = false;
}

Output run(const std::vector<std::string>& argv, const Context& ctx) {
  std::string program = find_program(argv[0], ctx);
  std::vector<std::string> env_strings;
  for (const auto& [k, v] : ctx.env) env_strings.push_back(k + "=" + v);
  std::vector<char*> cargv, cenv;
  for (const auto& a : argv) cargv.push_back(const_cast<char*>(a.c_str()));
  cargv.push_back(nullptr);
  for (auto& e : env_strings) cenv.push_back(e.data());
  cenv.push_back(nullptr);
  int out_pipe[2], err_pipe[2];
  if (pipe2(out_pipe, O_CLOEXEC) != 0 || pipe2(err_pipe, O_CLOEXEC) != 0)
    throw Error(ErrorKind::internal, "credential_process: cannot create a pipe");
  pid_t pid = fork();
  if (pid < 0) throw Error(ErrorKind::internal, "credential_process: cannot fork");
  if (pid == 0) {
    int devnull = open("/dev/null", O_RDONLY);
    dup2(devnull, 0);
    dup2(out_pipe[1], 1);
    dup2(err_pipe[1], 2);
    execve(program.c_str(), cargv.data(), cenv.data());
    _exit(127);
  }
  close(out_pipe[1]);
  close(err_pipe[1]);
  Output o;
  bool out_open = true, err_open = true;
  auto deadline = std::chrono::steady_clock::now() + kProcessTimeout;
  while (out_open || err_open) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) {
      o.timed_out = true;
      kill(pid, SIGKILL);
      break;
    }
    pollfd fds[2] = {{out_open ? out_pipe[0] : -1, POLLIN, 0}, {err_open ? err_pipe[0] : -1, POLLIN, 0}};
    if (poll(fds, 2, static_cast<int>(left.count())) < 0 && errno != EINTR) break;
    if (out_open && fds[0].revents) drain(out_pipe[0], o.out, out_open);
    if (err_open && fds[1].revents) drain(err_pipe[0], o.err, err_open);
  }
  close(out_pipe[0]);
  close(err_pipe[0]);
  int wstatus = 0;
  while (waitpid(pid, &wstatus, 0) < 0 && errno == EINTR) {
  }
  if (WIFEXITED(wstatus)) o.status = WEXITSTATUS(wstatus);
  return o;
}

std::string stderr_excerpt(const std::string& err) {
  std::string line = err.substr(0, err.find_first_of("\r\n"));
  if (line.size() > kStderrEcho) line = line.substr(0, kStderrEcho) + "…";
  return line;
}

}  // namespace

std::vector<std::string> shell_split(std::string_view line) {
  std::vector<std::string> words;
  std::string cur;
  bool in_word = false;
  for (size_t i = 0; i < line.size(); ++i) {
    char c = line[i];
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
      if (in_word) words.push_back(std::move(cur)), cur.clear(), in_word = false;
      continue;
    }
    in_word = true;
    if (c == '\\') {
      if (i + 1 < line.size()) cur += line[++i];
    } else if (c == '\'') {
      auto end = line.find('\'', i + 1);
      if (end == std::string_view::npos) throw Error(ErrorKind::config, "credential_process has an unclosed ' quote");
      cur += line.substr(i + 1, end - i - 1);
      i = end;
    } else if (c == '"') {
      size_t j = i + 1;
      for (; j < line.size() && line[j] != '"'; ++j) {
        if (line[j] == '\\' && j + 1 < line.size() && std::string_view("\\\"$`\n").find(line[j + 1]) != std::string_view::npos)
          ++j;
        cur += line[j];
      }
      if (j >= line.size()) throw Error(ErrorKind::config, "credential_process has an unclosed \" quote");
      i = j;
    } else {
      cur += c;
    }
  }
  if (in_word) words.push_back(std::move(cur));
  return words;
}

AwsCredentials parse_process_output(const std::string& out, const std::string& what) {
  auto doc = nlohmann::json::parse(out, nullptr, false);
  if (!doc.is_object()) throw Error(ErrorKind::denied, fmt::format("{} did not print a JSON object", what));
  if (!doc.contains("Version") || doc["Version"] != 1)
    throw Error(ErrorKind::denied, fmt::format("{} printed a document whose Version is not 1", what));
  auto str = [&](const char* k) -> std::string {
    return doc.contains(k) && doc[k].is_string() ? doc[k].get<std::string>() : std::string();
  };
  AwsCredentials c;
  c.keys = {str("AccessKeyId"), str("SecretAccessKey"), str("SessionToken")};
  if (c.keys.access_key_id.empty() || c.keys.secret_access_key.empty())
    throw Error(ErrorKind::denied, fmt::format("{} printed no AccessKeyId/SecretAccessKey", what));
  if (auto exp = str("Expiration"); !exp.empty()) {
    c.expiration = parse_rfc3339(exp);
    if (!c.expiration) throw Error(ErrorKind::denied, fmt::format("{}: Expiration '{}' is not a timestamp", what, exp));
  }
  return c;
}

AwsCredentials process_credentials(const std::string& command_line, const std::string& profile, const Context& ctx) {
  auto argv = shell_split(command_line);
  if (argv.empty()) throw Error(ErrorKind::config, fmt::format("profile {} has an empty credential_process", profile));
  std::string what = fmt::format("credential_process of profile {} ({})", profile, argv[0]);
  auto o = run(argv, ctx);
  if (o.timed_out)
    throw Error(ErrorKind::denied, fmt::format("{} did not finish within {} s", what, kProcessTimeout.count()));
  if (o.status != 0) {
    auto line = stderr_excerpt(o.err);
    throw Error(ErrorKind::denied,
                o.status == 127 && o.err.empty() ? fmt::format("{} could not be started", what)
                                                 : fmt::format("{} exited with status {}", what, o.status),
                line.empty() ? std::string() : fmt::format("its stderr began: {}", line));
  }
  auto c = parse_process_output(o.out, what);
  c.source = fmt::format("profile {} (credential_process)", profile);
  return c;
}

}  // namespace ks::aws
