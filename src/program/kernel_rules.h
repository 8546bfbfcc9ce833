/* The kernel's instructions that are more than one IEEE operation, as the one rule for each.
 * Written in the C subset of C++: the interpreter (kernel.hpp) calls these functions, and the
 * compiled backend (src/native) pastes this very text into the code it generates, so a
 * compiled model computes them exactly as the interpreter does. Keep it free of anything C
 * lacks. */
#ifndef H2SIM_KERNEL_RULES_H
#define H2SIM_KERNEL_RULES_H

#include <math.h>

/* x mod y with the sign of y (floored), as XMILE's MOD and Vensim's MODULO. */
static inline double h2sim_floored_mod(double x, double y) {
  const double r = fmod(x, y);
  return (r != 0 && ((r < 0) != (y < 0))) ? r + y : r;
}

/* PULSE: height / dt during the dt that starts at `first`, and every `interval` after when
 * interval > 0. `t` is the start of the current step. An interval shorter than dt puts
 * several pulses in one step: each counts, so every pulse still moves `height`. */
static inline double h2sim_pulse(double height, double t, double dt, double first,
                                 double interval) {
  const double since = t - first;
  const double eps = dt * 1e-6;
  int on = 0;
  if (interval > 0 && interval < dt - eps) {
    /* the pulses k >= 0 at first + k * interval within [t, t + dt) */
    const double low = ceil((since - eps) / interval);
    const double high = ceil((since + dt - eps) / interval) - 1;
    const double count = high - (low > 0 ? low : 0) + 1;
    return count > 0 ? height * count / dt : 0.0;
  }
  if (since >= -eps) {
    const double phase =
        interval > 0 ? since - interval * floor((since + eps) / interval) : since;
    on = phase < dt - eps;
  }
  return on ? height / dt : 0.0;
}

#endif
