// Order of accuracy: halving dt divides Euler's error by about 2 and RK4's by about 16.
#include "test_support.hpp"

using h2sim::Method;
using namespace h2test;

namespace {

// Logistic growth r = 1, K = 1, P0 = 0.1; autonomous.
h2sim::Model logistic_model() {
  auto model = make_model(0.0, 5.0, 0.25, Method::Euler);
  model.add_stock("P", "0.1", {"growth"});
  model.add_flow("growth", "P * (1 - P)");
  return model;
}
double logistic_exact(double t) { return 1 / (1 + 9 * std::exp(-t)); }

// x' = -x + sin(t), x(0) = 1: x = 1.5 exp(-t) + (sin t - cos t) / 2. Depends on TIME,
// so RK4 is fourth order only if TIME is the stage time inside each step.
h2sim::Model forced_model() {
  auto model = make_model(0.0, 4.0, 0.25, Method::Euler);
  model.add_stock("x", "1", {"forcing"}, {"relaxation"});
  model.add_flow("forcing", "SIN(TIME)");
  model.add_flow("relaxation", "x");
  return model;
}
double forced_exact(double t) { return 1.5 * std::exp(-t) + (std::sin(t) - std::cos(t)) / 2; }

std::vector<double> final_errors(const h2sim::Model& model, const std::string& stock,
                                 double (*exact)(double), Method method,
                                 const std::vector<double>& steps) {
  const auto program = h2sim::compile_model(model);
  std::vector<double> errors;
  for (const double dt : steps) {
    auto options = with_method(method);
    options.dt = dt;
    const auto result = h2sim::simulate(program, options);
    const double t = final_time(result);
    REQUIRE(t == model.time().stop);
    errors.push_back(std::abs(final_value(result, stock) - exact(t)));
  }
  return errors;
}

void check_ratios(const std::vector<double>& errors, double low, double high) {
  for (std::size_t i = 0; i + 1 < errors.size(); ++i) {
    const double ratio = errors[i] / errors[i + 1];
    INFO("error " << errors[i] << " -> " << errors[i + 1] << ", ratio " << ratio);
    CHECK(ratio >= low);
    CHECK(ratio <= high);
  }
}

}  // namespace

TEST_CASE("Euler is first order", "[convergence][euler]") {
  SECTION("logistic growth") {
    const auto errors = final_errors(logistic_model(), "P", logistic_exact, Method::Euler,
                                     {1.0 / 32, 1.0 / 64, 1.0 / 128});
    check_ratios(errors, 1.8, 2.2);
    // Plain Euler at dt 1/32 is off by about 4.4e-4 here.
    CHECK(errors[0] > 1e-4);
    CHECK(errors[0] < 1e-3);
  }
  SECTION("forced relaxation") {
    const auto errors = final_errors(forced_model(), "x", forced_exact, Method::Euler,
                                     {1.0 / 32, 1.0 / 64, 1.0 / 128});
    check_ratios(errors, 1.8, 2.2);
  }
}

TEST_CASE("RK4 is fourth order", "[convergence][rk4]") {
  SECTION("logistic growth") {
    const auto errors = final_errors(logistic_model(), "P", logistic_exact, Method::RK4,
                                     {1.0 / 4, 1.0 / 8, 1.0 / 16});
    check_ratios(errors, 14, 18);
    // About 2.9e-6 at dt 1/8.
    CHECK(errors[1] < 1e-5);
  }
  SECTION("forced relaxation: TIME advances inside the step") {
    const auto errors = final_errors(forced_model(), "x", forced_exact, Method::RK4,
                                     {1.0 / 16, 1.0 / 32, 1.0 / 64});
    check_ratios(errors, 14, 18);
  }
}

TEST_CASE("Dopri5 meets tighter tolerances with smaller errors", "[convergence][dopri5]") {
  const auto program = h2sim::compile_model(logistic_model());
  auto options = with_method(Method::Dopri5);
  options.save_every = 0.5;
  options.relative_tolerance = 1e-4;
  options.absolute_tolerance = 1e-6;
  const auto loose = h2sim::simulate(program, options);
  options.relative_tolerance = 1e-10;
  options.absolute_tolerance = 1e-12;
  const auto tight = h2sim::simulate(program, options);
  REQUIRE(loose.times.size() == 11);
  REQUIRE(tight.times.size() == 11);
  double loose_error = 0, tight_error = 0;
  for (std::size_t row = 0; row < tight.times.size(); ++row) {
    const double t = tight.times[row];
    CHECK(t == loose.times[row]);
    loose_error =
        std::max(loose_error, std::abs(loose.at(row, column_of(loose, "P")) - logistic_exact(t)));
    tight_error =
        std::max(tight_error, std::abs(tight.at(row, column_of(tight, "P")) - logistic_exact(t)));
  }
  INFO("max error at rtol 1e-4: " << loose_error << ", at rtol 1e-10: " << tight_error);
  CHECK(loose_error < 1e-3);
  CHECK(tight_error < 1e-8);
  CHECK(tight_error < loose_error);
}
