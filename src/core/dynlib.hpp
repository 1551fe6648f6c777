// Libraries loaded at run time (dlopen), for the ones only some commands need: libcurl (HTTP) and
// libcrypto (signing, hashing). Linking them made every start-up, even `--version` and encode-env,
// map them with their dependencies and resolve thousands of their symbols first.
// REQUIRES: the Debian package declares them in Depends (the linker no longer sees them).
#pragma once

#include <string>

namespace ks::dynlib {

// Throws Error{internal} "cannot load SONAME: why", with the hint.
[[noreturn]] void cannot_load(const char* soname, const std::string& why, const std::string& hint);

// One library, for binding its functions into a table of typed pointers.
class Library {
public:
  // dlopen(soname, RTLD_LAZY | RTLD_LOCAL); cannot_load() when it fails. The library stays loaded
  // for the life of the process.
  Library(const char* soname, std::string hint);

  template <class Fn>
  void bind(Fn& fn, const char* symbol) {
    fn = reinterpret_cast<Fn>(find(symbol));
  }
  // cannot_load() naming the first symbol bind() did not find.
  void check() const;

private:
  void* find(const char* symbol);

  const char* soname_;
  std::string hint_;
  void* handle_ = nullptr;
  const char* missing_ = nullptr;
};

// A table `Api` of a library's functions: bind_each(lib, api) binds each one, then every one must
// have been found.
template <class Api, class BindEach>
Api load(const char* soname, const std::string& hint, BindEach bind_each) {
  Library lib(soname, hint);
  Api api;
  bind_each(lib, api);
  lib.check();
  return api;
}

// Loads a library into the global scope, where the symbol lookups of every library loaded later
// search it; best effort (a failure shows when the library is needed). For a library that many of
// the next one's dependencies use: found early, it spares each of their lookups a walk past all
// the others.
void preload_global(const char* soname) noexcept;

}  // namespace ks::dynlib
