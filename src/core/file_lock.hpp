// An exclusive advisory lock on a sidecar file `<path>.lock`, held for the object's lifetime.
// A lock on the data file itself would be lost when an atomic rewrite renames a new file over it,
// so writers of one file (the env backend's) serialise on the sidecar instead.
#pragma once

#include <string>

namespace ks::fs {

class FileLock {
public:
  // Blocks until the lock is held. Throws Error{usage} naming the lock file when it cannot be
  // created or locked.
  explicit FileLock(const std::string& data_path);
  ~FileLock();
  FileLock(const FileLock&) = delete;
  FileLock& operator=(const FileLock&) = delete;

private:
  int fd_ = -1;
};

}  // namespace ks::fs
