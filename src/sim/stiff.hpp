// Rosenbrock4 (Boost.Odeint) behind a small interface of plain vectors.
//
// Boost 1.74's uBLAS, which rosenbrock4 needs, does not compile as C++20, so the stiff
// stepper lives in its own translation unit built as C++17 (see CMakeLists.txt).
#pragma once

#include <cstddef>
#include <memory>
#include <vector>

namespace h2sim::detail {

// The right-hand side the stepper calls: dxdt = f(x, t).
struct StiffSystem {
  void* context = nullptr;
  void (*rhs)(void* context, const double* x, double* dxdt, double t) = nullptr;
};

// A dense-output Rosenbrock4 stepper with a forward-difference Jacobian. Its members
// mirror Odeint's dense-output steppers so one driver serves both methods.
class StiffDenseStepper {
 public:
  StiffDenseStepper(double absolute_tolerance, double relative_tolerance, StiffSystem system);
  ~StiffDenseStepper();
  StiffDenseStepper(const StiffDenseStepper&) = delete;
  StiffDenseStepper& operator=(const StiffDenseStepper&) = delete;

  void initialize(const std::vector<double>& x, double t, double dt);
  void do_step();
  void calc_state(double t, std::vector<double>& x);
  const std::vector<double>& current_state();
  double current_time() const;
  double current_time_step() const;
  // The largest magnitude in the current state (NaN if any is NaN; 0 for no state), and
  // where it is.
  double largest_magnitude(std::size_t& index) const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace h2sim::detail
