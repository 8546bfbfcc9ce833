// simulate: integrate a Program over time, one run or many lanes side by side.
#pragma once

#include <Eigen/Core>
#include <functional>
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

// Times x outputs of one run.
struct Result {
  std::vector<std::string> names;
  std::vector<std::string> units;
  Eigen::VectorXd times;
  Eigen::MatrixXd values;  // row: saved time, column: output

  // Column of one output by name; throws ModelError when it was not reported.
  Eigen::VectorXd column(const std::string& name) const;
  int find(const std::string& name) const;  // -1 when absent
};

using RowMatrix = Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;

// lanes x times x outputs of a batch, stored lane by lane in one block of memory.
struct BatchResult {
  std::vector<std::string> names;
  std::vector<std::string> units;
  Eigen::VectorXd times;
  std::size_t lanes = 0;
  std::vector<double> values;  // [lane][time][output]

  double at(std::size_t lane, std::size_t time, std::size_t output) const {
    return values[(lane * static_cast<std::size_t>(times.size()) + time) * names.size() + output];
  }
  // One lane as times x outputs.
  Eigen::Map<const RowMatrix> lane(std::size_t lane) const;
  int find(const std::string& name) const;  // -1 when absent
};

// Per-lane parameter values: one row per lane, one column per named parameter.
// Parameters not named keep the model's value in every lane.
struct ParameterTable {
  std::vector<std::string> names;
  Eigen::MatrixXd values;  // lanes x names
};

// One run. `overrides` set constants ("price", "subsidy[bus]") for this run only.
Result simulate(const Program& program, const SimulationOptions& options = {},
                const std::vector<std::pair<std::string, double>>& overrides = {});

// Many runs of the same Program, one per row of `table`, evaluated in blocks of
// lanes. Lane i equals, bit for bit, simulate() with row i as overrides.
BatchResult simulate_batch(const Program& program, const ParameterTable& table,
                           const SimulationOptions& options = {});

// Number of lanes one instruction processes at once in batch runs.
int lane_block_width();

}  // namespace h2sim
