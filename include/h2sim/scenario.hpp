// YAML model and scenario files (docs/scenario-format.md is the reference).
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "h2sim/model.hpp"

namespace h2sim {

class Program;  // h2sim/program.hpp

// A policy lever as a scenario schedules it.
struct LeverSchedule {
  enum class Kind { Constant, Step, Linear, Ramp };
  std::string name;  // the constant it drives
  Kind kind = Kind::Constant;
  std::vector<double> times;   // Ramp: start and end
  std::vector<double> values;  // Ramp: from and to
  // The constant's value before the schedule (after the scenario's parameters): a step holds
  // it until its first time; a ramp starts from it unless the file gives `from:`.
  double before = 0;
};

// "constant", "step", "linear", "ramp": the names the scenario format uses.
std::string to_string(LeverSchedule::Kind kind);

// The table a schedule runs as, read at TIME (docs/scenario-format.md, Levers): a step is a
// Discrete table that holds `before` from `start` until its first time; linear and ramp are
// Continuous tables of their points; a constant is one point. Scenario files and per-run lever
// trajectories (h2sim sweep, Model.run) expand schedules through this one rule.
GraphicalFunction schedule_table(const LeverSchedule& lever, double start);

// A section of a model or scenario file that h2sim's analysis tools read and the loader only
// carries: `outcomes:`, `targets:`, `uncertainties:`, `calibration:`, `reality_checks:`
// (analysis_section_names()). Each node keeps where it was written, so that the tool that
// reads it can point at the line. Scalars stay text: the reader decides their type.
struct DataNode {
  enum class Kind { Null, Scalar, List, Map };
  Kind kind = Kind::Null;
  std::string scalar;              // Scalar: the text as written
  bool quoted = false;             // Scalar: written in quotes, so always a string
  std::vector<std::string> keys;   // Map: the keys, in file order
  std::vector<DataNode> children;  // Map: the values, in the order of `keys`; List: the items
  Location where;                  // file, line and column of the node
};

// The sections DataNode carries, in the order documented in docs/scenario-format.md.
const std::vector<std::string>& analysis_section_names();

struct LoadOptions {
  // Unit mismatches are errors (ScenarioError) instead of warnings.
  bool strict_units = false;
};

// A loaded scenario: the model with every override and lever applied, ready to
// compile, and what the scenario asked for.
struct Scenario {
  std::string name;
  std::string description;
  std::string file;                // the scenario file
  std::string model_file;          // the model file it runs
  std::vector<std::string> chain;  // files of the `extends` chain, base first
  Model model;
  std::vector<std::pair<std::string, double>> parameters;  // overrides, as applied
  std::vector<LeverSchedule> levers;
  std::vector<std::string> outputs;   // empty: every variable
  std::vector<std::string> warnings;  // unit warnings and other notes from loading
  // Analysis sections by name. The model file's come first; each scenario of the `extends`
  // chain then replaces a mapping section's entries by key and any other section whole.
  std::vector<std::pair<std::string, DataNode>> sections;
  // `model` compiled, by load_scenario's check: run it without compiling again. It is the
  // Program of the model as loaded; after changing `model`, compile_model it anew.
  std::shared_ptr<const Program> program;
};

// Loads a model file (stocks, flows, ... and components). Throws ParseError for YAML
// syntax, ScenarioError for the format, ModelError for equations that do not resolve;
// every error carries file:line:column and the YAML path. Loading reads the file
// (translation only) and then runs check_model (h2sim/check.hpp) on the result.
Model load_model(const std::string& path, const LoadOptions& options = {});

// Loads a scenario file (model:, time:, parameters:, levers:, outputs:, extends:).
// A model file given here loads as a scenario of that model with nothing changed.
Scenario load_scenario(const std::string& path, const LoadOptions& options = {});

// Same, from text (`file` labels errors and resolves relative paths).
Scenario parse_scenario(const std::string& text, const std::string& file,
                        const LoadOptions& options = {});

}  // namespace h2sim
