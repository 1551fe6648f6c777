#include "src/core/dynlib.hpp"

#include <dlfcn.h>

#include "src/core/error.hpp"

namespace ks::dynlib {

void cannot_load(const char* soname, const std::string& why, const std::string& hint) {
  throw Error(ErrorKind::internal, std::string("cannot load ") + soname + ": " + why, hint);
}

Library::Library(const char* soname, std::string hint) : soname_(soname), hint_(std::move(hint)) {
  // RTLD_LAZY: the library's own calls are bound when first made, not all at once.
  handle_ = ::dlopen(soname, RTLD_LAZY | RTLD_LOCAL);
  if (handle_ == nullptr) {
    const char* why = ::dlerror();
    cannot_load(soname_, why != nullptr ? why : "dlopen failed", hint_);
  }
}

void* Library::find(const char* symbol) {
  void* address = ::dlsym(handle_, symbol);
  if (address == nullptr && missing_ == nullptr) missing_ = symbol;
  return address;
}

void Library::check() const {
  if (missing_ != nullptr) cannot_load(soname_, std::string("it has no ") + missing_, hint_);
}

void preload_global(const char* soname) noexcept { ::dlopen(soname, RTLD_LAZY | RTLD_GLOBAL); }

}  // namespace ks::dynlib
