// The evaluation kernel: runs instructions over a block of W lanes.
//
// A slot is an Eigen fixed-size array of W doubles, so every arithmetic instruction
// is explicit SIMD over the block. A batch must give the same bits as single runs (which use
// W = 1): exp, log and pow go through SLEEF's deterministic functions, whose vector and
// one-value forms agree bit for bit (transcendental.hpp); the other transcendental functions
// run lane by lane through the C library. Instructions that are more than one operation
// follow kernel_rules.h, which the compiled backend pastes into its code.
#pragma once

#include <Eigen/Core>
#include <algorithm>
#include <cmath>
#include <vector>

#include "model/interpolation.hpp"
#include "program/kernel_rules.h"
#include "program/program_data.hpp"
#include "program/transcendental.hpp"

namespace h2sim::detail {

template <int W>
using Block = Eigen::Array<double, W, 1>;

template <int W>
using SlotVector = std::vector<Block<W>>;  // C++17 aligned new: no Eigen allocator involved

inline double lookup_value(const ProgramData& p, int table, double x) {
  const LookupTable& t = p.lookups[static_cast<std::size_t>(table)];
  return interpolate(p.lookup_x.data() + t.offset, p.lookup_y.data() + t.offset,
                     static_cast<std::size_t>(t.count), t.interpolation, x);
}

template <int W, class F>
inline void per_lane(Block<W>& d, const Block<W>& a, F f) {
  for (int l = 0; l < W; ++l) d[l] = f(a[l]);
}

// exp or log of a block: one call for the eight lanes of a batch block, or one value.
template <int W>
inline void vector_math(Block<W>& d, const Block<W>& a, double (*one)(double),
                        void (*eight)(const double*, double*)) {
  if constexpr (W == H2SIM_LANES) {
    eight(a.data(), d.data());
  } else {
    for (int l = 0; l < W; ++l) d[l] = one(a[l]);
  }
}

// Runs `count` instructions over the slots `s`, W lanes at a time; `tables` holds the tables
// bound to each schedule and lane (tables[schedule * W + lane]), needed only by code that
// reads schedules. Longer than 100 lines on purpose: one case per instruction is the
// interpreter's step loop, and keeping it whole keeps each instruction one jump away, with no
// call. With GCC and Clang each case ends in its own jump to the next instruction's case
// ("threaded" dispatch, through the address of a label), which the processor predicts better
// than the one shared jump of a switch (measured: 9 % less CPU for a Zhejiang baseline run,
// 8 % for a batch of the generated fleet model; benchmarks/README.md); elsewhere the same cases
// run in a switch.
#if defined(__GNUC__)
#define H2SIM_CASE(name)   \
  op_##name : {            \
    B& d = s[in->dst];     \
    const B& a = s[in->a]; \
    (void)a;
#define H2SIM_NEXT         \
  }                        \
  if (++in == end) return; \
  goto* targets[static_cast<int>(in->op)];
#else
#define H2SIM_CASE(name)   \
  case Op::name: {         \
    B& d = s[in->dst];     \
    const B& a = s[in->a]; \
    (void)a;
#define H2SIM_NEXT \
  }                \
  break;
#endif
template <int W>
void execute(const ProgramData& p, const Instruction* code, std::size_t count, Block<W>* s,
             const BoundTable* tables = nullptr) {
  using B = Block<W>;
  const B zero = B::Zero();
  const B one = B::Ones();
  const h2sim_math& math = math_functions();
  const Instruction* in = code;
  const Instruction* const end = code + count;
  if (in == end) return;
#if defined(__GNUC__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wpedantic"  // the address of a label is a GNU extension
  // In the order of the enum Op (not of the cases below); a new Op without its case here fails
  // to compile. tests/cpp/test_native.cpp checks every instruction against the compiled backend.
  static const void* const targets[] = {
      &&op_Copy,   &&op_Add,     &&op_Sub,   &&op_Mul,     &&op_Div,   &&op_Pow,   &&op_Mod,
      &&op_Neg,    &&op_Not,     &&op_Lt,    &&op_Le,      &&op_Gt,    &&op_Ge,    &&op_Eq,
      &&op_Ne,     &&op_And,     &&op_Or,    &&op_Select,  &&op_Abs,   &&op_Min,   &&op_Max,
      &&op_Exp,    &&op_Ln,      &&op_Log10, &&op_Sqrt,    &&op_Sin,   &&op_Cos,   &&op_Tan,
      &&op_Asin,   &&op_Acos,    &&op_Atan,  &&op_Floor,   &&op_Trunc, &&op_Round, &&op_Sinh,
      &&op_Cosh,   &&op_Tanh,    &&op_Rem,   &&op_SafeDiv, &&op_Step,  &&op_Ramp,  &&op_Pulse,
      &&op_Lookup, &&op_Schedule};
  static_assert(sizeof targets / sizeof targets[0] == static_cast<int>(Op::Schedule) + 1);
  goto* targets[static_cast<int>(in->op)];
  {
    {
#else
  for (; in != end; ++in) {
    switch (in->op) {
#endif
      H2SIM_CASE(Copy)
      d = a;
      H2SIM_NEXT
      H2SIM_CASE(Add)
      d = a + s[in->b];
      H2SIM_NEXT
      H2SIM_CASE(Sub)
      d = a - s[in->b];
      H2SIM_NEXT
      H2SIM_CASE(Mul)
      d = a * s[in->b];
      H2SIM_NEXT
      H2SIM_CASE(Div)
      d = a / s[in->b];
      H2SIM_NEXT
      H2SIM_CASE(Pow) {
        const B& b = s[in->b];
        if constexpr (W == H2SIM_LANES) {
          math.pow8(a.data(), b.data(), d.data());
        } else {
          for (int l = 0; l < W; ++l) d[l] = math.pow1(a[l], b[l]);
        }
        H2SIM_NEXT
      }
      H2SIM_CASE(Mod) {
        const B& b = s[in->b];
        for (int l = 0; l < W; ++l) d[l] = h2sim_floored_mod(a[l], b[l]);
        H2SIM_NEXT
      }
      H2SIM_CASE(Neg)
      // Lane by lane: Eigen's AVX-512 negation is 0 - a, which makes -0 of 0.
      per_lane<W>(d, a, [](double v) { return -v; });
      H2SIM_NEXT
      H2SIM_CASE(Not)
      d = (a == zero).select(one, zero);
      H2SIM_NEXT
      H2SIM_CASE(Lt)
      d = (a < s[in->b]).select(one, zero);
      H2SIM_NEXT
      H2SIM_CASE(Le)
      d = (a <= s[in->b]).select(one, zero);
      H2SIM_NEXT
      H2SIM_CASE(Gt)
      d = (a > s[in->b]).select(one, zero);
      H2SIM_NEXT
      H2SIM_CASE(Ge)
      d = (a >= s[in->b]).select(one, zero);
      H2SIM_NEXT
      H2SIM_CASE(Eq)
      d = (a == s[in->b]).select(one, zero);
      H2SIM_NEXT
      H2SIM_CASE(Ne)
      d = (a != s[in->b]).select(one, zero);
      H2SIM_NEXT
      H2SIM_CASE(And)
      d = ((a != zero) && (s[in->b] != zero)).select(one, zero);
      H2SIM_NEXT
      H2SIM_CASE(Or)
      d = ((a != zero) || (s[in->b] != zero)).select(one, zero);
      H2SIM_NEXT
      H2SIM_CASE(Select)
      d = (a != zero).select(s[in->b], s[in->c]);
      H2SIM_NEXT
      H2SIM_CASE(Abs)
      d = a.abs();
      H2SIM_NEXT
      H2SIM_CASE(Min)
      d = a.min(s[in->b]);
      H2SIM_NEXT
      H2SIM_CASE(Max)
      d = a.max(s[in->b]);
      H2SIM_NEXT
      H2SIM_CASE(Sqrt)
      // Lane by lane, correctly rounded: Eigen's AVX-512 a.sqrt() is an approximation under
      // its default fast math, so a batch's square root would differ from a single run's.
      per_lane<W>(d, a, [](double v) { return std::sqrt(v); });
      H2SIM_NEXT
      H2SIM_CASE(Exp)
      vector_math<W>(d, a, math.exp1, math.exp8);
      H2SIM_NEXT
      H2SIM_CASE(Ln)
      vector_math<W>(d, a, math.log1, math.log8);
      H2SIM_NEXT
      H2SIM_CASE(Log10)
      per_lane<W>(d, a, [](double v) { return std::log10(v); });
      H2SIM_NEXT
      H2SIM_CASE(Sin)
      per_lane<W>(d, a, [](double v) { return std::sin(v); });
      H2SIM_NEXT
      H2SIM_CASE(Cos)
      per_lane<W>(d, a, [](double v) { return std::cos(v); });
      H2SIM_NEXT
      H2SIM_CASE(Tan)
      per_lane<W>(d, a, [](double v) { return std::tan(v); });
      H2SIM_NEXT
      H2SIM_CASE(Asin)
      per_lane<W>(d, a, [](double v) { return std::asin(v); });
      H2SIM_NEXT
      H2SIM_CASE(Acos)
      per_lane<W>(d, a, [](double v) { return std::acos(v); });
      H2SIM_NEXT
      H2SIM_CASE(Atan)
      per_lane<W>(d, a, [](double v) { return std::atan(v); });
      H2SIM_NEXT
      H2SIM_CASE(Floor)
      d = a.floor();
      H2SIM_NEXT
      H2SIM_CASE(Trunc)
      per_lane<W>(d, a, [](double v) { return std::trunc(v); });
      H2SIM_NEXT
      H2SIM_CASE(Rem) {
        const B& b = s[in->b];
        for (int l = 0; l < W; ++l) d[l] = std::fmod(a[l], b[l]);
        H2SIM_NEXT
      }
      H2SIM_CASE(Round)
      per_lane<W>(d, a, [](double v) { return std::round(v); });
      H2SIM_NEXT
      H2SIM_CASE(Sinh)
      per_lane<W>(d, a, [](double v) { return std::sinh(v); });
      H2SIM_NEXT
      H2SIM_CASE(Cosh)
      per_lane<W>(d, a, [](double v) { return std::cosh(v); });
      H2SIM_NEXT
      H2SIM_CASE(Tanh)
      per_lane<W>(d, a, [](double v) { return std::tanh(v); });
      H2SIM_NEXT
      H2SIM_CASE(SafeDiv) {
        const B& b = s[in->b];
        d = (b != zero).select(a / b, s[in->c]);
        H2SIM_NEXT
      }
      H2SIM_CASE(Step)
      d = (s[kStepTimeSlot] >= s[in->b]).select(a, zero);
      H2SIM_NEXT
      H2SIM_CASE(Ramp) {
        const B& t = s[kStepTimeSlot];
        const B& begin = s[in->b];
        const B held = in->c >= 0 ? t.min(s[in->c]) : t;
        d = (t > begin).select(a * (held - begin), zero);
        H2SIM_NEXT
      }
      H2SIM_CASE(Pulse) {
        // Height a/dt during the dt that starts at b (and every c after, when c > 0).
        const B& t = s[kStepTimeSlot];
        const B& dt = s[kDtSlot];
        const B& first = s[in->b];
        for (int l = 0; l < W; ++l)
          d[l] = h2sim_pulse(a[l], t[l], dt[l], first[l], in->c >= 0 ? s[in->c][l] : 0.0);
        H2SIM_NEXT
      }
      H2SIM_CASE(Lookup)
      for (int l = 0; l < W; ++l) d[l] = lookup_value(p, in->b, a[l]);
      H2SIM_NEXT
      H2SIM_CASE(Schedule) {
        const BoundTable* bound = tables + static_cast<std::ptrdiff_t>(in->b) * W;
        for (int l = 0; l < W; ++l)
          d[l] = interpolate(bound[l].x, bound[l].y, static_cast<std::size_t>(bound[l].count),
                             bound[l].interpolation, a[l]);
        H2SIM_NEXT
      }
    }
  }
#if defined(__GNUC__)
#pragma GCC diagnostic pop
#endif
}
#undef H2SIM_CASE
#undef H2SIM_NEXT

}  // namespace h2sim::detail
