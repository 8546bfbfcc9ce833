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

#include "builtins/pieces.hpp"

// Entries name only the fields that differ from Builtin's defaults (designated
// initializers); GCC would warn about every field left out.
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"

namespace h2sim::detail {

namespace {

using namespace pieces;

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
       .aliases = {"modulo"},
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
       .aliases = {"vmin"},
       .min_args = 1,
       .max_args = kAnyNumber,
       .signature = "(a, b, ...) or (array[*])",
       .description = "the smallest of the arguments, or of the elements",
       .units = all_the_same,
       .lower = smallest_or_largest(Op::Min),
       .ranges_over = a_lone_argument},
      {.name = "max",
       .aliases = {"vmax"},
       .min_args = 1,
       .max_args = kAnyNumber,
       .signature = "(a, b, ...) or (array[*])",
       .description = "the largest of the arguments, or of the elements",
       .units = all_the_same,
       .lower = smallest_or_largest(Op::Max),
       .ranges_over = a_lone_argument},
      {.name = "sum",
       .min_args = 1,
       .max_args = 1,
       .signature = "(array[*])",
       .description = "the sum of the elements",
       .units = all_the_same,
       .lower = [](LowerCall& c) { return chain(c, Op::Add, c.elements(0)); },
       .ranges_over = every_argument},
      {.name = "prod",
       .min_args = 1,
       .max_args = 1,
       .signature = "(array[*])",
       .description = "the product of the elements; the unit to the power of their number",
       .units =
           [](UnitCall& c) {
             return c.power(c.arg(0), static_cast<double>(c.element_count(0)), "PROD");
           },
       .lower = [](LowerCall& c) { return chain(c, Op::Mul, c.elements(0)); },
       .ranges_over = every_argument},
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
           },
       .ranges_over = every_argument},
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
       .aliases = {"initial"},
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
       .aliases = {"smooth", "smoothi"},
       .min_args = 2,
       .max_args = 3,
       .signature = "(input, time[, initial])",
       .description = "first-order exponential smooth (initial: the input)",
       .units = smooth_or_delay_units("the averaging time", 2, false),
       .lower = smooth(1)},
      {.name = "smth3",
       .aliases = {"smooth3", "smooth3i"},
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
       .aliases = {"delay1i"},
       .min_args = 2,
       .max_args = 3,
       .signature = "(input, time[, initial])",
       .description =
           "first-order material delay; initial is the initial outflow (default: the input)",
       .units = smooth_or_delay_units("the delay time", 2, false),
       .lower = material_delay(1)},
      {.name = "delay3",
       .aliases = {"delay3i"},
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
       .aliases = {"delay_fixed"},
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
       .aliases = {"forecast"},
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
  for (auto group : {mathematics, arrays, array_measures, vector_functions, tests_and_division,
                     time, held_values, smooths_and_delays, trends, finance, vensim_functions})
    for (Builtin& b : group()) all.push_back(std::move(b));
  return all;
}

}  // namespace

const std::vector<Builtin>& builtins() {
  static const std::vector<Builtin> table = make_builtins();
  return table;
}

}  // namespace h2sim::detail
