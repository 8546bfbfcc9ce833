// Checking a model without running it: names, dimensions and argument counts (resolving),
// units (check_units), and algebraic loops (compiling). load_scenario and load_xmile call
// check_model and throw its first error; the h2sim command `check` prints them all.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "h2sim/error.hpp"
#include "h2sim/model.hpp"
#include "h2sim/program.hpp"

namespace h2sim {

// One problem found by check_units.
struct UnitIssue {
  std::string variable;  // the variable whose equation (or connection) is at fault
  std::string equation;  // the equation text; "inflow NAME"/"outflow NAME" for stock connections
  int column = 0;        // 1-based position in `equation` of the operation at fault, 0 if none
  std::string message;   // complete sentence naming the variable and both units
  std::string found;     // the unit the equation (or argument) has
  std::string expected;  // the unit it should have
  bool is_error = true;  // every issue check_units reports today is an error
  Location where;        // the variable's definition (file, line), the equation and column
};

// Checks every equation of `model` against the declared units (src/check/unit_checker.cpp
// lists the rules). Variables with an empty unit string are unknown: expressions that
// involve them are not checked. Unit strings that do not parse are reported as issues.
// Throws ModelError when a name does not resolve (as compile_model does).
std::vector<UnitIssue> check_units(const Model& model);

// "variable 'x': message" plus the equation with a caret, for printing.
std::string to_string(const UnitIssue& issue);

// One finding of check_model.
struct Diagnostic {
  enum class Severity { Error, Warning };
  Severity severity = Severity::Error;
  ErrorKind kind = ErrorKind::Model;  // Model (structure), Parse, Scenario (units when strict)
  std::string message;                // the bare description
  Location where;                     // file:line, variable, equation and column
  std::string text() const { return format_error(message, where); }
  bool is_error() const { return severity == Severity::Error; }
};

struct CheckOptions {
  bool strict_units = false;  // unit mismatches are errors, not warnings
};

struct CheckResult {
  // Errors first (only the first structural error: the rest may follow from it), then
  // warnings, each in model order.
  std::vector<Diagnostic> diagnostics;
  // The compiled model, when there is no error: running it needs no second compile.
  std::shared_ptr<const Program> program;

  bool ok() const { return program != nullptr; }
  std::vector<std::string> warnings() const;  // text() of each warning
  // Throws the first error as the Error subclass of its kind; does nothing when there is none.
  void throw_first_error() const;
};

// Everything that can be found out about `model` without running it. Never throws for a
// problem in the model: problems are diagnostics.
CheckResult check_model(const Model& model, const CheckOptions& options = {});

}  // namespace h2sim
