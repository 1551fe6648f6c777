// src/core/time_format: RFC 3339 in and out at the edges of what the clock can hold (found by
// tests/fuzz: a far-future Expiration or a huge epoch number overflowed, which is UB).
#include <doctest/doctest.h>

#include <limits>

#include "src/core/time_format.hpp"

using namespace ks;

TEST_CASE("time_format: dates past the clock's range are clamped, not overflowed") {
  auto far = parse_rfc3339("9999-12-31T23:59:59Z");
  REQUIRE(far);
  CHECK(*far == std::chrono::system_clock::time_point::max());
  CHECK(rfc3339(*far).rfind("2262-", 0) == 0);
  auto early = parse_rfc3339("1000-01-01T00:00:00Z");
  REQUIRE(early);
  CHECK(*early == std::chrono::system_clock::time_point::min());
  CHECK(rfc3339(*parse_rfc3339("2026-01-02T03:04:05.123+01:00")) == "2026-01-02T02:04:05Z");
}

TEST_CASE("time_format: any epoch number gives a 4-digit-year timestamp") {
  CHECK(rfc3339_from_epoch(1523477145.713) == "2018-04-11T20:05:45Z");
  CHECK(rfc3339_from_epoch(1e300) == "9999-12-31T23:59:59Z");
  CHECK(rfc3339_from_epoch(std::numeric_limits<double>::quiet_NaN()) == "1970-01-01T00:00:00Z");
  CHECK(rfc3339_from_epoch(-1e300).size() > 0);
}
