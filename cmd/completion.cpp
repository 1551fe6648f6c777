#include <fmt/format.h>

#include "cmd/commands.hpp"

namespace ks::cmd {

int run_completion(const std::string& shell) {
  auto script = completion_script(shell);
  if (script.empty())
    throw Error(ErrorKind::usage, fmt::format("no completion for '{}'", shell), "choose bash, zsh or fish");
  write_stdout(std::string(script));
  return 0;
}

}  // namespace ks::cmd
