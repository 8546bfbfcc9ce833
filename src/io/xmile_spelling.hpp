// Equations as the XMILE 1.0 standard spells them, for the writer: what other tools
// (Stella, pysimlin) read. h2sim's own names for Vensim's functions become the standard
// ones or their definitions in standard terms (XIDZ -> SAFEDIV, INTEGER(x) -> IF x >= 0
// THEN INT(x) ELSE -INT(-x), a lookup table's name(x) -> LOOKUP(name, x), SAMPLE IF TRUE ->
// IF ... THEN ... ELSE PREVIOUS(SELF, ...)), variables get the names they are written
// under, and an arrayed name without subscripts gets them written out (x -> x[segment]),
// which some readers require.
#pragma once

#include <functional>
#include <map>
#include <string>
#include <vector>

#include "expr/ast.hpp"

namespace h2sim::detail {

struct XmileSpelling {
  std::map<std::string, std::string> names;  // canonical variable name -> name written
  std::map<std::string, std::vector<std::string>> dimensions;  // canonical name -> its dims
  std::map<std::string, bool> tables;       // canonical names of lookup tables (called as name(x))
  std::map<std::string, double> constants;  // canonical name -> value, of plain numbers
  // DELAYN and SMTHN of an order other than 1 or 3 ("delay" or "smooth"; input, time and
  // initial value spelled; the order): the chain of stocks written out as variables of their
  // own, for readers that only know orders 1 and 3 (pysimlin 0.8.5). Returns the reference
  // to the chain's output; unset: the call stays as it is.
  std::function<ExprPtr(const std::string&, const std::vector<ExprPtr>&, int)> chain;
};

// `e` spelled for XMILE readers, in an equation arrayed by `context` (canonical dimension
// names). `exact` is cleared when the spelling is not bit-for-bit the same computation as
// h2sim's (MODULO written as a - b * INTEGER(a / b), SINH written with EXP): the writer then
// keeps h2sim's own spelling beside it for h2sim to read back.
ExprPtr xmile_spelling(const ExprPtr& e, const XmileSpelling& spelling,
                       const std::vector<std::string>& context, bool& exact);

// Only the names changed (h2sim's own spelling otherwise), for the h2sim extension.
ExprPtr renamed_for_xmile(const ExprPtr& e, const XmileSpelling& spelling);

}  // namespace h2sim::detail
