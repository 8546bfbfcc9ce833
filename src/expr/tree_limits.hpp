// What every equation parser (this stage's, and the Vensim reader's) keeps inside the limits
// of h2sim/limits.hpp: how deep it recurses, and how tall and how big the tree it builds
// grows. The stages after parsing (resolve, units, compile) walk trees recursively, so a tree
// within the nesting limit is one they can walk; and a parser that stops at the limit never
// builds, or has to destroy, a taller one.
#pragma once

#include <algorithm>
#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <utility>

#include "expr/ast.hpp"
#include "h2sim/limits.hpp"

namespace h2sim::detail {

class TreeLimits {
 public:
  TreeLimits()
      : max_depth_(limit(Limit::Nesting)),
        max_nodes_(limit(Limit::ExpressionSize)),
        max_length_(limit(Limit::EquationLength)) {}

  // The message when an equation of `length` characters is too long to parse.
  std::optional<std::string> check_length(std::size_t length) const {
    if (length <= max_length_) return std::nullopt;
    return limit_message(Limit::EquationLength,
                         "the equation has " + std::to_string(length) + " characters");
  }

  // Entering a rule that recurses (parentheses, a call's arguments, a unary operator, an
  // exponent): the message when that nests past the limit. Pair with leave().
  std::optional<std::string> enter() {
    if (++depth_ <= max_depth_) return std::nullopt;
    return nesting_message(depth_);
  }
  void leave() { --depth_; }

  // A node the parser built: sets its height from its arguments, counts it, and gives the
  // message when the tree grows past a limit.
  std::optional<std::string> add(Expr& e) {
    int height = 0;
    for (const auto& a : e.args) height = std::max(height, a ? a->height : 0);
    e.height = height + 1;
    if (static_cast<std::size_t>(e.height) > max_depth_)
      return nesting_message(static_cast<std::size_t>(e.height));
    if (++nodes_ > max_nodes_)
      return limit_message(Limit::ExpressionSize, "the equation has more than " +
                                                      std::to_string(max_nodes_) +
                                                      " numbers, names and operators");
    return std::nullopt;
  }

 private:
  static std::string nesting_message(std::size_t depth) {
    return limit_message(Limit::Nesting,
                         "the equation nests " + std::to_string(depth) +
                             " levels deep (each parenthesis, call and operator is a level; a "
                             "sum of n terms is n levels)");
  }

  std::size_t max_depth_;
  std::size_t max_nodes_;
  std::size_t max_length_;
  std::size_t depth_ = 0;
  std::size_t nodes_ = 0;
};

// One level of a parser's recursion, for as long as it lives: entered on construction
// (`fail`, the parser's own error, gets the message past the limit), left on destruction.
class NestingLevel {
 public:
  template <class Fail>
  NestingLevel(TreeLimits& limits, Fail&& fail) : limits_(limits) {
    if (auto too_deep = limits_.enter()) {
      limits_.leave();
      std::forward<Fail>(fail)(*too_deep);
    }
  }
  ~NestingLevel() { limits_.leave(); }
  NestingLevel(const NestingLevel&) = delete;
  NestingLevel& operator=(const NestingLevel&) = delete;

 private:
  TreeLimits& limits_;
};

// A binary node as both parsers build it (each then counts it against the limits).
inline std::shared_ptr<Expr> binary_node(BinaryOp op, ExprPtr a, ExprPtr b, int column) {
  auto e = std::make_shared<Expr>();
  e->kind = ExprKind::Binary;
  e->binary = op;
  e->column = column;
  e->args = {std::move(a), std::move(b)};
  return e;
}

}  // namespace h2sim::detail
