#include "cmd/value_source.hpp"

#include <cstdio>
#include <fcntl.h>
#include <fmt/format.h>
#include <termios.h>
#include <unistd.h>

#include "src/core/error.hpp"
#include "src/core/fs.hpp"
#include "src/output/diag.hpp"

namespace ks::cmd {
namespace {

// Reads one line from the terminal with echo off; the newline that ends it is not part of it.
std::string prompt_hidden(const std::string& key) {
  int fd = ::open("/dev/tty", O_RDWR | O_CLOEXEC);
  if (fd < 0)
    throw Error(ErrorKind::usage, "no value given and no terminal to ask for one",
                "pipe the value on stdin or use --from-file FILE");
  std::string q = fmt::format("Value for {} (input hidden): ", key);
  (void)!::write(fd, q.data(), q.size());
  termios old {};
  bool restore = ::tcgetattr(fd, &old) == 0;
  if (restore) {
    termios quiet = old;
    quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
    ::tcsetattr(fd, TCSAFLUSH, &quiet);
  }
  std::string value;
  char c;
  while (::read(fd, &c, 1) == 1 && c != '\n') value.push_back(c);
  if (restore) ::tcsetattr(fd, TCSAFLUSH, &old);
  (void)!::write(fd, "\n", 1);
  ::close(fd);
  return value;
}

}  // namespace

std::string read_value(const ValueSource& src, const std::string& key, const Context& ctx) {
  if (src.from_file && src.value)
    throw Error(ErrorKind::usage, "give the value once: --from-file and --value are both set");
  std::string value;
  if (src.from_file) {
    value = fs::read_file(*src.from_file, ErrorKind::usage);
  } else if (src.value) {
    out::warn("--value puts the secret on the command line, where other users can see it; "
              "prefer stdin or --from-file");
    value = *src.value;
  } else if (!ctx.stdin_is_tty) {
    value = fs::read_file("-", ErrorKind::usage);
  } else {
    value = prompt_hidden(key);
  }
  if (value.empty() && !src.allow_empty)
    throw Error(ErrorKind::usage, fmt::format("the value for {} is empty", key),
                "use --allow-empty to store an empty value");
  return value;
}

bool confirm(const std::string& question, const Context& ctx) {
  if (!ctx.stdin_is_tty) return false;
  int fd = ::open("/dev/tty", O_RDWR | O_CLOEXEC);
  if (fd < 0) return false;
  std::string q = question + " [y/N] ";
  (void)!::write(fd, q.data(), q.size());
  std::string answer;
  char c;
  while (::read(fd, &c, 1) == 1 && c != '\n') answer.push_back(c);
  ::close(fd);
  return answer == "y" || answer == "Y" || answer == "yes";
}

}  // namespace ks::cmd
