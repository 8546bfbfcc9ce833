// Vensim's equation grammar -> the expression tree of expr/ast.hpp.
#pragma once

#include <string>
#include <vector>

#include "expr/ast.hpp"

namespace h2sim::detail {

// The points of a lookup: `[(xmin,ymin)-(xmax,ymax)], (x1,y1), (x2,y2), ...` in
// parentheses (the range in [ ] is display information and is dropped).
struct VensimLookup {
  std::vector<double> x;
  std::vector<double> y;
};

// Parses a right-hand side. Precedence, loosest first: :OR:; :AND:; :NOT:; = <> < <=
// > >=; + -; * /; unary - +; ^ (right to left, tighter than unary minus: -2^2 is -4).
// Names may contain spaces ("birth rate"), function names too ("IF THEN ELSE"); a
// function's name is canonical (if_then_else). `dim!` in subscripts is every element
// of dim. :NA: is Vensim's NA number. A lookup written as an argument (WITH LOOKUP's
// second) becomes a call named "\x01lookup" whose arguments are x1, y1, x2, y2, ...
// 'text' in single quotes (the file and sheet of a data function) becomes a name that
// starts with a quote. Throws ParseError with the column.
ExprPtr parse_vensim_equation(const std::string& text, const std::string& variable);

// Parses `( [(0,0)-(1,1)], (0,0), (1,1) )`, the parentheses included.
VensimLookup parse_vensim_lookup(const std::string& text, const std::string& variable);

// The points of a "\x01lookup" call made by parse_vensim_equation.
VensimLookup vensim_lookup_of(const Expr& e);

// A list of numbers, `1, 2, 3` or a table `1, 2; 3, 4;`: true and the rows when `text`
// is one (a single number is a table of one row of one value).
bool parse_vensim_number_table(const std::string& text, std::vector<std::vector<double>>& rows);

// Vensim's NA value.
inline constexpr double kVensimNA = -1.298074214633707e33;

}  // namespace h2sim::detail
