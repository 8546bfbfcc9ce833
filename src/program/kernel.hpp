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
// reads schedules. Longer than 100 lines on purpose: one switch with a case per instruction
// is the interpreter's step loop, and keeping it whole keeps each instruction one jump away,
// with no call.
template <int W>
void execute(const ProgramData& p, const Instruction* code, std::size_t count, Block<W>* s,
             const BoundTable* tables = nullptr) {
  using B = Block<W>;
  const B zero = B::Zero();
  const B one = B::Ones();
  const h2sim_math& math = math_functions();
  for (std::size_t i = 0; i < count; ++i) {
    const Instruction& in = code[i];
    B& d = s[in.dst];
    const B& a = s[in.a];
    switch (in.op) {
      case Op::Copy:
        d = a;
        break;
      case Op::Add:
        d = a + s[in.b];
        break;
      case Op::Sub:
        d = a - s[in.b];
        break;
      case Op::Mul:
        d = a * s[in.b];
        break;
      case Op::Div:
        d = a / s[in.b];
        break;
      case Op::Pow: {
        const B& b = s[in.b];
        if constexpr (W == H2SIM_LANES) {
          math.pow8(a.data(), b.data(), d.data());
        } else {
          for (int l = 0; l < W; ++l) d[l] = math.pow1(a[l], b[l]);
        }
        break;
      }
      case Op::Mod: {
        const B& b = s[in.b];
        for (int l = 0; l < W; ++l) d[l] = h2sim_floored_mod(a[l], b[l]);
        break;
      }
      case Op::Neg:
        // Lane by lane: Eigen's AVX-512 negation is 0 - a, which makes -0 of 0.
        per_lane<W>(d, a, [](double v) { return -v; });
        break;
      case Op::Not:
        d = (a == zero).select(one, zero);
        break;
      case Op::Lt:
        d = (a < s[in.b]).select(one, zero);
        break;
      case Op::Le:
        d = (a <= s[in.b]).select(one, zero);
        break;
      case Op::Gt:
        d = (a > s[in.b]).select(one, zero);
        break;
      case Op::Ge:
        d = (a >= s[in.b]).select(one, zero);
        break;
      case Op::Eq:
        d = (a == s[in.b]).select(one, zero);
        break;
      case Op::Ne:
        d = (a != s[in.b]).select(one, zero);
        break;
      case Op::And:
        d = ((a != zero) && (s[in.b] != zero)).select(one, zero);
        break;
      case Op::Or:
        d = ((a != zero) || (s[in.b] != zero)).select(one, zero);
        break;
      case Op::Select:
        d = (a != zero).select(s[in.b], s[in.c]);
        break;
      case Op::Abs:
        d = a.abs();
        break;
      case Op::Min:
        d = a.min(s[in.b]);
        break;
      case Op::Max:
        d = a.max(s[in.b]);
        break;
      case Op::Sqrt:
        // Per lane: Eigen's vectorised sqrt (AVX-512, EIGEN_FAST_MATH) is an approximation
        // refined by Newton steps, not the correctly rounded square root of single runs.
        per_lane<W>(d, a, [](double v) { return std::sqrt(v); });
        break;
      case Op::Exp:
        vector_math<W>(d, a, math.exp1, math.exp8);
        break;
      case Op::Ln:
        vector_math<W>(d, a, math.log1, math.log8);
        break;
      case Op::Log10:
        per_lane<W>(d, a, [](double v) { return std::log10(v); });
        break;
      case Op::Sin:
        per_lane<W>(d, a, [](double v) { return std::sin(v); });
        break;
      case Op::Cos:
        per_lane<W>(d, a, [](double v) { return std::cos(v); });
        break;
      case Op::Tan:
        per_lane<W>(d, a, [](double v) { return std::tan(v); });
        break;
      case Op::Asin:
        per_lane<W>(d, a, [](double v) { return std::asin(v); });
        break;
      case Op::Acos:
        per_lane<W>(d, a, [](double v) { return std::acos(v); });
        break;
      case Op::Atan:
        per_lane<W>(d, a, [](double v) { return std::atan(v); });
        break;
      case Op::Floor:
        d = a.floor();
        break;
      case Op::Trunc:
        per_lane<W>(d, a, [](double v) { return std::trunc(v); });
        break;
      case Op::Rem: {
        const B& b = s[in.b];
        for (int l = 0; l < W; ++l) d[l] = std::fmod(a[l], b[l]);
        break;
      }
      case Op::Round:
        per_lane<W>(d, a, [](double v) { return std::round(v); });
        break;
      case Op::Sinh:
        per_lane<W>(d, a, [](double v) { return std::sinh(v); });
        break;
      case Op::Cosh:
        per_lane<W>(d, a, [](double v) { return std::cosh(v); });
        break;
      case Op::Tanh:
        per_lane<W>(d, a, [](double v) { return std::tanh(v); });
        break;
      case Op::SafeDiv: {
        const B& b = s[in.b];
        d = (b != zero).select(a / b, s[in.c]);
        break;
      }
      case Op::Step:
        d = (s[kStepTimeSlot] >= s[in.b]).select(a, zero);
        break;
      case Op::Ramp: {
        const B& t = s[kStepTimeSlot];
        const B& begin = s[in.b];
        const B held = in.c >= 0 ? t.min(s[in.c]) : t;
        d = (t > begin).select(a * (held - begin), zero);
        break;
      }
      case Op::Pulse: {
        // Height a/dt during the dt that starts at b (and every c after, when c > 0).
        const B& t = s[kStepTimeSlot];
        const B& dt = s[kDtSlot];
        const B& first = s[in.b];
        for (int l = 0; l < W; ++l)
          d[l] = h2sim_pulse(a[l], t[l], dt[l], first[l], in.c >= 0 ? s[in.c][l] : 0.0);
        break;
      }
      case Op::Lookup:
        for (int l = 0; l < W; ++l) d[l] = lookup_value(p, in.b, a[l]);
        break;
      case Op::Schedule: {
        const BoundTable* bound = tables + static_cast<std::ptrdiff_t>(in.b) * W;
        for (int l = 0; l < W; ++l)
          d[l] = interpolate(bound[l].x, bound[l].y, static_cast<std::size_t>(bound[l].count),
                             bound[l].interpolation, a[l]);
        break;
      }
    }
  }
}

}  // namespace h2sim::detail
