#include "h2sim/error.hpp"

#include <string>

namespace h2sim {

std::string format_error(const std::string& message, const Location& where) {
  std::string out;
  if (!where.file.empty()) {
    out += where.file;
    if (where.line > 0) {
      out += ":" + std::to_string(where.line);
      if (where.column > 0 && where.equation.empty()) out += ":" + std::to_string(where.column);
    }
    out += ": ";
  }
  if (!where.variable.empty()) out += "variable '" + where.variable + "': ";
  out += message;
  if (!where.equation.empty()) {
    out += "\n    " + where.equation;
    if (where.column > 0) {
      out += "\n    " + std::string(static_cast<std::size_t>(where.column - 1), ' ') + "^";
    }
  }
  return out;
}

Error::Error(ErrorKind kind, std::string message, Location where)
    : std::runtime_error(format_error(message, where)),
      kind_(kind),
      message_(std::move(message)),
      where_(std::move(where)) {}

}  // namespace h2sim
