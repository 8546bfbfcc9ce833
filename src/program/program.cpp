// Program: the read-only face of compiled program data (program_data.hpp).
#include "h2sim/program.hpp"

#include "h2sim/names.hpp"
#include "program/program_data.hpp"

namespace h2sim {

const std::vector<OutputInfo>& Program::outputs() const { return data_->outputs; }
const std::vector<ParameterInfo>& Program::parameters() const { return data_->parameters; }
const TimeSettings& Program::time() const { return data_->time; }
std::size_t Program::stock_count() const { return static_cast<std::size_t>(data_->stock_count); }
std::size_t Program::instruction_count() const { return data_->step_code.size(); }

int Program::find_output(const std::string& name) const {
  const std::string key = canonical_element_name(name);
  for (std::size_t i = 0; i < data_->outputs.size(); ++i)
    if (canonical_element_name(data_->outputs[i].name) == key) return static_cast<int>(i);
  return -1;
}

int Program::find_parameter(const std::string& name) const {
  const std::string key = canonical_element_name(name);
  for (std::size_t i = 0; i < data_->parameters.size(); ++i)
    if (canonical_element_name(data_->parameters[i].name) == key) return static_cast<int>(i);
  return -1;
}

}  // namespace h2sim
