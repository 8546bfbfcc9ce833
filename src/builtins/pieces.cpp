// Pieces that several builtins share: unit rules and lowerings (declared in pieces.hpp).
#include "builtins/pieces.hpp"

#include <limits>

namespace h2sim::detail::pieces {

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

// A delay or averaging time below 0 is NaN, which the run reports (naming the variable) instead
// of letting the chain grow without bound; 0 divides by zero, reported the same way. A time
// that is a number is checked once, when the program is compiled. An expression is held in a
// node: it is read twice here, and each stage of the chain reads the result.
LoweredPtr non_negative_time(LowerCall& c, const LoweredPtr& raw_time) {
  const LoweredPtr time = c.held(raw_time, "time");
  return c.held(c.apply(Op::Select, {c.apply(Op::Ge, {time, c.number(0)}), time,
                                     c.number(std::numeric_limits<double>::quiet_NaN())}),
                "checked_time");
}

// Every stage of a chain starts from the initial value: a long expression written into each
// stage's start made an SMTHN of order 1000 over a SUM of 20,000 terms 20 million
// instructions. With more than one stage it is computed once, in a node.
static LoweredPtr chain_initial(LowerCall& c, const LoweredPtr& initial, int order) {
  return order == 1 ? initial : c.held_initial(initial);
}

// n first-order smooths in a chain, each with averaging time T/n.
LoweredPtr smooth_chain(LowerCall& c, const LoweredPtr& input, const LoweredPtr& raw_time,
                        int order, const LoweredPtr& raw_initial, const std::string& label) {
  const LoweredPtr initial = chain_initial(c, raw_initial, order);
  const LoweredPtr time = non_negative_time(c, raw_time);
  const LoweredPtr stage_time =
      order == 1 ? time : c.held(c.apply(Op::Div, {time, c.number(order)}), "stage_time");
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
LoweredPtr delay_chain(LowerCall& c, const LoweredPtr& input, const LoweredPtr& raw_time,
                       int order, const LoweredPtr& raw_initial) {
  const LoweredPtr initial = chain_initial(c, raw_initial, order);
  const LoweredPtr time = non_negative_time(c, raw_time);
  const LoweredPtr stage_time =
      order == 1 ? time : c.held(c.apply(Op::Div, {time, c.number(order)}), "stage_time");
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

}  // namespace h2sim::detail::pieces
