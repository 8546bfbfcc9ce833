// The compiled form of a model: flat instructions over a flat slot array.
//
// Every value the model computes lives in a slot. In a run each slot holds one value
// per lane; an instruction reads and writes whole slots, so one pass over the
// instructions advances every lane of a block. Nothing here is looked up by name
// while a run is stepping.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "h2sim/model.hpp"
#include "h2sim/program.hpp"
#include "program/native_abi.h"

namespace h2sim::detail {

enum class Op : std::uint8_t {
  Copy,  // dst = a
  Add,
  Sub,
  Mul,
  Div,
  Pow,
  Mod,
  Neg,
  Not,
  Lt,
  Le,
  Gt,
  Ge,
  Eq,
  Ne,
  And,
  Or,      // results are 1 or 0
  Select,  // dst = a != 0 ? b : c
  Abs,
  Min,
  Max,
  Exp,
  Ln,
  Log10,
  Sqrt,
  Sin,
  Cos,
  Tan,
  Asin,
  Acos,
  Atan,
  Floor,
  Trunc,  // toward zero (Vensim's INTEGER)
  Round,
  Sinh,
  Cosh,
  Tanh,
  Rem,       // dst = fmod(a, b): the sign of a (Vensim's MODULO)
  SafeDiv,   // dst = b != 0 ? a / b : c
  Step,      // dst = step_time >= b ? a : 0                          (STEP(a, b))
  Ramp,      // dst = slope a from time b, held after time c (c < 0: no end slot)
  Pulse,     // dst = a / dt in the dt starting at b, repeating every c (c < 0: once)
  Lookup,    // dst = table[b](a): b is a table index, not a slot
  Schedule,  // dst = the lane's table for schedule b, read at a: tables bound per run (BoundTable)
};

struct Instruction {
  Op op = Op::Copy;
  std::int32_t dst = 0;
  std::int32_t a = 0;
  std::int32_t b = 0;
  std::int32_t c = -1;
};

// Which of an instruction's operands are slots it reads: a always; b for every operator of
// two or more operands (for Lookup and Schedule, b is a table or schedule index); c for Select and
// SafeDiv, and for Ramp and Pulse when it is given (c >= 0). STEP, RAMP and PULSE also read
// kStepTimeSlot and PULSE kDtSlot, which the simulator sets. Exhaustive, without a default, so that
// a new Op cannot be added without saying.
inline bool reads_b(Op op) {
  switch (op) {
    case Op::Copy:
    case Op::Neg:
    case Op::Not:
    case Op::Abs:
    case Op::Exp:
    case Op::Ln:
    case Op::Log10:
    case Op::Sqrt:
    case Op::Sin:
    case Op::Cos:
    case Op::Tan:
    case Op::Asin:
    case Op::Acos:
    case Op::Atan:
    case Op::Floor:
    case Op::Trunc:
    case Op::Round:
    case Op::Sinh:
    case Op::Cosh:
    case Op::Tanh:
    case Op::Lookup:
    case Op::Schedule:
      return false;
    case Op::Add:
    case Op::Sub:
    case Op::Mul:
    case Op::Div:
    case Op::Pow:
    case Op::Mod:
    case Op::Lt:
    case Op::Le:
    case Op::Gt:
    case Op::Ge:
    case Op::Eq:
    case Op::Ne:
    case Op::And:
    case Op::Or:
    case Op::Select:
    case Op::Min:
    case Op::Max:
    case Op::Rem:
    case Op::SafeDiv:
    case Op::Step:
    case Op::Ramp:
    case Op::Pulse:
      return true;
  }
  return true;
}
inline bool reads_c(const Instruction& in) {
  switch (in.op) {
    case Op::Select:
    case Op::SafeDiv:
      return true;
    case Op::Ramp:
    case Op::Pulse:
      return in.c >= 0;
    default:
      return false;
  }
}

struct LookupTable {
  std::int32_t offset = 0;  // into ProgramData::lookup_x / lookup_y
  std::int32_t count = 0;
  Interpolation interpolation = Interpolation::Continuous;
};

// A schedule's table as one lane reads it (Op::Schedule). The simulator binds one per schedule
// and lane before a run: the model's own table, or the run's (a lever trajectory). Times may
// repeat: a repeated time is a jump, the later point holding from that time on.
struct BoundTable {
  const double* x = nullptr;
  const double* y = nullptr;
  std::int32_t count = 0;
  Interpolation interpolation = Interpolation::Continuous;
};
// Compiled models read the bound tables as h2sim_table (native_abi.h): the same layout.
static_assert(sizeof(BoundTable) == sizeof(h2sim_table) &&
              offsetof(BoundTable, x) == offsetof(h2sim_table, x) &&
              offsetof(BoundTable, y) == offsetof(h2sim_table, y) &&
              offsetof(BoundTable, count) == offsetof(h2sim_table, count) &&
              offsetof(BoundTable, interpolation) == offsetof(h2sim_table, mode) &&
              sizeof(Interpolation) == sizeof(int));

// PREVIOUS(x): `slot` holds x from the previous dt; `source` is x's slot.
struct PreviousState {
  std::int32_t slot = 0;
  std::int32_t source = 0;
};

// DELAY(input, delay time, initial): `slot` holds the input of round(delay/dt) steps ago.
struct PipelineDelay {
  std::int32_t slot = 0;
  std::int32_t input = 0;
  std::int32_t delay_time = 0;  // read once, after initialisation
  std::int32_t initial = 0;     // the output until the first input arrives
};

// Fixed slots, set by the simulator.
inline constexpr std::int32_t kTimeSlot = 0;  // time of the current evaluation
inline constexpr std::int32_t kDtSlot = 1;
inline constexpr std::int32_t kStartSlot = 2;
inline constexpr std::int32_t kStopSlot = 3;
inline constexpr std::int32_t kStepTimeSlot = 4;  // start of the current step: STEP, RAMP, PULSE
inline constexpr std::int32_t kFixedSlots = 5;

struct ProgramData {
  TimeSettings time;
  std::int32_t slot_count = kFixedSlots;

  // Literal numbers: slot and value, written once before a run.
  std::vector<std::pair<std::int32_t, double>> literals;

  // Parameters (constants), settable per lane.
  std::vector<ParameterInfo> parameters;
  std::vector<std::int32_t> parameter_slots;

  // Stocks: slots [stock_begin, stock_begin + stock_count) hold the state, in the
  // same order as the integrator's state vector; derivatives likewise from
  // derivative_begin.
  std::int32_t stock_begin = 0;
  std::int32_t stock_count = 0;
  std::int32_t derivative_begin = 0;
  std::vector<std::uint8_t> non_negative;  // per stock

  // Every named or internal variable's slot lies in [variable_begin, variable_end), so
  // one pass over that range tells whether anything became non-finite.
  std::int32_t variable_begin = 0;
  std::int32_t variable_end = 0;
  // For run-time errors, per variable slot: the element it is or belongs to ("fleet[bus]"),
  // for the internal state of a builtin what that is ("the internal stock smooth1 of SMTH1";
  // "" for a variable's own value), and its model variable (index into variable_locations,
  // -1 for none).
  std::vector<std::string> slot_names;
  std::vector<std::string> slot_internals;
  std::vector<std::int32_t> slot_variables;
  std::vector<Location> variable_locations;     // where each model variable is defined
  std::vector<std::string> variable_equations;  // each model variable's equation as written

  std::vector<Instruction> init_code;  // initial values of everything, in dependency order
  std::vector<Instruction> step_code;  // time-varying auxiliaries and flows, then derivatives

  std::vector<PreviousState> previous;
  std::vector<PipelineDelay> delays;

  std::vector<LookupTable> lookups;
  std::vector<double> lookup_x;
  std::vector<double> lookup_y;

  // Schedules: variables whose value is a table read at TIME (the levers a scenario
  // schedules). Each element is one schedule; its model table is schedule_lookups[k], and a
  // run may bind another table per lane (Op::Schedule reads BoundTable[k * W + lane]).
  std::vector<ScheduleInfo> schedules;
  std::vector<std::int32_t> schedule_lookups;  // into lookups
  std::vector<std::int32_t> schedule_slots;    // where each schedule's value is computed

  // For messages about a variable that cannot be set per run: per variable slot (from
  // variable_begin), the variable slots its value reads in the same instant (not through a
  // stock, a delay or PREVIOUS), as offsets into `reads`.
  std::vector<std::int32_t> read_offsets;
  std::vector<std::int32_t> reads;

  // Slots whose initial values are times of known discontinuities (STEP, PULSE,
  // RAMP arguments); adaptive methods stop there. pulse_breakpoints hold
  // (first, interval) pairs.
  std::vector<std::int32_t> breakpoint_slots;
  std::vector<std::pair<std::int32_t, std::int32_t>> pulse_breakpoints;

  std::vector<OutputInfo> outputs;
  std::vector<std::int32_t> output_slots;
  // Arrayed variables: name -> the outputs that are its elements.
  std::vector<std::pair<std::string, std::vector<std::int32_t>>> output_groups;

  bool has_discrete_state() const { return !previous.empty() || !delays.empty(); }
};

}  // namespace h2sim::detail
