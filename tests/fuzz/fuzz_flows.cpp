// check-flows' reader (src/flows) over arbitrary text: the YAML of a flow file (any number of
// documents) and the Pebble lexer over the same text as one template. Invariants: every reported
// line lies inside the text, and every call's offset points at `secret`.
#include <algorithm>

#include "src/flows/flow_refs.hpp"
#include "tests/fuzz/fuzz_common.hpp"

using namespace ks;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string input = fuzz::text(data, size);
  const int lines = static_cast<int>(std::count(input.begin(), input.end(), '\n')) + 1;
  fuzz::tolerate([&] {
    auto file = flows::scan_flow_file(input);
    for (const auto& p : file.problems) KS_FUZZ_CHECK(p.line >= 1 && p.line <= lines);
    for (const auto& f : file.flows) {
      KS_FUZZ_CHECK(f.line >= 1 && f.line <= lines);
      for (const auto& r : f.refs) KS_FUZZ_CHECK(r.line >= 1 && r.line <= lines);
    }
  });
  fuzz::tolerate([&] {
    for (const auto& call : flows::find_secret_calls(input))
      KS_FUZZ_CHECK(input.compare(call.offset, 6, "secret") == 0);
  });
  return 0;
}
