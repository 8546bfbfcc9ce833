// Reading and rewriting parsed equations without going back to text.
#pragma once

#include <functional>
#include <string>

#include "expr/ast.hpp"

namespace h2sim::detail {

// Equation text for a tree, fully parenthesised where precedence needs it.
std::string to_text(const Expr& e);

// A copy of `e` with every variable name passed through `rename` (called with the
// canonical name; returns the new name). Function names and subscripts stay.
ExprPtr rename_variables(const ExprPtr& e,
                         const std::function<std::string(const std::string&)>& rename);

// Every variable name `e` refers to (canonical), in order of appearance.
void collect_names(const Expr& e, std::vector<std::string>& out);

}  // namespace h2sim::detail
