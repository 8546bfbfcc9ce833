#include "h2sim/equation.hpp"

#include <algorithm>
#include <sstream>
#include <vector>

#include "expr/ast.hpp"
#include "expr/transform.hpp"
#include "h2sim/limits.hpp"

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

namespace {

// A tree a reader built (Vensim) or rewrote (components, modules) stays as far inside the
// limits as a parsed one: the stages after it walk trees recursively. Measured without
// recursion, and from the nodes' own arguments, not their recorded heights.
void check_tree(const ExprPtr& tree) {
  const std::size_t max_depth = limit(Limit::Nesting);
  std::size_t deepest = 0;
  std::vector<std::pair<const detail::Expr*, std::size_t>> pending{{tree.get(), 1}};
  while (!pending.empty()) {
    const auto [e, depth] = pending.back();
    pending.pop_back();
    deepest = std::max(deepest, depth);
    if (depth > max_depth) break;
    for (const auto& a : e->args)
      if (a) pending.emplace_back(a.get(), depth + 1);
  }
  if (deepest > max_depth)
    throw ParseError(limit_message(Limit::Nesting, "the equation nests more than " +
                                                       std::to_string(max_depth) +
                                                       " levels deep (each parenthesis, call and "
                                                       "operator is a level; a sum of n terms is "
                                                       "n levels)"));
}

}  // namespace

Equation Equation::from_tree(ExprPtr tree) {
  check_tree(tree);
  Equation e;
  e.text_ = detail::to_text(*tree);
  e.tree_ = std::move(tree);
  return e;
}

}  // namespace h2sim
