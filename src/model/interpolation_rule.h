/* Reading a graphical function: the one rule. Written in the C subset of C++ so that the
 * compiled backend (src/native) can paste this very text into the code it generates, and a
 * compiled model reads a table exactly as the interpreter does (interpolation.hpp wraps it
 * for C++). Keep it free of anything C lacks. */
#ifndef H2SIM_INTERPOLATION_RULE_H
#define H2SIM_INTERPOLATION_RULE_H

#include <stddef.h>

/* The modes, in the order of h2sim::Interpolation. */
#define H2SIM_CONTINUOUS 0  /* linear between points, held at the end values outside */
#define H2SIM_EXTRAPOLATE 1 /* linear between points, continued along the end segments */
#define H2SIM_DISCRETE 2    /* the value of the last point at or below x */

/* y(x) for n points (xs increasing). NaN stays NaN. A time repeated in a schedule's table
 * (Continuous or Discrete, never Extrapolate) is a jump: from that x on, the later point's
 * value holds. */
static inline double h2sim_interpolate(const double* xs, const double* ys, size_t n, int mode,
                                       double x) {
  size_t first = 0, count = n, i = 0;
  double t = 0;
  if (n == 0) return 0.0;
  if (n == 1 || x != x) return n == 1 ? ys[0] : x;
  if (x < xs[0] || (x == xs[0] && xs[1] != xs[0])) {
    if (mode == H2SIM_EXTRAPOLATE && x < xs[0])
      return ys[0] + (x - xs[0]) * (ys[1] - ys[0]) / (xs[1] - xs[0]);
    return ys[0];
  }
  if (x >= xs[n - 1]) {
    if (mode == H2SIM_EXTRAPOLATE && x > xs[n - 1])
      return ys[n - 1] + (x - xs[n - 1]) * (ys[n - 1] - ys[n - 2]) / (xs[n - 1] - xs[n - 2]);
    return ys[n - 1];
  }
  /* The first point strictly above x (a binary search, as std::upper_bound). */
  while (count > 0) {
    const size_t half = count / 2;
    if (!(x < xs[first + half])) {
      first += half + 1;
      count -= half + 1;
    } else {
      count = half;
    }
  }
  i = first;
  if (mode == H2SIM_DISCRETE) return ys[i - 1];
  t = (x - xs[i - 1]) / (xs[i] - xs[i - 1]);
  return ys[i - 1] + t * (ys[i] - ys[i - 1]);
}

#endif
