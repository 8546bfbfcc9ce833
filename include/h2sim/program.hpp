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
struct NativeCode;     // src/program/native_code.hpp: the compiled backend's machine code
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
  bool lever = false;  // the model marks the constant as a policy lever
};

// A variable that follows a table over time: a lever the scenario schedules, or any
// auxiliary defined as a graphical function of TIME. A run may bind another table to it
// (simulate's `schedules`, ParameterTable::schedules) without compiling again; each
// element of an arrayed one is a schedule of its own.
struct ScheduleInfo {
  std::string name;         // "purchase_subsidy_level" or "subsidy[bus]"
  std::string variable;     // the model variable
  std::string units;        // of its values
  GraphicalFunction table;  // the model's table: what a run reads unless it binds another
};

// What a run sets by one name: parameters and schedules, by index (an arrayed name without
// [elements] sets every element).
struct Settable {
  std::vector<int> parameters;  // into Program::parameters()
  std::vector<int> schedules;   // into Program::schedules()
};

// An immutable compiled model. Cheap to copy (shared); safe to use from many
// threads at once. The simulator runs its instructions with the interpreter, or, for a
// Program that build_native (h2sim/native.hpp) made, as machine code: the same results,
// bit for bit.
class Program {
 public:
  // "interpreter", or "compiled" for a Program that runs as machine code.
  std::string backend() const;
  const std::vector<OutputInfo>& outputs() const;
  const std::vector<ParameterInfo>& parameters() const;
  const std::vector<ScheduleInfo>& schedules() const;
  const TimeSettings& time() const;
  std::size_t stock_count() const;        // state size, internal stocks of SMTH/DELAY included
  std::size_t instruction_count() const;  // instructions evaluated per right-hand side call
  // Index into outputs(), parameters() or schedules(); -1 when there is no such name.
  int find_output(const std::string& name) const;
  int find_parameter(const std::string& name) const;
  int find_schedule(const std::string& name) const;  // index into schedules()
  // The parameters and schedules a run sets by `name`. Throws ModelError, located where the
  // variable is defined, for anything else: what it is (an auxiliary, a flow, a stock) and
  // which levers its value depends on in the same instant, or that no variable has the name.
  Settable settable(const std::string& name) const;

 private:
  friend struct detail::ProgramAccess;
  explicit Program(std::shared_ptr<const detail::ProgramData> data,
                   std::shared_ptr<const detail::NativeCode> native = nullptr)
      : data_(std::move(data)), native_(std::move(native)) {}
  std::shared_ptr<const detail::ProgramData> data_;
  std::shared_ptr<const detail::NativeCode> native_;
};

}  // namespace h2sim
