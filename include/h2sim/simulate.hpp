// simulate: integrate a Program over time, one run or many lanes side by side.
#pragma once

#include <Eigen/Core>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "h2sim/program.hpp"

namespace h2sim {

// Anything left unset comes from the model's TimeSettings.
struct SimulationOptions {
  std::optional<double> start;
  std::optional<double> stop;
  std::optional<double> dt;          // fixed step (Euler, RK4); discrete clock otherwise
  std::optional<double> save_every;  // must be a multiple of dt for fixed-step methods
  std::optional<Method> method;
  double relative_tolerance = 1e-6;  // Dopri5, Rosenbrock4
  double absolute_tolerance = 1e-9;
  // Names to report: variables ("fleet" gives every element), elements ("fleet[bus]").
  // Empty: every variable of the model.
  std::vector<std::string> outputs;
  // Batches: worker threads (0: one per core) and a progress callback, called from
  // the calling thread with (lanes finished, lanes in all).
  unsigned threads = 0;
  std::function<void(std::size_t, std::size_t)> progress;
};

using RowMatrix = Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
// One output over time: a view into a result, no copy.
using ColumnView = Eigen::Map<const Eigen::VectorXd, 0, Eigen::InnerStride<>>;

// What every result has: the outputs' names and units and the saved times. Results hold
// their numbers in plain std::vectors, laid out row by row ([time][output]), and hand out
// Eigen views of them; no Eigen object is allocated on one side of the library's boundary
// and freed on the other (docs/architecture.md, "Eigen at the boundary").
struct SavedOutputs {
  std::vector<std::string> names;
  std::vector<std::string> units;
  std::vector<double> times;

  int find(const std::string& name) const;  // index into names, -1 when absent
};

// Times x outputs of one run.
struct Result : SavedOutputs {
  std::vector<double> values;  // [time][output]

  double at(std::size_t time, std::size_t output) const {
    return values[time * names.size() + output];
  }
  // Times x outputs.
  Eigen::Map<const RowMatrix> matrix() const {
    return {values.data(), static_cast<Eigen::Index>(times.size()),
            static_cast<Eigen::Index>(names.size())};
  }
  // One output by name; throws ModelError when it was not reported.
  ColumnView column(const std::string& name) const;
};

// Lanes x times x outputs of a batch: each lane as a Result stores it, one after another.
struct BatchResult : SavedOutputs {
  std::size_t lanes = 0;
  std::vector<double> values;  // [lane][time][output]

  double at(std::size_t lane, std::size_t time, std::size_t output) const {
    return values[(lane * times.size() + time) * names.size() + output];
  }
  // One lane as times x outputs.
  Eigen::Map<const RowMatrix> lane(std::size_t lane) const {
    return {values.data() + lane * times.size() * names.size(),
            static_cast<Eigen::Index>(times.size()), static_cast<Eigen::Index>(names.size())};
  }
};

// A lever trajectory per lane: the tables a schedule (Program::schedules()) reads instead of
// the model's. A table's x are times (increasing; a time given twice is a jump to the later
// value), its y the lever's values; Continuous is linear between points, Discrete a step
// function; both hold the end values beyond the ends.
struct ScheduleColumn {
  std::string name;  // a schedule; an arrayed one named without [elements]: every element
  std::vector<GraphicalFunction> tables;
  // Which table each lane reads. Empty: tables[lane] (one per lane), or tables[0] for every
  // lane when there is just one.
  std::vector<std::size_t> table_of_lane;
};

// Per-lane inputs: one row per lane, one column per named parameter, and lever trajectories.
// Parameters and schedules not named keep the model's values in every lane. A number column
// may name a schedule too: the lever then holds that number for the whole run. When two
// columns set the same thing, the later wins (numbers first, then `schedules`).
struct ParameterTable {
  std::vector<std::string> names;
  Eigen::MatrixXd values;  // lanes x names
  std::vector<ScheduleColumn> schedules;
};

// One run. `overrides` set constants ("price", "subsidy[bus]") for this run only, or hold a
// scheduled lever at a number; `schedules` give levers their tables for this run.
Result simulate(const Program& program, const SimulationOptions& options = {},
                const std::vector<std::pair<std::string, double>>& overrides = {},
                const std::vector<std::pair<std::string, GraphicalFunction>>& schedules = {});

// Many runs of the same Program, one per row of `table`, evaluated in blocks of
// lanes. Lane i equals, bit for bit, simulate() with row i as overrides.
BatchResult simulate_batch(const Program& program, const ParameterTable& table,
                           const SimulationOptions& options = {});

// Number of lanes one instruction processes at once in batch runs.
int lane_block_width();

// A single run prepared once and run many times (sliders, calibration loops, optimisers): the
// outputs, time settings and parameter names are resolved when it is made, so a run costs the
// model's steps and little else. Thread-safe (run is const); the same numbers as simulate().
//
//   h2sim::PreparedRun run(program, options);
//   const std::vector<int> price = run.parameters("price");      // once
//   std::vector<double> out(run.times().size() * run.names().size());
//   run.run(price, {42.0}, out.data());                           // many times
//   run.run({}, {}, out.data(), {{program.find_schedule("subsidy"), trajectory}});
class PreparedRun {
 public:
  explicit PreparedRun(const Program& program, const SimulationOptions& options = {});
  const std::vector<std::string>& names() const;  // the outputs, as Result::names
  const std::vector<std::string>& units() const;
  const std::vector<double>& times() const;
  // The parameters a name sets: one for a constant or an element ("subsidy[bus]"), every
  // element for an arrayed constant named alone; none for a scheduled lever (settable() gives
  // its schedules). Throws ModelError as simulate() does for a name a run cannot set.
  std::vector<int> parameters(const std::string& name) const;
  Settable settable(const std::string& name) const;  // parameters and schedules
  // One run with value k for parameter indices[k] (later entries win) and, for each
  // (schedule index, table) of `schedules`, that lever trajectory (Program::schedules(); a
  // one-point table holds the lever at a number), the others at the model's values and
  // tables; writes times() x names() numbers, row by row, into `out`. Throws ModelError for a
  // structural parameter set to another value or a table that cannot run, SimulationError as
  // simulate().
  void run(const std::vector<int>& indices, const std::vector<double>& values, double* out,
           const std::vector<std::pair<int, GraphicalFunction>>& schedules = {}) const;

 private:
  struct Plan;
  std::shared_ptr<const Plan> plan_;
};

}  // namespace h2sim
