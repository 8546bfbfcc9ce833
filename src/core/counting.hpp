// Counting without overflow: sizes that come from input (dimension sizes, copies of
// components) are multiplied and added capped, so that a product above 2^64 cannot wrap
// around to a small number and pass a limit.
#pragma once

#include <cstddef>
#include <limits>

namespace h2sim::detail {

// a * b, or SIZE_MAX when it does not fit.
inline std::size_t saturating_product(std::size_t a, std::size_t b) {
  if (a != 0 && b > std::numeric_limits<std::size_t>::max() / a)
    return std::numeric_limits<std::size_t>::max();
  return a * b;
}

// a + b, or SIZE_MAX when it does not fit.
inline std::size_t saturating_sum(std::size_t a, std::size_t b) {
  return b > std::numeric_limits<std::size_t>::max() - a ? std::numeric_limits<std::size_t>::max()
                                                         : a + b;
}

}  // namespace h2sim::detail
