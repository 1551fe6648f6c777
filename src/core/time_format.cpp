#include "src/core/time_format.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <ctime>

namespace ks {

namespace {

// What a 4-digit year can write: 0001-01-01T00:00:00Z .. 9999-12-31T23:59:59Z.
constexpr double kFirstSecond = -62135596800.0;
constexpr double kLastSecond = 253402300799.0;

}  // namespace

std::string rfc3339_from_epoch(double seconds) {
  // A provider's number can be anything (1e300, NaN): converting it to time_t unchecked is UB.
  if (std::isnan(seconds)) seconds = 0;
  std::time_t t = static_cast<std::time_t>(std::floor(std::clamp(seconds, kFirstSecond, kLastSecond)));
  std::tm tm {};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

std::string rfc3339(std::chrono::system_clock::time_point t) {
  return rfc3339_from_epoch(static_cast<double>(std::chrono::system_clock::to_time_t(t)));
}

std::optional<std::chrono::system_clock::time_point> parse_rfc3339(std::string_view text) {
  std::string s(text);
  int y, mo, d, h, mi, sec;
  int consumed = 0;
  if (std::sscanf(s.c_str(), "%4d-%2d-%2dT%2d:%2d:%2d%n", &y, &mo, &d, &h, &mi, &sec, &consumed) != 6)
    return std::nullopt;
  size_t i = static_cast<size_t>(consumed);
  if (i < s.size() && s[i] == '.') {
    ++i;
    while (i < s.size() && s[i] >= '0' && s[i] <= '9') ++i;
  }
  long offset = 0;
  if (i < s.size() && (s[i] == '+' || s[i] == '-')) {
    int oh = 0, om = 0;
    if (std::sscanf(s.c_str() + i + 1, "%2d:%2d", &oh, &om) != 2) return std::nullopt;
    offset = (s[i] == '+' ? 1 : -1) * (oh * 3600L + om * 60L);
  } else if (i >= s.size() || (s[i] != 'Z' && s[i] != 'z')) {
    return std::nullopt;
  }
  std::tm tm {};
  tm.tm_year = y - 1900;
  tm.tm_mon = mo - 1;
  tm.tm_mday = d;
  tm.tm_hour = h;
  tm.tm_min = mi;
  tm.tm_sec = sec;
  std::time_t t = timegm(&tm) - offset;
  // system_clock counts nanoseconds, ±292 years around 1970: a later date (a credential that
  // "never" expires, 9999-12-31) is clamped instead of overflowing.
  using namespace std::chrono;
  constexpr auto kLimit = duration_cast<seconds>(system_clock::duration::max()).count();
  if (t >= kLimit) return system_clock::time_point::max();
  if (t <= -kLimit) return system_clock::time_point::min();
  return system_clock::from_time_t(t);
}

}  // namespace ks
