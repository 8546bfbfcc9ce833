// Built as C++17: see stiff.hpp.
#include "sim/stiff.hpp"

#include <algorithm>
#include <boost/numeric/odeint.hpp>
#include <cmath>
#include <utility>

namespace h2sim::detail {

namespace odeint = boost::numeric::odeint;
using Vector = boost::numeric::ublas::vector<double>;
using Matrix = boost::numeric::ublas::matrix<double>;

namespace {

struct Rhs {
  StiffSystem s;
  void operator()(const Vector& x, Vector& dxdt, double t) const {
    s.rhs(s.context, &x[0], &dxdt[0], t);
  }
};

// Forward differences: the Program has no symbolic derivatives.
struct Jacobian {
  StiffSystem s;
  void operator()(const Vector& x, Matrix& J, double t, Vector& dfdt) const {
    const std::size_t n = x.size();
    Vector f0(n), f1(n), xp = x;
    s.rhs(s.context, &x[0], &f0[0], t);
    for (std::size_t j = 0; j < n; ++j) {
      const double h = 1e-7 * std::max(1.0, std::abs(x[j]));
      xp[j] = x[j] + h;
      s.rhs(s.context, &xp[0], &f1[0], t);
      for (std::size_t i = 0; i < n; ++i) J(i, j) = (f1[i] - f0[i]) / h;
      xp[j] = x[j];
    }
    const double ht = 1e-7 * std::max(1.0, std::abs(t));
    s.rhs(s.context, &x[0], &f1[0], t + ht);
    for (std::size_t i = 0; i < n; ++i) dfdt[i] = (f1[i] - f0[i]) / ht;
  }
};

}  // namespace

struct StiffDenseStepper::Impl {
  using Stepper =
      odeint::rosenbrock4_dense_output<odeint::rosenbrock4_controller<odeint::rosenbrock4<double>>>;
  Impl(double atol, double rtol, StiffSystem sys)
      : stepper(odeint::make_dense_output(atol, rtol, odeint::rosenbrock4<double>())),
        system(sys) {}
  Stepper stepper;
  StiffSystem system;
  std::vector<double> state;
};

StiffDenseStepper::StiffDenseStepper(double atol, double rtol, StiffSystem system)
    : impl_(std::make_unique<Impl>(atol, rtol, system)) {}
StiffDenseStepper::~StiffDenseStepper() = default;

void StiffDenseStepper::initialize(const std::vector<double>& x, double t, double dt) {
  Vector v(x.size());
  std::copy(x.begin(), x.end(), v.begin());
  impl_->stepper.initialize(v, t, dt);
}

void StiffDenseStepper::do_step() {
  impl_->stepper.do_step(std::make_pair(Rhs{impl_->system}, Jacobian{impl_->system}));
}

void StiffDenseStepper::calc_state(double t, std::vector<double>& x) {
  Vector v(x.size());
  impl_->stepper.calc_state(t, v);
  std::copy(v.begin(), v.end(), x.begin());
}

const std::vector<double>& StiffDenseStepper::current_state() {
  const Vector& v = impl_->stepper.current_state();
  impl_->state.assign(v.begin(), v.end());
  return impl_->state;
}

double StiffDenseStepper::current_time() const { return impl_->stepper.current_time(); }
double StiffDenseStepper::current_time_step() const { return impl_->stepper.current_time_step(); }

double StiffDenseStepper::largest_magnitude(std::size_t& index) const {
  const Vector& v = impl_->stepper.current_state();
  index = 0;
  double largest = 0;
  for (std::size_t i = 0; i < v.size(); ++i)
    if (!(std::abs(v[i]) <= largest)) {  // NaN counts as largest
      largest = std::abs(v[i]);
      index = i;
      if (std::isnan(largest)) break;
    }
  return largest;
}

}  // namespace h2sim::detail
