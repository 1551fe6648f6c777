// Context: every effect of the outside world that a backend or the config loader may read (the
// environment, the clock, the home directory, whether stdin/stdout are terminals), behind one
// object so that tests pin them (SigV4 vectors pin the clock, credential chains the environment).
// The binary builds one from the real process with Context::from_process(); tests build their own.
#pragma once

#include <chrono>
#include <functional>
#include <map>
#include <optional>
#include <string>

namespace ks {

struct Context {
  using Clock = std::chrono::system_clock;

  std::map<std::string, std::string> env;  // the process environment, copied once
  std::function<Clock::time_point()> now = [] { return Clock::now(); };
  std::string home;                        // $HOME, else the passwd entry; may be empty
  bool stdin_is_tty = false;
  bool stdout_is_tty = false;
  bool stderr_is_tty = false;

  // The value of an environment variable, if set (an empty value counts as set).
  std::optional<std::string> getenv(const std::string& name) const;
  // The value if set and not empty, else the fallback.
  std::string getenv_or(const std::string& name, const std::string& fallback) const;

  static Context from_process();
};

}  // namespace ks
