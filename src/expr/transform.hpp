// Reading and rewriting parsed equations without going back to text.
#pragma once

#include <functional>
#include <string>

#include "expr/ast.hpp"

namespace h2sim::detail {

// Equation text for a tree, fully parenthesised where precedence needs it.
std::string to_text(const Expr& e);

// A copy of `e` with every name that can mean a variable passed through `rename` (called
// with the canonical name; returns the new name, or the same one to keep it): names, and the
// names of calls, since a call may be of a graphical function (name(x)); a renamer leaves
// builtins alone by not knowing them. Subscripts (elements, dimensions) stay.
ExprPtr rename_variables(const ExprPtr& e,
                         const std::function<std::string(const std::string&)>& rename);

}  // namespace h2sim::detail
