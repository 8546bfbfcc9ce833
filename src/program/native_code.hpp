// A Program's machine code, as the compiled backend (src/native) loaded it: the kernel's
// functions, and what keeps the shared library they live in loaded while any Program uses it.
#pragma once

#include <memory>
#include <string>

#include "program/native_abi.h"

namespace h2sim::detail {

struct NativeCode {
  const h2sim_native_kernel* kernel = nullptr;
  std::shared_ptr<void> library;  // the loaded shared library; unloaded with the last user
  std::string path;               // where it is, for messages
};

}  // namespace h2sim::detail
