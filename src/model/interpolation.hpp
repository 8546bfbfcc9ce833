// Reading a graphical function: the one rule, used by GraphicalFunction::operator() and by
// the kernel's Lookup instruction (inline, because the kernel calls it in the step loop).
#pragma once

#include <algorithm>
#include <cmath>

#include "h2sim/model.hpp"

namespace h2sim::detail {

// y(x) for n points (xs increasing): linear between points; outside them held at the end
// values, or continued along the end segment for Interpolation::Extrapolate; Discrete takes
// the value of the last point at or below x. NaN stays NaN. A time repeated in a schedule's
// table (Continuous or Discrete, never Extrapolate) is a jump: from that x on, the later
// point's value holds.
inline double interpolate(const double* xs, const double* ys, std::size_t n,
                          Interpolation interpolation, double x) {
  if (n == 0) return 0.0;
  if (n == 1 || std::isnan(x)) return n == 1 ? ys[0] : x;
  if (x < xs[0] || (x == xs[0] && xs[1] != xs[0])) {
    if (interpolation == Interpolation::Extrapolate && x < xs[0])
      return ys[0] + (x - xs[0]) * (ys[1] - ys[0]) / (xs[1] - xs[0]);
    return ys[0];
  }
  if (x >= xs[n - 1]) {
    if (interpolation == Interpolation::Extrapolate && x > xs[n - 1])
      return ys[n - 1] + (x - xs[n - 1]) * (ys[n - 1] - ys[n - 2]) / (xs[n - 1] - xs[n - 2]);
    return ys[n - 1];
  }
  // First point strictly above x.
  const std::size_t i = static_cast<std::size_t>(std::upper_bound(xs, xs + n, x) - xs);
  if (interpolation == Interpolation::Discrete) return ys[i - 1];
  const double t = (x - xs[i - 1]) / (xs[i] - xs[i - 1]);
  return ys[i - 1] + t * (ys[i] - ys[i - 1]);
}

}  // namespace h2sim::detail
