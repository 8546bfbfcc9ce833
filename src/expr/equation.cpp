#include "h2sim/equation.hpp"

#include <sstream>

#include "expr/ast.hpp"
#include "expr/transform.hpp"

namespace h2sim {

Equation::Equation(std::string text, const Location& where) : text_(std::move(text)) {
  try {
    tree_ = parse_equation(text_, where.variable);
  } catch (const ParseError& e) {
    // The parser knows the column; the caller knows the file and line of the definition.
    Location located = e.where();
    located.file = where.file;
    located.line = where.line;
    throw ParseError(e.message(), located);
  }
}

Equation Equation::number(double value) {
  Equation e;
  std::ostringstream out;
  out.precision(17);
  out << value;
  e.text_ = out.str();
  auto tree = std::make_shared<detail::Expr>();
  tree->kind = detail::ExprKind::Number;
  tree->number = value;
  tree->column = 1;
  e.tree_ = std::move(tree);
  return e;
}

Equation Equation::from_tree(ExprPtr tree) {
  Equation e;
  e.text_ = detail::to_text(*tree);
  e.tree_ = std::move(tree);
  return e;
}

}  // namespace h2sim
