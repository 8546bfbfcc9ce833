// Limits on the size of what h2sim reads and builds, so that no input can crash it (nesting
// deeper than the stack holds), hang it or exhaust memory (expansions without bound). Each
// limit has a default (docs/limits.md gives them, and why) and an environment variable that
// raises it, read once, when h2sim first needs a limit. An input past a limit is an Error that
// names the limit, the value found and the variable that raises it.
#pragma once

#include <cstddef>
#include <string>

namespace h2sim {

enum class Limit {
  Nesting,         // levels of parentheses, operators and calls in one equation or unit string,
                   // and of nested mappings, lists or elements in a YAML or XML file
  EquationLength,  // characters in one equation or unit string
  ExpressionSize,  // numbers, names, operators and calls in one equation
  FileSize,        // bytes of one model or scenario file
  DocumentNodes,   // nodes of one YAML or XML file, counting each use of a YAML alias again
  Variables,       // variables of a model after its components and modules are copied in
  Elements,        // values a model expands to: every element of every variable, internal
                   // stocks and delays included
  CompiledTerms,   // numbers, names and operations of all equations together once array
                   // functions are unrolled (SUM inside SUM multiplies)
  Steps,           // dt steps of one run
  SavedValues,     // numbers a run or batch saves: times x outputs x runs
};

// The value of a limit: the environment variable's when it is set, else the default. Throws
// ScenarioError when the variable is set to something that is not a whole number >= 1.
std::size_t limit(Limit which);
std::size_t default_limit(Limit which);

// The environment variable that sets the limit ("H2SIM_MAX_NESTING").
const char* limit_variable(Limit which);

// The message for an input past a limit, after `found` (what the input has, "nests 10001
// levels deep"): "..., more than the limit of 200 (raise it with the environment variable
// H2SIM_MAX_NESTING; docs/limits.md)".
std::string limit_message(Limit which, const std::string& found);

}  // namespace h2sim
