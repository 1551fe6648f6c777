#include "src/core/error.hpp"

namespace ks {

int exit_code(ErrorKind kind) noexcept {
  switch (kind) {
    case ErrorKind::usage: return 2;
    case ErrorKind::config: return 3;
    case ErrorKind::not_found: return 4;
    case ErrorKind::denied: return 5;
    case ErrorKind::read_only: return 6;
    case ErrorKind::unavailable: return 7;
    case ErrorKind::conflict: return 8;
    case ErrorKind::bad_data: return 9;
    case ErrorKind::different: return 10;
    case ErrorKind::internal: return 1;
  }
  return 1;
}

std::string_view kind_name(ErrorKind kind) noexcept {
  switch (kind) {
    case ErrorKind::usage: return "usage";
    case ErrorKind::config: return "config";
    case ErrorKind::not_found: return "not_found";
    case ErrorKind::denied: return "denied";
    case ErrorKind::read_only: return "read_only";
    case ErrorKind::unavailable: return "unavailable";
    case ErrorKind::conflict: return "conflict";
    case ErrorKind::bad_data: return "bad_data";
    case ErrorKind::different: return "different";
    case ErrorKind::internal: return "internal";
  }
  return "internal";
}

}  // namespace ks
