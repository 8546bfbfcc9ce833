// Every builtin function of the equation language, each in one entry: names, argument
// counts, documentation, unit rule and lowering. This is the one place to add a builtin
// (docs/architecture.md, "Adding a builtin", walks through it): add an entry to the table
// in the order it should appear in docs/functions.md, add a test in
// tests/cpp/test_builtins.cpp (its values) and, when it has a unit rule beyond "keeps its
// argument's unit", a units test, then regenerate docs/functions.md.
//
// A lowering builds the value from the arguments with program instructions (Op, in
// src/program/program_data.hpp). A builtin that needs an instruction the kernel does not
// have yet also adds that instruction to program_data.hpp and program/kernel.hpp.
#include <cmath>
#include <numbers>

#include "builtins/registry.hpp"

// Entries name only the fields that differ from Builtin's defaults (designated
// initializers); GCC would warn about every field left out.
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"

namespace h2sim::detail {

namespace {

using Units = std::function<UnitValue(UnitCall&)>;
using Lower = std::function<LoweredPtr(LowerCall&)>;

// --- pieces that several builtins share -------------------------------------------------

// Unit rules.
UnitValue keeps_unit(UnitCall& c) { return c.arg(0); }

UnitValue dimensionless_in_and_out(UnitCall& c) {
  c.expect_dimensionless(0, "the argument of " + c.function());
  return c.arg(0).is_literal() ? UnitValue::literal() : c.dimensionless();
}

// Every argument shares one unit: MIN(a, b, c), or the element unit of MIN(array[*]).
UnitValue all_the_same(UnitCall& c) {
  UnitValue out = c.arg(0);
  for (std::size_t i = 1; i < c.argc(); ++i)
    out = c.same(out, c.arg(i), "the arguments of " + c.function());
  return out;
}

UnitValue quotient_or_fallback(UnitCall& c) {
  const UnitValue quotient = c.quotient(c.arg(0), c.arg(1));
  if (c.argc() == 3)
    return c.same(quotient, c.arg(2), "the quotient and the fallback value of " + c.function());
  return quotient;
}

// SMTH*/DELAY*: the input's unit; a time, an order for the n-th order ones, an initial value
// in the input's unit at `initial`.
Units smooth_or_delay_units(const char* time_what, std::size_t initial, bool has_order) {
  return [=](UnitCall& c) {
    c.expect_time(1, std::string(time_what) + " of " + c.function());
    if (has_order && c.argc() >= 3) c.expect_dimensionless(2, "the order of " + c.function());
    if (c.argc() > initial)
      return c.same(c.arg(0), c.arg(initial), "the input and initial value of " + c.function());
    return c.arg(0);
  };
}

// Lowerings.
Lower instruction(Op op) {
  return [op](LowerCall& c) {
    std::vector<LoweredPtr> args;
    for (std::size_t i = 0; i < c.argc(); ++i) args.push_back(c.arg(i));
    return c.apply(op, std::move(args));
  };
}

LoweredPtr chain(LowerCall& c, Op op, const std::vector<LoweredPtr>& terms) {
  LoweredPtr acc = terms[0];
  for (std::size_t i = 1; i < terms.size(); ++i) acc = c.apply(op, {acc, terms[i]});
  return acc;
}

// MIN and MAX: of the elements of one array argument, or of several arguments.
Lower smallest_or_largest(Op op) {
  return [op](LowerCall& c) {
    if (c.argc() == 1) return chain(c, op, c.elements(0));
    std::vector<LoweredPtr> terms;
    for (std::size_t i = 0; i < c.argc(); ++i) terms.push_back(c.arg(i));
    return chain(c, op, terms);
  };
}

// n first-order smooths in a chain, each with averaging time T/n.
LoweredPtr smooth_chain(LowerCall& c, const LoweredPtr& input, const LoweredPtr& time, int order,
                        const LoweredPtr& initial, const std::string& label) {
  const LoweredPtr stage_time = order == 1 ? time : c.apply(Op::Div, {time, c.number(order)});
  LoweredPtr upstream = input;
  LoweredPtr last;
  for (int k = 1; k <= order; ++k) {
    last = c.stock(label + std::to_string(k), initial);
    c.set_derivative(last, c.apply(Op::Div, {c.apply(Op::Sub, {upstream, last}), stage_time}));
    upstream = last;
  }
  return last;
}

// n first-order material delays in a chain, each with delay T/n; the value is the outflow.
LoweredPtr delay_chain(LowerCall& c, const LoweredPtr& input, const LoweredPtr& time, int order,
                       const LoweredPtr& initial) {
  const LoweredPtr stage_time = order == 1 ? time : c.apply(Op::Div, {time, c.number(order)});
  LoweredPtr inflow = input;
  LoweredPtr outflow;
  for (int k = 1; k <= order; ++k) {
    const LoweredPtr s =
        c.stock("delay" + std::to_string(k), c.apply(Op::Mul, {initial, stage_time}));
    outflow = c.apply(Op::Div, {s, stage_time});
    c.set_derivative(s, c.apply(Op::Sub, {inflow, outflow}));
    inflow = outflow;
  }
  return outflow;
}

// SMTH1/SMTH3/SMTHN(input, T[, n][, initial]): `order` 0 reads it from argument 2.
Lower smooth(int order) {
  return [order](LowerCall& c) {
    const int n = order > 0 ? order : c.whole_number(2, "order", 1, 1000);
    const std::size_t init = order > 0 ? 2 : 3;
    const LoweredPtr input = c.arg(0);
    const LoweredPtr initial = c.argc() > init ? c.arg(init) : input;
    return smooth_chain(c, input, c.arg(1), n, initial, "smooth");
  };
}

Lower material_delay(int order) {
  return [order](LowerCall& c) {
    const int n = order > 0 ? order : c.whole_number(2, "order", 1, 1000);
    const std::size_t init = order > 0 ? 2 : 3;
    const LoweredPtr input = c.arg(0);
    const LoweredPtr initial = c.argc() > init ? c.arg(init) : input;
    return delay_chain(c, input, c.arg(1), n, initial);
  };
}

// TREND = (input - AVERAGE) / (T * |AVERAGE|), 0 while AVERAGE is 0, where
// AVERAGE = SMTH1(input, T, input / (1 + initial trend * T)).
LoweredPtr trend(LowerCall& c, const LoweredPtr& input, const LoweredPtr& time,
                 const LoweredPtr& initial_trend) {
  const LoweredPtr average_initial = c.apply(
      Op::Div, {input, c.apply(Op::Add, {c.number(1), c.apply(Op::Mul, {initial_trend, time})})});
  const LoweredPtr average = smooth_chain(c, input, time, 1, average_initial, "trend_average");
  return c.apply(Op::SafeDiv, {c.apply(Op::Sub, {input, average}),
                               c.apply(Op::Mul, {time, c.apply(Op::Abs, {average})}), c.number(0)});
}

Builtin math(const char* name, Op op, const char* description,
             Units units = dimensionless_in_and_out) {
  return {.name = name,
          .min_args = 1,
          .max_args = 1,
          .signature = "(x)",
          .description = description,
          .units = std::move(units),
          .lower = instruction(op)};
}

Builtin clock(const char* name, std::vector<std::string> aliases, Clock which,
              const char* description) {
  return {.name = name,
          .aliases = std::move(aliases),
          .bare = true,
          .description = description,
          .units = [](UnitCall& c) { return c.time(); },
          .lower = [which](LowerCall& c) { return c.clock(which); }};
}

// ABS, EXP, INT, MOD, PI and the like.
std::vector<Builtin> mathematics() {
  return {
      math("abs", Op::Abs, "the absolute value", keeps_unit),
      math("sqrt", Op::Sqrt, "the square root; halves the unit's exponents",
           [](UnitCall& c) { return c.power(c.arg(0), 0.5, "SQRT"); }),
      math("exp", Op::Exp, "e to the power x; x dimensionless"),
      math("ln", Op::Ln, "the natural logarithm; x dimensionless"),
      math("log10", Op::Log10, "the logarithm to base 10; x dimensionless"),
      math("sin", Op::Sin, "the sine of x radians"),
      math("cos", Op::Cos, "the cosine of x radians"),
      math("tan", Op::Tan, "the tangent of x radians"),
      math("arcsin", Op::Asin, "the arc sine, in radians"),
      math("arccos", Op::Acos, "the arc cosine, in radians"),
      math("arctan", Op::Atan, "the arc tangent, in radians"),
      math("sinh", Op::Sinh, "the hyperbolic sine"),
      math("cosh", Op::Cosh, "the hyperbolic cosine"),
      math("tanh", Op::Tanh, "the hyperbolic tangent"),
      math("int", Op::Floor, "the largest whole number at or below x", keeps_unit),
      math("round", Op::Round, "the nearest whole number, halves away from zero", keeps_unit),
      math("integer", Op::Trunc, "the whole number toward zero (Vensim's INTEGER)", keeps_unit),
      {.name = "mod",
       .min_args = 2,
       .max_args = 2,
       .signature = "(a, b)",
       .description = "the floored remainder (its sign is b's), as a MOD b",
       .units = [](UnitCall& c) { return c.same(c.arg(0), c.arg(1), "the arguments of MOD"); },
       .lower = instruction(Op::Mod)},
      {.name = "remainder",
       .min_args = 2,
       .max_args = 2,
       .signature = "(a, b)",
       .description = "the remainder of a / b with a's sign (Vensim's MODULO)",
       .units = [](UnitCall& c) { return c.same(c.arg(0), c.arg(1), "the arguments of MODULO"); },
       .lower = instruction(Op::Rem)},
      {.name = "pi",
       .bare = true,
       .description = "3.14159...",
       .units = [](UnitCall&) { return UnitValue::literal(); },
       .lower = [](LowerCall& c) { return c.number(std::numbers::pi); }},
  };
}

// MIN, MAX, SUM, PROD, MEAN.
std::vector<Builtin> arrays() {
  return {
      {.name = "min",
       .min_args = 1,
       .max_args = kAnyNumber,
       .signature = "(a, b, ...) or (array[*])",
       .description = "the smallest of the arguments, or of the elements",
       .units = all_the_same,
       .lower = smallest_or_largest(Op::Min)},
      {.name = "max",
       .min_args = 1,
       .max_args = kAnyNumber,
       .signature = "(a, b, ...) or (array[*])",
       .description = "the largest of the arguments, or of the elements",
       .units = all_the_same,
       .lower = smallest_or_largest(Op::Max)},
      {.name = "sum",
       .min_args = 1,
       .max_args = 1,
       .signature = "(array[*])",
       .description = "the sum of the elements",
       .units = all_the_same,
       .lower = [](LowerCall& c) { return chain(c, Op::Add, c.elements(0)); }},
      {.name = "prod",
       .min_args = 1,
       .max_args = 1,
       .signature = "(array[*])",
       .description = "the product of the elements; the unit to the power of their number",
       .units =
           [](UnitCall& c) {
             return c.power(c.arg(0), static_cast<double>(c.element_count(0)), "PROD");
           },
       .lower = [](LowerCall& c) { return chain(c, Op::Mul, c.elements(0)); }},
      {.name = "mean",
       .min_args = 1,
       .max_args = kAnyNumber,
       .signature = "(a, b, ...) or (array[*], ...)",
       .description = "the mean of the arguments and elements",
       .units = all_the_same,
       .lower =
           [](LowerCall& c) {
             std::vector<LoweredPtr> terms;
             for (std::size_t i = 0; i < c.argc(); ++i) {
               const auto t = c.elements(i);
               terms.insert(terms.end(), t.begin(), t.end());
             }
             return c.apply(
                 Op::Div, {chain(c, Op::Add, terms), c.number(static_cast<double>(terms.size()))});
           }},
  };
}

// IF_THEN_ELSE, SAFEDIV, XIDZ, ZIDZ.
std::vector<Builtin> tests_and_division() {
  return {
      {.name = "if_then_else",
       .min_args = 3,
       .max_args = 3,
       .signature = "(cond, a, b)",
       .description = "a where cond is non-zero, else b; the same as IF cond THEN a ELSE b",
       .units =
           [](UnitCall& c) {
             return c.same(c.arg(1), c.arg(2), "the THEN and ELSE arguments of IF_THEN_ELSE");
           },
       .lower = instruction(Op::Select)},
      {.name = "safediv",
       .min_args = 2,
       .max_args = 3,
       .signature = "(a, b[, fallback])",
       .description = "a / b, or fallback (default 0) where b = 0",
       .units = quotient_or_fallback,
       .lower =
           [](LowerCall& c) {
             return c.apply(Op::SafeDiv,
                            {c.arg(0), c.arg(1), c.argc() == 3 ? c.arg(2) : c.number(0)});
           }},
      {.name = "xidz",
       .min_args = 3,
       .max_args = 3,
       .signature = "(a, b, x)",
       .description = "a / b, or x where b = 0 (Vensim)",
       .units = quotient_or_fallback,
       .lower = instruction(Op::SafeDiv)},
      {.name = "zidz",
       .min_args = 2,
       .max_args = 2,
       .signature = "(a, b)",
       .description = "a / b, or 0 where b = 0 (Vensim)",
       .units = quotient_or_fallback,
       .lower =
           [](LowerCall& c) {
             return c.apply(Op::SafeDiv, {c.arg(0), c.arg(1), c.number(0)});
           }},
  };
}

// STEP, RAMP, PULSE and the clock.
std::vector<Builtin> time() {
  return {
      {.name = "step",
       .min_args = 2,
       .max_args = 2,
       .signature = "(height, start)",
       .description = "0 before start, height from start on",
       .units =
           [](UnitCall& c) {
             c.expect_time(1, "the start time of STEP");
             return c.arg(0);
           },
       .lower = instruction(Op::Step)},
      {.name = "ramp",
       .min_args = 2,
       .max_args = 3,
       .signature = "(slope, start[, end])",
       .description = "0 until start, then slope * (TIME - start), held from end on",
       .units =
           [](UnitCall& c) {
             c.expect_time(1, "the start time of RAMP");
             if (c.argc() == 3) c.expect_time(2, "the end time of RAMP");
             return c.arg(0).is_literal() ? c.arg(0) : c.product(c.arg(0), c.time());
           },
       .lower = instruction(Op::Ramp)},
      {.name = "pulse",
       .min_args = 2,
       .max_args = 3,
       .signature = "(magnitude, first[, interval])",
       .description = "magnitude / DT during the DT that starts at first (and every interval "
                      "after, when interval > 0), else 0: the pulse moves magnitude into a stock",
       .units =
           [](UnitCall& c) {
             c.expect_time(1, "the first time of PULSE");
             if (c.argc() == 3) c.expect_time(2, "the interval of PULSE");
             return c.arg(0).is_literal() ? c.arg(0) : c.quotient(c.arg(0), c.time());
           },
       .lower = instruction(Op::Pulse)},
      clock("time", {}, Clock::Time, "the current time"),
      clock("dt", {"time_step"}, Clock::Dt, "the integration step"),
      clock("starttime", {"initial_time"}, Clock::Start, "the start time of the run"),
      clock("stoptime", {"final_time"}, Clock::Stop, "the stop time of the run"),
  };
}

// LOOKUP, INIT, PREVIOUS, ACTIVE INITIAL.
std::vector<Builtin> held_values() {
  return {
      {.name = "lookup",
       .min_args = 2,
       .max_args = 2,
       .table_argument = true,
       .signature = "(table, x)",
       .description = "the lookup table read at x; the same as table(x)",
       .units = [](UnitCall& c) { return c.lookup(0, 1); },
       .lower = [](LowerCall& c) { return c.lookup(0, c.arg(1)); }},
      {.name = "init",
       .min_args = 1,
       .max_args = 1,
       .signature = "(x)",
       .description = "x's value at the start time",
       .units = keeps_unit,
       .lower = [](LowerCall& c) { return c.initial_value(c.arg(0)); }},
      {.name = "previous",
       .min_args = 1,
       .max_args = 2,
       .signature = "(x[, initial])",
       .description = "x's value one DT earlier (initial, default x, at the start)",
       .units =
           [](UnitCall& c) {
             return c.argc() == 2
                        ? c.same(c.arg(0), c.arg(1), "the input and initial value of PREVIOUS")
                        : c.arg(0);
           },
       .lower =
           [](LowerCall& c) {
             const LoweredPtr x = c.arg(0);
             return c.previous(x, c.argc() == 2 ? c.arg(1) : x);
           }},

      {.name = "active_initial",
       .min_args = 2,
       .max_args = 2,
       .signature = "(value, initial)",
       .description = "value while running, initial when the initial values are computed "
                      "(Vensim's ACTIVE INITIAL)",
       .units =
           [](UnitCall& c) {
             return c.same(c.arg(0), c.arg(1), "the two arguments of ACTIVE INITIAL");
           },
       .lower =
           [](LowerCall& c) {
             const LoweredPtr value = c.arg(0);
             return c.active_initial(value, c.arg(1));
           }},
  };
}

// SMTH*, DELAY*.
std::vector<Builtin> smooths_and_delays() {
  return {
      {.name = "smth1",
       .aliases = {"smooth"},
       .min_args = 2,
       .max_args = 3,
       .signature = "(input, time[, initial])",
       .description = "first-order exponential smooth (initial: the input)",
       .units = smooth_or_delay_units("the averaging time", 2, false),
       .lower = smooth(1)},
      {.name = "smth3",
       .aliases = {"smooth3"},
       .min_args = 2,
       .max_args = 3,
       .signature = "(input, time[, initial])",
       .description = "third-order smooth",
       .units = smooth_or_delay_units("the averaging time", 2, false),
       .lower = smooth(3)},
      {.name = "smthn",
       .min_args = 3,
       .max_args = 4,
       .signature = "(input, time, n[, initial])",
       .description =
           "n-th order smooth; n a whole number 1-1000, taken at the start (from numbers and "
           "constants)",
       .units = smooth_or_delay_units("the averaging time", 3, true),
       .lower = smooth(0)},
      {.name = "delay1",
       .min_args = 2,
       .max_args = 3,
       .signature = "(input, time[, initial])",
       .description =
           "first-order material delay; initial is the initial outflow (default: the input)",
       .units = smooth_or_delay_units("the delay time", 2, false),
       .lower = material_delay(1)},
      {.name = "delay3",
       .min_args = 2,
       .max_args = 3,
       .signature = "(input, time[, initial])",
       .description = "third-order material delay",
       .units = smooth_or_delay_units("the delay time", 2, false),
       .lower = material_delay(3)},
      {.name = "delayn",
       .min_args = 3,
       .max_args = 4,
       .signature = "(input, time, n[, initial])",
       .description = "n-th order material delay; n as for SMTHN",
       .units = smooth_or_delay_units("the delay time", 3, true),
       .lower = material_delay(0)},
      {.name = "delay",
       .min_args = 2,
       .max_args = 3,
       .signature = "(input, time[, initial])",
       .description = "pipeline delay: the input of time earlier (rounded to whole DTs, fixed at "
                      "the start), initial (default: the input) until then",
       .units = smooth_or_delay_units("the delay time", 2, false),
       .lower =
           [](LowerCall& c) {
             const LoweredPtr input = c.arg(0);
             const LoweredPtr initial = c.argc() == 3 ? c.arg(2) : input;
             return c.pipeline_delay(input, c.arg(1), initial);
           }},
  };
}

// TREND, FORCST.
std::vector<Builtin> trends() {
  return {
      {.name = "trend",
       .min_args = 2,
       .max_args = 3,
       .signature = "(input, time[, initial trend])",
       .description = "fractional rate of change of the input per time unit, averaged over time",
       .units =
           [](UnitCall& c) {
             c.expect_time(1, "the averaging time of TREND");
             if (c.argc() == 3)
               c.expect(2, c.per_time(), "the initial trend of TREND has", "it needs");
             return c.per_time();
           },
       .lower =
           [](LowerCall& c) {
             return trend(c, c.arg(0), c.arg(1), c.argc() == 3 ? c.arg(2) : c.number(0));
           }},
      {.name = "forcst",
       .min_args = 3,
       .max_args = 4,
       .signature = "(input, time, horizon[, initial trend])",
       .description = "input * (1 + TREND(input, time) * horizon)",
       .units =
           [](UnitCall& c) {
             c.expect_time(1, "the averaging time of FORCST");
             c.expect_time(2, "the horizon of FORCST");
             if (c.argc() == 4)
               c.expect(3, c.per_time(), "the initial trend of FORCST has", "it needs");
             return c.arg(0);
           },
       .lower =
           [](LowerCall& c) {
             const LoweredPtr input = c.arg(0);
             const LoweredPtr t = trend(c, input, c.arg(1), c.argc() == 4 ? c.arg(3) : c.number(0));
             return c.apply(
                 Op::Mul,
                 {input, c.apply(Op::Add, {c.number(1), c.apply(Op::Mul, {t, c.arg(2)})})});
           }},
  };
}

// The table, in the order of the reference (docs/functions.md). An entry names the function
// (lower case) and its aliases, the argument counts (.max_args = kAnyNumber: no limit),
// .bare for a name usable without parentheses, .table_argument when the first argument
// names a graphical function, then the documentation, the unit rule and the lowering.
std::vector<Builtin> make_builtins() {
  std::vector<Builtin> all;
  for (auto group :
       {mathematics, arrays, tests_and_division, time, held_values, smooths_and_delays, trends})
    for (Builtin& b : group()) all.push_back(std::move(b));
  return all;
}

}  // namespace

const std::vector<Builtin>& builtins() {
  static const std::vector<Builtin> table = make_builtins();
  return table;
}

}  // namespace h2sim::detail
