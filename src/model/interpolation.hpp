// Reading a graphical function: the one rule (interpolation_rule.h), for C++. Used by
// GraphicalFunction::operator() and by the kernel's Lookup instruction (inline, because the
// kernel calls it in the step loop); the compiled backend pastes the rule's text into the code
// it generates.
#pragma once

#include <cstddef>

#include "h2sim/model.hpp"
#include "model/interpolation_rule.h"

namespace h2sim::detail {

static_assert(static_cast<int>(Interpolation::Continuous) == H2SIM_CONTINUOUS &&
              static_cast<int>(Interpolation::Extrapolate) == H2SIM_EXTRAPOLATE &&
              static_cast<int>(Interpolation::Discrete) == H2SIM_DISCRETE);

// y(x) for n points (xs increasing): linear between points; outside them held at the end
// values, or continued along the end segment for Interpolation::Extrapolate; Discrete takes
// the value of the last point at or below x. NaN stays NaN. A time repeated in a schedule's
// table (Continuous or Discrete, never Extrapolate) is a jump: from that x on, the later
// point's value holds. The rule itself is interpolation_rule.h, shared with compiled models.
inline double interpolate(const double* xs, const double* ys, std::size_t n,
                          Interpolation interpolation, double x) {
  return h2sim_interpolate(xs, ys, n, static_cast<int>(interpolation), x);
}

}  // namespace h2sim::detail
