// SIZE, and Vensim's VECTOR functions, which converters keep (xmutil writes VECTOR SORT
// ORDER(...) into XMILE as it is). Each is a composition of existing instructions: the
// elements a function works along come from LowerCall::vector / flat / elements, and what
// every element of one call shares (the ranks of a sort) is made once (LowerCall::shared).
// The work is n^2 instructions for n elements, which is small for the arrays of SD models.
#include <cmath>
#include <limits>

#include "builtins/pieces.hpp"

#pragma GCC diagnostic ignored "-Wmissing-field-initializers"  // see builtins.cpp

namespace h2sim::detail {

using namespace pieces;

namespace {

UnitValue dimensionless(UnitCall& c) { return c.dimensionless(); }

// The 0-based rank of element j among `values` (ascending: how many are smaller, and how many
// equal ones come before it; descending: larger), shared by every element of the call.
LoweredPtr rank_of(LowerCall& c, const std::vector<LoweredPtr>& values, std::size_t j,
                   bool ascending) {
  return c.shared((ascending ? "rank_up" : "rank_down") + std::to_string(j), [&] {
    std::vector<LoweredPtr> terms;
    for (std::size_t i = 0; i < values.size(); ++i) {
      if (i == j) continue;
      terms.push_back(c.apply(i < j ? (ascending ? Op::Le : Op::Ge) : (ascending ? Op::Lt : Op::Gt),
                              {values[i], values[j]}));
    }
    return terms.empty() ? c.number(0) : chain(c, Op::Add, terms);
  });
}

// The direction argument: > 0 ascending, else descending (Vensim's ASCENDING = 1,
// DESCENDING = 0 or -1), fixed at the start.
bool ascending(LowerCall& c, std::size_t i) {
  return c.whole_number(i, "direction", -1000000, 1000000) > 0;
}

}  // namespace

std::vector<Builtin> array_measures() {
  return {
      {.name = "size",
       .min_args = 1,
       .max_args = 1,
       .signature = "(array)",
       .description = "the number of elements: of the whole array for an arrayed name (SIZE(SELF) "
                      "in an array's own equation), of a slice for x[*, 1]",
       .units = [](UnitCall&) { return UnitValue::literal(); },
       .lower = [](LowerCall& c) { return c.number(static_cast<double>(c.size(0))); },
       .ranges_over = every_argument},
  };
}

// Longer than 100 lines: a table, one entry per VECTOR function with its description, unit
// rule and lowering, read entry by entry like the other groups of the registry.
std::vector<Builtin> vector_functions() {
  return {
      {.name = "vector_select",
       .min_args = 5,
       .max_args = 5,
       .signature = "(selection[*], values[*], missing, action, error)",
       .description =
           "combines the values whose selection is non-zero: action 0 sums them, 1 multiplies, 2 "
           "takes the smallest, 3 the largest; missing when none is selected (Vensim; the error "
           "action is not checked)",
       .units =
           [](UnitCall& c) {
             return c.same(c.arg(1), c.arg(2),
                           "the values and missing "
                           "value of VECTOR SELECT");
           },
       .lower =
           [](LowerCall& c) {
             const std::vector<LoweredPtr> selected = c.elements(0);
             const std::vector<LoweredPtr> values = c.elements(1);
             const int action = c.whole_number(3, "action", 0, 3);
             const double inf = std::numeric_limits<double>::infinity();
             const double neutral[] = {0.0, 1.0, inf, -inf};
             const Op combine[] = {Op::Add, Op::Mul, Op::Min, Op::Max};
             std::vector<LoweredPtr> terms;
             std::vector<LoweredPtr> counts;
             const std::size_t n = std::min(selected.size(), values.size());
             for (std::size_t k = 0; k < n; ++k) {
               terms.push_back(
                   c.apply(Op::Select, {selected[k], values[k], c.number(neutral[action])}));
               counts.push_back(c.apply(Op::Ne, {selected[k], c.number(0)}));
             }
             return c.apply(Op::Select, {chain(c, Op::Add, counts),
                                         chain(c, combine[action], terms), c.arg(2)});
           },
       .ranges_over = the_first_two},
      {.name = "vector_elm_map",
       .min_args = 2,
       .max_args = 2,
       .signature = "(array[element], offset)",
       .description = "the element `offset` places after the one named, counting through the "
                      "whole array in storage order (Vensim); NaN, a run-time error, outside it",
       .units = keeps_unit,
       .lower =
           [](LowerCall& c) {
             const std::vector<LoweredPtr> all = c.flat(0);
             const auto base = static_cast<double>(c.flat_position(0));
             const LoweredPtr offset = c.apply(Op::Round, {c.arg(1)});
             LoweredPtr chosen = c.number(std::numeric_limits<double>::quiet_NaN());
             for (std::size_t k = all.size(); k-- > 0;)
               chosen = c.apply(Op::Select,
                                {c.apply(Op::Eq, {offset, c.number(static_cast<double>(k) - base)}),
                                 all[k], chosen});
             return chosen;
           }},
      {.name = "vector_sort_order",
       .min_args = 2,
       .max_args = 2,
       .signature = "(array[dim], direction)",
       .description =
           "for each position along the last dimension, the index (from 0) of the element that "
           "sorts there, ascending for direction > 0, else descending; ties keep their order "
           "(Vensim)",
       .units = dimensionless,
       .lower =
           [](LowerCall& c) {
             const std::vector<LoweredPtr> values = c.vector(0);
             const auto position = static_cast<double>(c.vector_position(0));
             const bool up = ascending(c, 1);
             std::vector<LoweredPtr> terms{c.number(0)};
             for (std::size_t j = 1; j < values.size(); ++j)
               terms.push_back(c.apply(
                   Op::Mul, {c.number(static_cast<double>(j)),
                             c.apply(Op::Eq, {rank_of(c, values, j, up), c.number(position)})}));
             return chain(c, Op::Add, terms);
           }},
      {.name = "vector_rank",
       .min_args = 2,
       .max_args = 2,
       .signature = "(array[dim], direction)",
       .description = "each element's rank (from 1) along the last dimension, ascending for "
                      "direction > 0, else descending; ties keep their order (Vensim)",
       .units = dimensionless,
       .lower =
           [](LowerCall& c) {
             const std::vector<LoweredPtr> values = c.vector(0);
             const std::size_t position = c.vector_position(0);
             return c.apply(Op::Add, {rank_of(c, values, position, ascending(c, 1)), c.number(1)});
           }},
      {.name = "vector_reorder",
       .min_args = 2,
       .max_args = 2,
       .signature = "(array[dim], order[dim])",
       .description = "the array in the order given (indexes from 0, as VECTOR SORT ORDER gives "
                      "them) along the last dimension (Vensim)",
       .units = keeps_unit,
       .lower =
           [](LowerCall& c) {
             const std::vector<LoweredPtr> values = c.vector(0);
             const LoweredPtr order = c.arg(1);
             std::vector<LoweredPtr> terms;
             for (std::size_t j = 0; j < values.size(); ++j)
               terms.push_back(
                   c.apply(Op::Select, {c.apply(Op::Eq, {order, c.number(static_cast<double>(j))}),
                                        values[j], c.number(0)}));
             return chain(c, Op::Add, terms);
           }},
  };
}

}  // namespace h2sim::detail
