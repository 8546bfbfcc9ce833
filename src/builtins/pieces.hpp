// Pieces the builtin table is made of (pieces.cpp), and the groups of entries kept in files
// of their own (vensim_functions.cpp, array_functions.cpp). builtins.cpp puts the table
// together in the order of the reference (docs/functions.md).
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "builtins/registry.hpp"

namespace h2sim::detail {

namespace pieces {

using Units = std::function<UnitValue(UnitCall&)>;
using Lower = std::function<LoweredPtr(LowerCall&)>;

// Unit rules.
UnitValue keeps_unit(UnitCall& c);
// The argument dimensionless, and so the value (EXP, LN, SIN, ...).
UnitValue dimensionless_in_and_out(UnitCall& c);
// Every argument shares one unit: MIN(a, b, c), or the element unit of MIN(array[*]).
UnitValue all_the_same(UnitCall& c);
// a / b, and the fallback (argument 2, when given) in the same unit.
UnitValue quotient_or_fallback(UnitCall& c);
// SMTH*/DELAY*: the input's unit; a time, an order for the n-th order ones, an initial value
// in the input's unit at `initial`.
Units smooth_or_delay_units(const char* time_what, std::size_t initial, bool has_order);

// Lowerings.
// One instruction over every argument.
Lower instruction(Op op);
// terms[0] op terms[1] op ...
LoweredPtr chain(LowerCall& c, Op op, const std::vector<LoweredPtr>& terms);
// MIN and MAX: of the elements of one array argument, or of several arguments.
Lower smallest_or_largest(Op op);
// n first-order smooths in a chain, each with averaging time T/n.
LoweredPtr smooth_chain(LowerCall& c, const LoweredPtr& input, const LoweredPtr& time, int order,
                        const LoweredPtr& initial, const std::string& label);
// n first-order material delays in a chain, each with delay T/n; the value is the outflow.
LoweredPtr delay_chain(LowerCall& c, const LoweredPtr& input, const LoweredPtr& time, int order,
                       const LoweredPtr& initial);
// SMTH1/SMTH3/SMTHN(input, T[, n][, initial]): `order` 0 reads it from argument 2.
Lower smooth(int order);
// DELAY1/DELAY3/DELAYN, likewise.
Lower material_delay(int order);
// TREND = (input - AVERAGE) / (T * |AVERAGE|), 0 while AVERAGE is 0.
LoweredPtr trend(LowerCall& c, const LoweredPtr& input, const LoweredPtr& time,
                 const LoweredPtr& initial_trend);

}  // namespace pieces

// Groups of the table kept in files of their own.
std::vector<Builtin> vensim_functions();  // vensim_functions.cpp
std::vector<Builtin> vector_functions();  // array_functions.cpp
std::vector<Builtin> array_measures();    // array_functions.cpp: SIZE
std::vector<Builtin> finance();           // vensim_functions.cpp: NPV

}  // namespace h2sim::detail
