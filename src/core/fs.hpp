// File helpers shared by every writer: read a whole file, write one atomically.
#pragma once

#include <string>
#include <sys/types.h>

#include "src/core/error.hpp"

namespace ks::fs {

// Reads the whole file. "-" reads standard input. Throws Error{missing_kind} naming the path when
// it cannot be opened or read (the caller picks the kind: usage for an input file, config for -c).
std::string read_file(const std::string& path, ErrorKind missing_kind = ErrorKind::usage);

// Writes data to path atomically: a temporary file in the same directory, written, fsync'ed, given
// `mode`, then renamed over path (and the directory fsync'ed). An interrupted run leaves either the
// old file or the new one, never half of one. "-" writes to standard output instead.
// Throws Error{usage} naming the path on failure; the temporary file is removed.
void write_file_atomic(const std::string& path, const std::string& data, mode_t mode = 0600);

bool exists(const std::string& path);

}  // namespace ks::fs
