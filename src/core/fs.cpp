#include "src/core/fs.hpp"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

namespace ks::fs {
namespace {

std::string errno_text() { return std::strerror(errno); }

bool write_all(int fd, const char* p, size_t n) {
  while (n > 0) {
    ssize_t w = ::write(fd, p, n);
    if (w < 0) {
      if (errno == EINTR) continue;
      return false;
    }
    p += w;
    n -= static_cast<size_t>(w);
  }
  return true;
}

// Reads straight into the string: a regular file of `expected` bytes takes one read (and one more
// that returns 0); a pipe, or a file that grew, is read on in chunks.
std::string read_fd(int fd, size_t expected, bool* ok) {
  constexpr size_t kChunk = 65536;
  std::string out(expected + 1, '\0');
  size_t len = 0;
  for (;;) {
    if (len == out.size()) out.resize(std::max(out.size() * 2, kChunk));
    ssize_t r = ::read(fd, out.data() + len, out.size() - len);
    if (r < 0) {
      if (errno == EINTR) continue;
      *ok = false;
      out.resize(len);
      return out;
    }
    if (r == 0) break;
    len += static_cast<size_t>(r);
  }
  out.resize(len);
  *ok = true;
  return out;
}

}  // namespace

std::string read_file(const std::string& path, ErrorKind missing_kind) {
  bool ok = false;
  if (path == "-") {
    std::string s = read_fd(STDIN_FILENO, 0, &ok);
    if (!ok) throw Error(missing_kind, fmt::format("cannot read standard input: {}", errno_text()));
    return s;
  }
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) throw Error(missing_kind, fmt::format("cannot read '{}': {}", path, errno_text()));
  struct stat st {};
  if (::fstat(fd, &st) == 0 && S_ISDIR(st.st_mode)) {
    ::close(fd);
    throw Error(missing_kind, fmt::format("cannot read '{}': it is a directory", path));
  }
  const bool regular = S_ISREG(st.st_mode) && st.st_size > 0;
  std::string s = read_fd(fd, regular ? static_cast<size_t>(st.st_size) : 0, &ok);
  int saved = errno;
  ::close(fd);
  errno = saved;
  if (!ok) throw Error(missing_kind, fmt::format("cannot read '{}': {}", path, errno_text()));
  return s;
}

void write_file_atomic(const std::string& path, const std::string& data, mode_t mode) {
  if (path == "-") {
    if (!write_all(STDOUT_FILENO, data.data(), data.size()))
      throw Error(ErrorKind::usage, fmt::format("cannot write standard output: {}", errno_text()));
    return;
  }
  // A device or a pipe (-o /dev/null, a FIFO) is written in place: renaming a temporary file over it
  // would replace the node itself (run as root, /dev/null became a regular file).
  struct stat st {};
  if (::stat(path.c_str(), &st) == 0 && !S_ISREG(st.st_mode) && !S_ISDIR(st.st_mode)) {
    int fd = ::open(path.c_str(), O_WRONLY | O_CLOEXEC);
    if (fd < 0) throw Error(ErrorKind::usage, fmt::format("cannot write '{}': {}", path, errno_text()));
    bool ok = write_all(fd, data.data(), data.size());
    std::string why = errno_text();
    ::close(fd);
    if (!ok) throw Error(ErrorKind::usage, fmt::format("cannot write '{}': {}", path, why));
    return;
  }
  auto slash = path.rfind('/');
  std::string dir = slash == std::string::npos ? "." : (slash == 0 ? "/" : path.substr(0, slash));
  std::string base = slash == std::string::npos ? path : path.substr(slash + 1);
  std::string tmpl = dir + "/." + base + ".tmp.XXXXXX";
  int fd = ::mkostemp(tmpl.data(), O_CLOEXEC);
  if (fd < 0)
    throw Error(ErrorKind::usage, fmt::format("cannot write '{}': {}", path, errno_text()));
  auto fail = [&](const char* what) {
    std::string why = errno_text();
    ::close(fd);
    ::unlink(tmpl.c_str());
    throw Error(ErrorKind::usage, fmt::format("cannot write '{}' ({}): {}", path, what, why));
  };
  if (::fchmod(fd, mode) != 0) fail("chmod");
  if (!write_all(fd, data.data(), data.size())) fail("write");
  if (::fsync(fd) != 0) fail("fsync");
  if (::close(fd) != 0) {
    std::string why = errno_text();
    ::unlink(tmpl.c_str());
    throw Error(ErrorKind::usage, fmt::format("cannot write '{}': {}", path, why));
  }
  if (::rename(tmpl.c_str(), path.c_str()) != 0) {
    std::string why = errno_text();
    ::unlink(tmpl.c_str());
    throw Error(ErrorKind::usage, fmt::format("cannot write '{}': {}", path, why));
  }
  int dfd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd >= 0) {
    ::fsync(dfd);
    ::close(dfd);
  }
}

bool exists(const std::string& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0;
}

}  // namespace ks::fs
