// The parsed form of an equation. Built once by parse_equation(), shared read-only.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "h2sim/equation.hpp"

namespace h2sim::detail {

enum class ExprKind {
  Number,  // number
  Name,    // name, optionally with subscripts: fleet, fleet[bus], fleet[*]
  Unary,   // op: '-', '+', '!' (not)
  Binary,  // op: + - * / ^ < > <= >= = <> & (and) | (or)
  If,      // args: condition, then, else
  Call,    // name(args...): builtin or lookup; a lookup may have subscripts: table[dim](x)
};

enum class BinaryOp { Add, Sub, Mul, Div, Pow, Lt, Le, Gt, Ge, Eq, Ne, And, Or, Mod };
enum class UnaryOp { Neg, Plus, Not };

// One subscript of a name: an element or dimension name, `*` (all elements), a 1-based
// position, or an expression computed while the model runs (`x[INT(TIME MOD 5) + 1]`).
struct Subscript {
  enum class Kind { Name, Wildcard, Index, Expression } kind = Kind::Name;
  std::string name;  // canonical; for Wildcard the dimension when written `dim!` or `*:dim`
  int index = 0;
  ExprPtr expr;  // Expression: the position, 1-based
};

struct Expr {
  ExprKind kind = ExprKind::Number;
  int column = 0;  // 1-based position in the equation text
  int height = 1;  // levels from here to the deepest leaf (set by the parsers; TreeLimits)

  double number = 0;
  std::string name;  // canonical: Name and Call
  std::vector<Subscript> subscripts;
  BinaryOp binary = BinaryOp::Add;
  UnaryOp unary = UnaryOp::Neg;
  std::vector<ExprPtr> args;  // operands, call arguments, IF parts
};

}  // namespace h2sim::detail
