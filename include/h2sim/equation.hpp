// Equations: text parsed once into a tree that the library's stages share read-only.
#pragma once

#include <memory>
#include <string>

#include "h2sim/error.hpp"

namespace h2sim {

namespace detail {
struct Expr;  // the parsed tree (src/expr/ast.hpp), internal to the library
}
using ExprPtr = std::shared_ptr<const detail::Expr>;

// An equation: its text and its parsed tree, which always agree. Copies share the tree.
class Equation {
 public:
  Equation() = default;  // no equation
  // Parses `text`. A syntax error is a ParseError with the column in `text`, located at
  // `where` (the file, line and variable of the definition, as far as they are known).
  explicit Equation(std::string text, const Location& where = {});
  // A number, without parsing; the text reads back as the same double.
  static Equation number(double value);
  // The equation of a tree the library built or rewrote; the text is printed from it.
  static Equation from_tree(ExprPtr tree);

  const std::string& text() const { return text_; }
  bool empty() const { return tree_ == nullptr; }
  explicit operator bool() const { return tree_ != nullptr; }
  // The parsed form, for the library's own stages (detail::Expr is not part of the API).
  const ExprPtr& tree() const { return tree_; }

 private:
  std::string text_;
  ExprPtr tree_;
};

// Parses one equation; throws ParseError with the column on failure. `variable` only
// labels the error.
ExprPtr parse_equation(const std::string& text, const std::string& variable = {});

}  // namespace h2sim
