// src/core/fs: writing to something that is not a regular file goes through it. The atomic
// rename once replaced /dev/null itself with a regular file when run as root.
#include <doctest/doctest.h>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <string>

#include "src/core/fs.hpp"

TEST_CASE("fs: write_file_atomic writes through a FIFO instead of replacing it") {
  char dir[] = "/tmp/ks-fs-XXXXXX";
  REQUIRE(::mkdtemp(dir) != nullptr);
  std::string fifo = std::string(dir) + "/pipe";
  REQUIRE(::mkfifo(fifo.c_str(), 0600) == 0);
  int reader = ::open(fifo.c_str(), O_RDWR | O_NONBLOCK);  // keeps the FIFO open for the writer
  REQUIRE(reader >= 0);
  ks::fs::write_file_atomic(fifo, "hello");
  struct stat st {};
  REQUIRE(::stat(fifo.c_str(), &st) == 0);
  CHECK(S_ISFIFO(st.st_mode));
  char buf[16] = {};
  CHECK(::read(reader, buf, sizeof buf) == 5);
  CHECK(std::string(buf) == "hello");
  ::close(reader);
  ::unlink(fifo.c_str());
  ::rmdir(dir);
}
