// h2sim errors: one hierarchy, every error says where.
#pragma once

#include <stdexcept>
#include <string>

namespace h2sim {

// Where a problem was found. Every field is optional; the message printed by
// what() uses the ones that are set.
struct Location {
  std::string file;      // source file (YAML, XMILE), empty for models built in code
  int line = 0;          // 1-based line in `file`, 0 when unknown
  int column = 0;        // 1-based column in `file` or in `equation`, 0 when unknown
  std::string variable;  // variable whose equation or definition is at fault
  std::string equation;  // the equation text, so the column can be pointed at
};

enum class ErrorKind {
  Parse,       // equation or file syntax
  Model,       // structure: unknown names, dimensions, algebraic loops, bad arguments
  Scenario,    // scenario files: settings, overrides, schedules
  Simulation,  // run time: non-finite values, bad time settings
};

// Base class of every error h2sim throws. `what()` is a complete, human-readable
// message ("file:line:column: variable 'x': message" plus the equation with a caret);
// `message()` is the bare description and `where()` the location.
class Error : public std::runtime_error {
 public:
  Error(ErrorKind kind, std::string message, Location where = {});

  ErrorKind kind() const noexcept { return kind_; }
  const std::string& message() const noexcept { return message_; }
  const Location& where() const noexcept { return where_; }

 private:
  ErrorKind kind_;
  std::string message_;
  Location where_;
};

class ParseError : public Error {
 public:
  explicit ParseError(std::string message, Location where = {})
      : Error(ErrorKind::Parse, std::move(message), std::move(where)) {}
};

class ModelError : public Error {
 public:
  explicit ModelError(std::string message, Location where = {})
      : Error(ErrorKind::Model, std::move(message), std::move(where)) {}
};

class ScenarioError : public Error {
 public:
  explicit ScenarioError(std::string message, Location where = {})
      : Error(ErrorKind::Scenario, std::move(message), std::move(where)) {}
};

class SimulationError : public Error {
 public:
  explicit SimulationError(std::string message, Location where = {})
      : Error(ErrorKind::Simulation, std::move(message), std::move(where)) {}
};

// Formats a location and message the way Error::what() does.
std::string format_error(const std::string& message, const Location& where);

}  // namespace h2sim
