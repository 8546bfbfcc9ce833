// libFuzzer target: codegen inputs (fuzz_inputs.hpp says what is done with each; scripts/fuzz.sh
// runs it).
#include "fuzz_inputs.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  h2fuzz::codegen(data, size);
  return 0;
}
