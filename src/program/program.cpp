// Program: the read-only face of compiled program data (program_data.hpp).
#include "h2sim/program.hpp"

#include <algorithm>

#include "core/text.hpp"
#include "h2sim/error.hpp"
#include "h2sim/names.hpp"
#include "program/program_data.hpp"

namespace h2sim {

std::string Program::backend() const { return native_ ? "compiled" : "interpreter"; }
const std::vector<OutputInfo>& Program::outputs() const { return data_->outputs; }
const std::vector<ParameterInfo>& Program::parameters() const { return data_->parameters; }
const std::vector<ScheduleInfo>& Program::schedules() const { return data_->schedules; }
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

namespace h2sim {

int Program::find_schedule(const std::string& name) const {
  const std::string key = canonical_element_name(name);
  for (std::size_t i = 0; i < data_->schedules.size(); ++i)
    if (canonical_element_name(data_->schedules[i].name) == key) return static_cast<int>(i);
  return -1;
}

}  // namespace h2sim

namespace h2sim {

namespace {

// Elements of `name` among `names` (an arrayed variable named without [elements]).
template <class Info>
std::vector<int> matching(const std::vector<Info>& items, const std::string& name) {
  const std::string whole = canonical_element_name(name);
  const std::string key = canonical_name(name);
  std::vector<int> exact, elements;
  for (std::size_t k = 0; k < items.size(); ++k) {
    const std::string item = canonical_element_name(items[k].name);
    if (item == whole) exact.push_back(static_cast<int>(k));
    if (item.size() > key.size() && item.compare(0, key.size(), key) == 0 &&
        item[key.size()] == '[')
      elements.push_back(static_cast<int>(k));
  }
  return exact.empty() ? elements : exact;
}

std::string kind_phrase(VariableKind kind) {
  switch (kind) {
    case VariableKind::Stock:
      return "is a stock, computed by integrating its flows";
    case VariableKind::Flow:
      return "is a flow, computed by an equation";
    default:
      return "is an auxiliary, computed by an equation";
  }
}

// The levers (constants marked as levers, and schedules) that the variables in `slots` read in
// the same instant, by variable name, nearest first.
std::vector<std::string> levers_read(const detail::ProgramData& p,
                                     const std::vector<std::int32_t>& start) {
  const auto variables = static_cast<std::size_t>(p.variable_end - p.variable_begin);
  std::vector<char> seen(variables, 0);
  std::vector<std::string> out;
  auto add = [&](const std::string& name) {
    if (std::find(out.begin(), out.end(), name) == out.end()) out.push_back(name);
  };
  std::vector<std::int32_t> slots = start;
  for (std::size_t next = 0; next < slots.size(); ++next) {
    const std::int32_t slot = slots[next];
    const auto k = static_cast<std::size_t>(slot - p.variable_begin);
    if (slot < p.variable_begin || k >= variables || seen[k]) continue;
    seen[k] = 1;
    for (std::size_t i = 0; i < p.parameter_slots.size(); ++i)
      if (p.parameter_slots[i] == slot && p.parameters[i].lever)
        add(p.parameters[i].name.substr(0, p.parameters[i].name.find('[')));
    for (std::size_t i = 0; i < p.schedule_slots.size(); ++i)
      if (p.schedule_slots[i] == slot) add(p.schedules[i].variable);
    if (k + 1 < p.read_offsets.size())
      for (auto r = p.read_offsets[k]; r < p.read_offsets[k + 1]; ++r)
        slots.push_back(p.reads[static_cast<std::size_t>(r)]);
  }
  return out;
}

}  // namespace

Settable Program::settable(const std::string& name) const {
  const detail::ProgramData& p = *data_;
  Settable out{matching(p.parameters, name), matching(p.schedules, name)};
  if (!out.parameters.empty() || !out.schedules.empty()) return out;

  Location where;
  where.variable = name;
  // A variable with a value: say what it is and which levers move it.
  std::vector<std::int32_t> slots;
  VariableKind kind = VariableKind::Auxiliary;
  int output = -1;
  for (const int o : matching(p.outputs, name)) {
    slots.push_back(p.output_slots[static_cast<std::size_t>(o)]);
    kind = p.outputs[static_cast<std::size_t>(o)].kind;
    if (output < 0) output = o;
  }
  if (slots.empty()) {
    std::vector<std::string> names;
    for (const auto& i : p.parameters) names.push_back(i.name.substr(0, i.name.find('[')));
    for (const auto& i : p.schedules) names.push_back(i.variable);
    for (const auto& i : p.outputs) names.push_back(i.variable);
    const std::string best = detail::closest_name(name, names);
    throw ModelError("no constant or lever with this name" +
                         (best.empty() ? std::string() : " (did you mean '" + best + "'?)"),
                     where);
  }
  // Where the variable is defined: found by its name, since a variable that only copies
  // another shares that one's slot (and the slot says where the other is defined).
  const std::string variable_key =
      canonical_name(p.outputs[static_cast<std::size_t>(output)].variable);
  const auto defined =
      std::find_if(p.variable_locations.begin(), p.variable_locations.end(),
                   [&](const Location& l) { return canonical_name(l.variable) == variable_key; });
  const auto k = static_cast<std::size_t>(slots.front() - p.variable_begin);
  const std::int32_t variable = k < p.slot_variables.size() ? p.slot_variables[k] : -1;
  if (defined != p.variable_locations.end())
    where = *defined;
  else if (variable >= 0)
    where = p.variable_locations[static_cast<std::size_t>(variable)];
  where.variable = name;
  std::string message =
      kind_phrase(kind) + ", not a constant: only constants and lever schedules can be set per run";
  const std::vector<std::string> levers = levers_read(p, slots);
  if (levers.size() == 1) {
    message += "; it depends on the lever '" + levers[0] + "' (set that instead)";
  } else if (!levers.empty()) {
    const std::size_t shown = std::min<std::size_t>(levers.size(), 6);
    std::vector<std::string> quoted;
    for (std::size_t i = 0; i < shown; ++i) quoted.push_back("'" + levers[i] + "'");
    message += "; it depends on " + std::to_string(levers.size()) +
               " levers: " + detail::join(quoted) + (levers.size() > shown ? ", ..." : "");
  }
  throw ModelError(message, where);
}

}  // namespace h2sim
