// Equations: text parsed once into a tree that the library's stages share read-only.
#pragma once

#include <memory>
#include <string>

namespace h2sim {

namespace detail {
struct Expr;  // the parsed tree (src/expr/ast.hpp), internal to the library
}
using ExprPtr = std::shared_ptr<const detail::Expr>;

// Parses one equation; throws ParseError with the column on failure. `variable` only
// labels the error.
ExprPtr parse_equation(const std::string& text, const std::string& variable = {});

}  // namespace h2sim
