// The one way into a Program's data: only the compiler makes Programs, only the stages
// that run them read their insides.
#pragma once

#include <memory>

#include "h2sim/program.hpp"
#include "program/native_code.hpp"
#include "program/program_data.hpp"

namespace h2sim::detail {

struct ProgramAccess {
  static Program make(std::shared_ptr<const ProgramData> data,
                      std::shared_ptr<const NativeCode> native = nullptr) {
    return Program(std::move(data), std::move(native));
  }
  static const ProgramData& data(const Program& program) { return *program.data_; }
  static const std::shared_ptr<const ProgramData>& shared_data(const Program& program) {
    return program.data_;
  }
  // The machine code the compiled backend built, or null: the interpreter runs it.
  static const NativeCode* native(const Program& program) { return program.native_.get(); }
};

}  // namespace h2sim::detail
