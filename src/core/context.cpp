#include "src/core/context.hpp"

#include <pwd.h>
#include <unistd.h>

extern char** environ;

namespace ks {

std::optional<std::string> Context::getenv(const std::string& name) const {
  auto it = env.find(name);
  if (it == env.end()) return std::nullopt;
  return it->second;
}

std::string Context::getenv_or(const std::string& name, const std::string& fallback) const {
  auto it = env.find(name);
  return (it == env.end() || it->second.empty()) ? fallback : it->second;
}

Context Context::from_process() {
  Context ctx;
  for (char** e = environ; e && *e; ++e) {
    std::string_view entry(*e);
    auto eq = entry.find('=');
    if (eq == std::string_view::npos) continue;
    ctx.env.emplace(std::string(entry.substr(0, eq)), std::string(entry.substr(eq + 1)));
  }
  if (auto h = ctx.getenv("HOME"); h && !h->empty()) {
    ctx.home = *h;
  } else if (const passwd* pw = getpwuid(getuid()); pw && pw->pw_dir) {
    ctx.home = pw->pw_dir;
  }
  ctx.stdin_is_tty = isatty(STDIN_FILENO) == 1;
  ctx.stdout_is_tty = isatty(STDOUT_FILENO) == 1;
  ctx.stderr_is_tty = isatty(STDERR_FILENO) == 1;
  return ctx;
}

}  // namespace ks
