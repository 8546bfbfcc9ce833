// Vensim's functions that other tools keep when they convert a model (xmutil writes
// QUANTUM, SAMPLE IF TRUE, NPV, ... into XMILE as they are), so that XMILE and Vensim
// files share one implementation. Names that mean something else in XMILE (Vensim's PULSE)
// stay in the Vensim reader, which rewrites them.
#include <limits>

#include "builtins/pieces.hpp"

#pragma GCC diagnostic ignored "-Wmissing-field-initializers"  // see builtins.cpp

namespace h2sim::detail {

using namespace pieces;

std::vector<Builtin> vensim_functions() {
  return {
      {.name = "quantum",
       .min_args = 2,
       .max_args = 2,
       .signature = "(x, q)",
       .description = "q * INTEGER(x / q): x truncated toward zero to a whole multiple of q "
                      "(x itself when q <= 0), as Vensim's QUANTUM",
       .units = [](UnitCall& c) { return c.same(c.arg(0), c.arg(1), "the arguments of QUANTUM"); },
       .lower =
           [](LowerCall& c) {
             const LoweredPtr x = c.arg(0);
             const LoweredPtr q = c.arg(1);
             return c.apply(
                 Op::Select,
                 {c.apply(Op::Gt, {q, c.number(0)}),
                  c.apply(Op::Mul, {q, c.apply(Op::Trunc, {c.apply(Op::Div, {x, q})})}), x});
           }},
      {.name = "pulse_train",
       .min_args = 4,
       .max_args = 4,
       .signature = "(start, width, interval, end)",
       .description = "1 for width (at least one DT) from start, again every interval, until "
                      "end; else 0 (Vensim)",
       .units =
           [](UnitCall& c) {
             for (std::size_t i = 0; i < 4; ++i) c.expect_time(i, "the times of PULSE TRAIN");
             return c.dimensionless();
           },
       .lower =
           [](LowerCall& c) {
             const LoweredPtr time = c.clock(Clock::Time);
             const LoweredPtr start = c.arg(0);
             const LoweredPtr width = c.apply(Op::Max, {c.arg(1), c.clock(Clock::Dt)});
             const LoweredPtr since = c.apply(Op::Sub, {time, start});
             const LoweredPtr on =
                 c.apply(Op::And, {c.apply(Op::And, {c.apply(Op::Ge, {time, start}),
                                                     c.apply(Op::Le, {time, c.arg(3)})}),
                                   c.apply(Op::Lt, {c.apply(Op::Mod, {since, c.arg(2)}), width})});
             return c.apply(Op::Select, {on, c.number(1), c.number(0)});
           }},
      {.name = "sample_if_true",
       .min_args = 3,
       .max_args = 3,
       .signature = "(condition, input, initial)",
       .description = "the input while the condition holds, else the value it last took "
                      "(initial until the condition first holds); in XMILE, IF condition THEN "
                      "input ELSE PREVIOUS(SELF, initial)",
       .units =
           [](UnitCall& c) {
             return c.same(c.arg(1), c.arg(2), "the input and initial value of SAMPLE IF TRUE");
           },
       .lower =
           [](LowerCall& c) {
             return c.apply(Op::Select, {c.arg(0), c.arg(1), c.previous(c.self(), c.arg(2))});
           }},
      {.name = "delay_n",
       .min_args = 4,
       .max_args = 4,
       .signature = "(input, time, initial, n)",
       .description = "DELAYN with Vensim's order of arguments",
       .units = smooth_or_delay_units("the delay time", 2, false),
       .lower =
           [](LowerCall& c) {
             const int n = c.whole_number(3, "order", 1, 1000);
             return delay_chain(c, c.arg(0), c.arg(1), n, c.arg(2));
           }},
      {.name = "smooth_n",
       .min_args = 4,
       .max_args = 4,
       .signature = "(input, time, initial, n)",
       .description = "SMTHN with Vensim's order of arguments",
       .units = smooth_or_delay_units("the averaging time", 2, false),
       .lower =
           [](LowerCall& c) {
             const int n = c.whole_number(3, "order", 1, 1000);
             return smooth_chain(c, c.arg(0), c.arg(1), n, c.arg(2), "smooth");
           }},
      {.name = "game",
       .min_args = 1,
       .max_args = 1,
       .signature = "(x)",
       .description = "x (Vensim's gaming input, which a run does not pause for)",
       .units = keeps_unit,
       .lower = [](LowerCall& c) { return c.arg(0); }},
  };
}

// NPV.
std::vector<Builtin> finance() {
  return {
      {.name = "npv",
       .min_args = 2,
       .max_args = 4,
       .signature = "(stream, discount rate[, initial[, factor]])",
       .description =
           "net present value of stream (Vensim): (NCUM + stream * DT * DF) * factor, where the "
           "discount factor DF starts at 1 and falls at rate / (1 + rate * DT), and NCUM starts "
           "at initial (default 0) and accumulates stream * DF; factor defaults to 1",
       .units =
           [](UnitCall& c) {
             c.expect(1, c.per_time(), "the discount rate of NPV has", "it needs");
             return c.product(c.arg(0), c.time());
           },
       .lower =
           [](LowerCall& c) {
             const LoweredPtr stream = c.arg(0);
             const LoweredPtr rate = c.arg(1);
             const LoweredPtr dt = c.clock(Clock::Dt);
             const LoweredPtr discount = c.stock("npv_discount_factor", c.number(1));
             c.set_derivative(
                 discount,
                 c.apply(Op::Neg,
                         {c.apply(Op::Div, {c.apply(Op::Mul, {discount, rate}),
                                            c.apply(Op::Add, {c.number(1),
                                                              c.apply(Op::Mul, {rate, dt})})})}));
             const LoweredPtr sum = c.stock("npv_sum", c.argc() > 2 ? c.arg(2) : c.number(0));
             c.set_derivative(sum, c.apply(Op::Mul, {stream, discount}));
             const LoweredPtr value = c.apply(
                 Op::Add, {sum, c.apply(Op::Mul, {c.apply(Op::Mul, {stream, dt}), discount})});
             return c.argc() > 3 ? c.apply(Op::Mul, {value, c.arg(3)}) : value;
           }},
  };
}

}  // namespace h2sim::detail
