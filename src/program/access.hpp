// The one way into a Program's data: only the compiler makes Programs, only the stages
// that run them read their insides.
#pragma once

#include <memory>

#include "h2sim/program.hpp"
#include "program/program_data.hpp"

namespace h2sim::detail {

struct ProgramAccess {
  static Program make(std::shared_ptr<const ProgramData> data) { return Program(std::move(data)); }
  static const ProgramData& data(const Program& program) { return *program.data_; }
};

}  // namespace h2sim::detail
