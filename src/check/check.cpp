// check_model: resolve, compile (which finds algebraic loops), check units; every problem a
// diagnostic with the variable's file and line.
#include "h2sim/check.hpp"

#include <new>

#include "check/unit_checker.hpp"
#include "compile/compiler.hpp"

namespace h2sim {

namespace {

// A unit issue as load_scenario reports it: "units: ..." at the variable's definition.
Diagnostic unit_diagnostic(const UnitIssue& issue, bool strict) {
  Diagnostic d;
  d.severity = strict ? Diagnostic::Severity::Error : Diagnostic::Severity::Warning;
  d.kind = ErrorKind::Scenario;
  d.where = issue.where;
  d.where.variable = issue.variable;
  // The location names the variable; the issue's message starts with it too.
  std::string message = issue.message;
  const std::string named = "variable '" + issue.variable + "': ";
  if (message.rfind(named, 0) == 0) message.erase(0, named.size());
  if (message.rfind("units", 0) != 0) message = "units: " + message;
  d.message = std::move(message);
  return d;
}

}  // namespace

CheckResult check_model(const Model& model, const CheckOptions& options) {
  CheckResult result;
  try {
    const detail::ResolvedModel resolved = detail::resolve(model);
    auto program = std::make_shared<const Program>(detail::compile(resolved));
    for (const UnitIssue& issue : detail::check_units(resolved))
      result.diagnostics.push_back(unit_diagnostic(issue, options.strict_units));
    if (!options.strict_units || result.diagnostics.empty()) result.program = std::move(program);
  } catch (const Error& e) {
    Diagnostic d;
    d.kind = e.kind();
    d.message = e.message();
    d.where = e.where();
    result.diagnostics.insert(result.diagnostics.begin(), std::move(d));
  } catch (const std::bad_alloc&) {
    result.program.reset();
    Diagnostic d;
    d.message =
        "not enough memory to compile the model (docs/limits.md: the limits that keep "
        "models to a size that compiles)";
    d.where = model.time().location;
    result.diagnostics.insert(result.diagnostics.begin(), std::move(d));
  }
  // A file that defines nothing (an unclosed quote can swallow the rest of it) deserves a word.
  if (model.variables().empty()) {
    Diagnostic d;
    d.severity = Diagnostic::Severity::Warning;
    d.kind = ErrorKind::Scenario;
    d.message = "the model has no variables: nothing to compute";
    d.where.file = model.time().location.file;
    result.diagnostics.push_back(std::move(d));
  }
  return result;
}

std::vector<std::string> CheckResult::warnings() const {
  std::vector<std::string> out;
  for (const Diagnostic& d : diagnostics)
    if (!d.is_error()) out.push_back(d.text());
  return out;
}

void CheckResult::throw_first_error() const {
  for (const Diagnostic& d : diagnostics) {
    if (!d.is_error()) continue;
    switch (d.kind) {
      case ErrorKind::Parse:
        throw ParseError(d.message, d.where);
      case ErrorKind::Scenario:
        throw ScenarioError(d.message, d.where);
      case ErrorKind::Simulation:
        throw SimulationError(d.message, d.where);
      case ErrorKind::Model:
        throw ModelError(d.message, d.where);
    }
  }
}

}  // namespace h2sim
