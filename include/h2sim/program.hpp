// Program: a compiled model, the flat instruction form the simulator runs. Made only by
// compile_model (h2sim/compile.hpp).
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "h2sim/model.hpp"

namespace h2sim {

namespace detail {
struct ProgramData;    // src/program/program_data.hpp
struct ProgramAccess;  // src/program/access.hpp: how the compiler and the simulator reach it
}  // namespace detail

// One scalar quantity the simulator can report: a variable, or one element of an
// arrayed variable ("fleet[bus]").
struct OutputInfo {
  std::string name;      // display name, with [elements] for arrayed variables
  std::string variable;  // the model variable it belongs to
  std::string units;
  VariableKind kind = VariableKind::Auxiliary;
};

// A parameter that can be set per lane without recompiling: every constant (every
// element of an arrayed constant).
struct ParameterInfo {
  std::string name;  // "price" or "subsidy[bus]"
  double value = 0;  // the model's value
  std::string units;
  // The order of a SMTHN or DELAYN: its value fixed the program's structure, so a run
  // cannot change it (set it in the Model and compile again).
  bool structural = false;
};

// An immutable compiled model. Cheap to copy (shared); safe to use from many
// threads at once.
class Program {
 public:
  const std::vector<OutputInfo>& outputs() const;
  const std::vector<ParameterInfo>& parameters() const;
  const TimeSettings& time() const;
  std::size_t stock_count() const;        // state size, internal stocks of SMTH/DELAY included
  std::size_t instruction_count() const;  // instructions evaluated per right-hand side call
  // Index into outputs() or parameters(); -1 when there is no such name.
  int find_output(const std::string& name) const;
  int find_parameter(const std::string& name) const;

 private:
  friend struct detail::ProgramAccess;
  explicit Program(std::shared_ptr<const detail::ProgramData> data) : data_(std::move(data)) {}
  std::shared_ptr<const detail::ProgramData> data_;
};

}  // namespace h2sim
