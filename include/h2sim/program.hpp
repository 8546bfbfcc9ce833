// compile_model: Model -> Program, the flat instruction form the simulator runs.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "h2sim/model.hpp"

namespace h2sim {

namespace detail {
struct ProgramData;  // src/compile/program_data.hpp
}

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

  // Implementation access for the simulator.
  const detail::ProgramData& data() const { return *data_; }
  explicit Program(std::shared_ptr<const detail::ProgramData> data) : data_(std::move(data)) {}

 private:
  std::shared_ptr<const detail::ProgramData> data_;
};

// Resolves names, expands arrays and SMTH/DELAY/TREND into internal stocks, orders
// auxiliaries, folds constants. Throws ModelError (unknown names, dimension
// mismatches, algebraic loops with the variables of the loop, bad arguments).
Program compile_model(const Model& model);

}  // namespace h2sim
