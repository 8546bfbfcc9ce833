// Closed-form solutions: exponential decay, logistic growth, Bass diffusion, and the
// step responses of the SMOOTH and DELAY families.
#include "test_support.hpp"

using h2sim::Method;
using namespace h2test;

namespace {

h2sim::Model decay_model(Method method, double dt) {
  auto model = make_model(0.0, 10.0, dt, method);
  model.add_constant("k", 0.5);
  model.add_stock("x", "100", {}, {"decay"});
  model.add_flow("decay", "k * x");
  return model;
}

h2sim::Model bass_model(Method method, double dt, double save_every = 0.0) {
  auto model = make_model(0.0, 10.0, dt, method, save_every);
  model.add_constant("p", 0.03);
  model.add_constant("q", 0.38);
  model.add_stock("F", "0", {"adoption"});
  model.add_flow("adoption", "(p + q * F) * (1 - F)");
  return model;
}

// Bass diffusion with F(0) = 0.
double bass_exact(double p, double q, double t) {
  const double e = std::exp(-(p + q) * t);
  return (1 - e) / (1 + (q / p) * e);
}

// Probability that an Erlang(n, rate 1/tau) time is at most t: the unit step response
// of an n-th order SMOOTH or DELAY with stage time tau that starts at zero.
double erlang_step(int n, double tau, double t) {
  const double x = t / tau;
  double term = 1, sum = 0;
  for (int k = 0; k < n; ++k) {
    sum += term;
    term *= x / (k + 1);
  }
  return 1 - std::exp(-x) * sum;
}

}  // namespace

TEST_CASE("exponential decay under Euler is exactly the discrete solution 100 (1 - k dt)^n",
          "[closed_form][euler]") {
  const double dt = 0.25;
  const auto result = run(decay_model(Method::Euler, dt));
  REQUIRE(result.times.size() == 41);
  const int x = column_of(result, "x");
  const int decay = column_of(result, "decay");
  for (std::size_t n = 0; n < result.times.size(); ++n) {
    INFO("n = " << n);
    H2_CHECK_NEAR(result.times[n], dt * static_cast<double>(n), 1e-12);
    const double expected = 100 * std::pow(1 - 0.5 * dt, static_cast<double>(n));
    H2_CHECK_REL(result.at(n, x), expected, 1e-12);
    // Flows are reported at the time they are computed from: k * x(t).
    H2_CHECK_REL(result.at(n, decay), 0.5 * expected, 1e-12);
  }
}

// Euler is x + dt * f(x) in IEEE doubles, nothing more: the simulator's step (the state kept
// in the stock slots) gives the bits of the same recursion written out by hand, in single
// runs and on every lane of a batch.
TEST_CASE("Euler gives the bits of x + dt * f(x) written by hand", "[closed_form][euler]") {
  const double dt = 0.25;
  auto model = bass_model(Method::Euler, dt);
  const h2sim::Program program = h2sim::compile_model(model);
  const auto result = h2sim::simulate(program);
  const int f = column_of(result, "F");
  double x = 0;
  for (std::size_t n = 0; n < result.times.size(); ++n) {
    INFO("n = " << n);
    CHECK(result.at(n, f) == x);
    const double adoption = (0.03 + 0.38 * x) * (1 - x);
    x = x + dt * adoption;
  }
  h2sim::ParameterTable table;
  table.names = {"q"};
  table.values = Eigen::MatrixXd::Constant(9, 1, 0.38);  // past one block of 8 lanes
  const auto lanes = h2sim::simulate_batch(program, table);
  for (std::size_t lane = 0; lane < 9; ++lane)
    for (std::size_t n = 0; n < result.times.size(); ++n)
      CHECK(lanes.at(lane, n, static_cast<std::size_t>(f)) == result.at(n, f));
}

TEST_CASE("exponential decay under RK4 follows the RK4 amplification factor and exp(-k t)",
          "[closed_form][rk4]") {
  const double dt = 1.0 / 64;
  const auto result = run(decay_model(Method::RK4, dt));
  REQUIRE(result.times.size() == 641);
  const double z = 0.5 * dt;
  const double amplification = 1 - z + z * z / 2 - z * z * z / 6 + z * z * z * z / 24;
  const int x = column_of(result, "x");
  for (std::size_t n = 0; n < result.times.size(); n += 16) {
    INFO("t = " << result.times[n]);
    H2_CHECK_REL(result.at(n, x), 100 * std::pow(amplification, static_cast<double>(n)), 1e-12);
    H2_CHECK_REL(result.at(n, x), 100 * std::exp(-0.5 * result.times[n]), 1e-9);
  }
  H2_CHECK_NEAR(final_time(result), 10.0, 1e-12);
}

TEST_CASE("logistic growth matches K / (1 + (K/P0 - 1) exp(-r t))", "[closed_form]") {
  const double r = 0.8, capacity = 1000, initial = 10;
  auto model = make_model(0.0, 15.0, 1.0 / 64, Method::RK4);
  model.add_constant("r", r);
  model.add_constant("capacity", capacity);
  model.add_stock("population", "10", {"growth"});
  model.add_flow("growth", "r * population * (1 - population / capacity)");
  const auto exact = [&](double t) {
    return capacity / (1 + (capacity / initial - 1) * std::exp(-r * t));
  };

  SECTION("RK4, dt 1/64") {
    const auto result = run(model);
    for (double t = 0; t <= 15; t += 1) {
      INFO("t = " << t);
      H2_CHECK_REL(value_at(result, "population", t), exact(t), 1e-8);
    }
  }
  SECTION("Dopri5, rtol 1e-10") {
    auto options = with_method(Method::Dopri5);
    options.save_every = 1.0;
    options.relative_tolerance = 1e-10;
    options.absolute_tolerance = 1e-10;
    const auto result = run(model, options);
    REQUIRE(result.times.size() == 16);
    for (double t = 0; t <= 15; t += 1) {
      INFO("t = " << t);
      H2_CHECK_REL(value_at(result, "population", t), exact(t), 1e-6);
    }
  }
}

TEST_CASE("Bass diffusion reaches F(10) = 0.812803 for p = 0.03, q = 0.38", "[closed_form]") {
  const double published = 0.812803;  // closed form, 0.8128032212 to 10 digits
  REQUIRE(std::abs(bass_exact(0.03, 0.38, 10) - published) < 1e-6);

  SECTION("RK4, dt 1/64") {
    const auto result = run(bass_model(Method::RK4, 1.0 / 64));
    H2_CHECK_NEAR(final_time(result), 10.0, 1e-12);
    H2_CHECK_NEAR(final_value(result, "F"), published, 1e-6);
    H2_CHECK_NEAR(final_value(result, "F"), bass_exact(0.03, 0.38, 10), 1e-9);
    for (double t = 1; t <= 10; t += 1) {
      INFO("t = " << t);
      H2_CHECK_NEAR(value_at(result, "F", t), bass_exact(0.03, 0.38, t), 1e-9);
    }
  }
  SECTION("Dopri5, adaptive, saved every year") {
    auto options = with_method(Method::Dopri5);
    options.relative_tolerance = 1e-8;
    options.absolute_tolerance = 1e-10;
    options.save_every = 1.0;
    const auto result = run(bass_model(Method::RK4, 0.25), options);
    REQUIRE(result.times.size() == 11);
    H2_CHECK_NEAR(final_value(result, "F"), published, 1e-6);
    for (double t = 0; t <= 10; t += 1) {
      INFO("t = " << t);
      H2_CHECK_NEAR(value_at(result, "F", t), bass_exact(0.03, 0.38, t), 1e-6);
    }
  }
  SECTION("Dopri5 at the default tolerances") {
    const auto result = run(bass_model(Method::Dopri5, 0.25));
    H2_CHECK_NEAR(final_value(result, "F"), bass_exact(0.03, 0.38, 10), 1e-5);
  }
  SECTION("Rosenbrock4") {
    auto options = with_method(Method::Rosenbrock4);
    options.relative_tolerance = 1e-8;
    options.absolute_tolerance = 1e-10;
    options.save_every = 1.0;
    const auto result = run(bass_model(Method::Euler, 0.25), options);
    H2_CHECK_NEAR(final_value(result, "F"), published, 1e-6);
  }
  SECTION("Euler at dt 1/64 is first order: close, but not RK4-close") {
    const auto result = run(bass_model(Method::Euler, 1.0 / 64));
    const double error = std::abs(final_value(result, "F") - bass_exact(0.03, 0.38, 10));
    INFO("Euler error " << error);
    CHECK(error < 1e-2);
    CHECK(error > 1e-5);
  }
}

TEST_CASE("a stiff linear system under Rosenbrock4 matches its closed form", "[closed_form]") {
  // slow' = -slow, fast' = -1000 (fast - slow); slow(0) = 1, fast(0) = 0.
  // fast(t) = 1000/999 (exp(-t) - exp(-1000 t)).
  auto model = make_model(0.0, 2.0, 0.125, Method::Rosenbrock4, 0.25);
  model.add_stock("slow", "1", {}, {"slow decay"});
  model.add_flow("slow decay", "slow");
  model.add_stock("fast", "0", {"relaxation"});
  model.add_flow("relaxation", "-1000 * (fast - slow)");
  h2sim::SimulationOptions options;
  options.relative_tolerance = 1e-8;
  options.absolute_tolerance = 1e-10;
  const auto result = run(model, options);
  REQUIRE(result.times.size() == 9);
  for (double t = 0.25; t <= 2.0; t += 0.25) {
    INFO("t = " << t);
    H2_CHECK_REL(value_at(result, "slow", t), std::exp(-t), 1e-6);
    H2_CHECK_REL(value_at(result, "fast", t), 1000.0 / 999.0 * (std::exp(-t) - std::exp(-1000 * t)),
                 1e-6);
  }
}

TEST_CASE("SMTH1 and DELAY1 step responses are 1 - exp(-t/T)", "[closed_form][builtins]") {
  auto model = make_model(0.0, 10.0, 1.0 / 64, Method::RK4);
  model.add_constant("input", 1);
  model.add_auxiliary("smoothed", "SMTH1(input, 2, 0)");
  model.add_auxiliary("delayed", "DELAY1(input, 2, 0)");

  SECTION("RK4, dt 1/64") {
    const auto result = run(model);
    for (double t = 0; t <= 10; t += 0.5) {
      INFO("t = " << t);
      H2_CHECK_NEAR(value_at(result, "smoothed", t), 1 - std::exp(-t / 2), 1e-9);
      H2_CHECK_NEAR(value_at(result, "delayed", t), 1 - std::exp(-t / 2), 1e-9);
    }
  }
  SECTION("Euler: exactly 1 - (1 - dt/T)^n") {
    auto options = with_method(Method::Euler);
    options.dt = 0.25;
    const auto result = run(model, options);
    REQUIRE(result.times.size() == 41);
    for (std::size_t n = 0; n < result.times.size(); ++n) {
      INFO("n = " << n);
      const double expected = 1 - std::pow(1 - 0.25 / 2, static_cast<double>(n));
      H2_CHECK_NEAR(result.at(n, column_of(result, "smoothed")), expected, 1e-12);
      H2_CHECK_NEAR(result.at(n, column_of(result, "delayed")), expected, 1e-12);
    }
  }
}

TEST_CASE("SMTH1 and DELAY1 of a ramp lag it by T: t - T (1 - exp(-t/T))",
          "[closed_form][builtins]") {
  // The input moves inside each RK4 step, so this also checks that the internal stocks
  // of SMTH1 and DELAY1 see the input at the stage times.
  auto model = make_model(0.0, 10.0, 1.0 / 32, Method::RK4);
  model.add_auxiliary("smoothed", "SMTH1(TIME, 2, 0)");
  model.add_auxiliary("delayed", "DELAY1(TIME, 2, 0)");
  const auto result = run(model);
  for (double t = 0; t <= 10; t += 0.5) {
    INFO("t = " << t);
    const double expected = t - 2 * (1 - std::exp(-t / 2));
    H2_CHECK_NEAR(value_at(result, "smoothed", t), expected, 1e-9);
    H2_CHECK_NEAR(value_at(result, "delayed", t), expected, 1e-9);
  }
}

TEST_CASE("simulation options override the model's clock", "[closed_form]") {
  const auto program = h2sim::compile_model(decay_model(Method::Euler, 0.25));
  h2sim::SimulationOptions options;
  options.start = 1;
  options.stop = 3;
  options.dt = 0.5;
  const auto result = h2sim::simulate(program, options);
  REQUIRE(result.times.size() == 5);
  for (Eigen::Index n = 0; n < 5; ++n) {
    INFO("n = " << n);
    CHECK(result.times[n] == 1 + 0.5 * static_cast<double>(n));
    H2_CHECK_REL(result.at(n, column_of(result, "x")), 100 * std::pow(0.75, static_cast<double>(n)),
                 1e-12);
  }
}

TEST_CASE("decimal dt and save_every that are not binary fractions", "[closed_form]") {
  // 0.3 / 0.1 is 2.9999999999999996 in doubles: a multiple all the same.
  const auto program = h2sim::compile_model(decay_model(Method::Euler, 0.1));
  h2sim::SimulationOptions options;
  options.stop = 3;
  options.save_every = 0.3;
  const auto result = h2sim::simulate(program, options);
  REQUIRE(result.times.size() == 11);
  for (Eigen::Index k = 0; k < 11; ++k) {
    INFO("k = " << k);
    H2_CHECK_NEAR(result.times[k], 0.3 * static_cast<double>(k), 1e-12);
    H2_CHECK_REL(result.at(k, column_of(result, "x")),
                 100 * std::pow(0.95, 3.0 * static_cast<double>(k)), 1e-12);
  }
}

TEST_CASE("third- and n-th order smooths and delays follow the Erlang step response",
          "[closed_form][builtins]") {
  auto model = make_model(0.0, 12.0, 1.0 / 64, Method::RK4);
  model.add_constant("input", 1);
  model.add_auxiliary("smooth3", "SMTH3(input, 3, 0)");
  model.add_auxiliary("delay3", "DELAY3(input, 3, 0)");
  model.add_auxiliary("smooth5", "SMTHN(input, 3, 5, 0)");
  model.add_auxiliary("delay5", "DELAYN(input, 3, 5, 0)");
  const auto result = run(model);
  for (double t = 0; t <= 12; t += 0.5) {
    INFO("t = " << t);
    H2_CHECK_NEAR(value_at(result, "smooth3", t), erlang_step(3, 1.0, t), 1e-9);
    H2_CHECK_NEAR(value_at(result, "delay3", t), erlang_step(3, 1.0, t), 1e-9);
    H2_CHECK_NEAR(value_at(result, "smooth5", t), erlang_step(5, 0.6, t), 1e-9);
    H2_CHECK_NEAR(value_at(result, "delay5", t), erlang_step(5, 0.6, t), 1e-9);
  }
}

TEST_CASE("smooths and delays settle at their input", "[closed_form][builtins]") {
  // The input steps from 1 to 5 at t = 1; every smooth and delay starts at 0 and must
  // end at 5 (60 time units is 20 averaging times).
  auto model = make_model(0.0, 60.0, 0.125, Method::RK4);
  model.add_auxiliary("input", "1 + STEP(4, 1)");
  const std::vector<std::pair<std::string, std::string>> probes = {
      {"s1", "SMTH1(input, 3, 0)"},      {"s3", "SMTH3(input, 3, 0)"},
      {"sn", "SMTHN(input, 3, 4, 0)"},   {"d1", "DELAY1(input, 3, 0)"},
      {"d3", "DELAY3(input, 3, 0)"},     {"dn", "DELAYN(input, 3, 4, 0)"},
      {"pipeline", "DELAY(input, 3, 0)"}};
  for (const auto& [name, equation] : probes) model.add_auxiliary(name, equation);
  const auto result = run(model);
  for (const auto& [name, equation] : probes) {
    INFO(name << " = " << equation);
    H2_CHECK_NEAR(value_at(result, name, 0.0), 0.0, 1e-12);
    H2_CHECK_NEAR(final_value(result, name), 5.0, 1e-6);
  }
}

TEST_CASE("smooths and delays without an initial value start in equilibrium with the input",
          "[closed_form][builtins]") {
  auto model = make_model(0.0, 10.0, 0.25, Method::Euler);
  model.add_constant("input", 5);
  const std::vector<std::pair<std::string, std::string>> probes = {
      {"s1", "SMTH1(input, 3)"},      {"s3", "SMTH3(input, 3)"},  {"sn", "SMTHN(input, 3, 4)"},
      {"d1", "DELAY1(input, 3)"},     {"d3", "DELAY3(input, 3)"}, {"dn", "DELAYN(input, 3, 4)"},
      {"pipeline", "DELAY(input, 3)"}};
  for (const auto& [name, equation] : probes) model.add_auxiliary(name, equation);
  const auto result = run(model);
  for (const auto& [name, equation] : probes) {
    INFO(name << " = " << equation);
    for (std::size_t n = 0; n < result.times.size(); ++n) {
      INFO("t = " << result.times[n]);
      H2_CHECK_NEAR(result.at(n, column_of(result, name)), 5.0, 1e-12);
    }
  }
}

TEST_CASE("DELAY is a pipeline: the input of DT-multiples ago", "[closed_form][builtins]") {
  auto model = make_model(0.0, 8.0, 0.25, Method::Euler);
  model.add_auxiliary("input", "TIME * TIME");
  model.add_auxiliary("late", "DELAY(input, 2, -1)");
  const auto result = run(model);
  for (std::size_t n = 0; n < result.times.size(); ++n) {
    const double t = result.times[n];
    INFO("t = " << t);
    const double expected = t < 2 ? -1.0 : (t - 2) * (t - 2);
    H2_CHECK_NEAR(result.at(n, column_of(result, "late")), expected, 1e-12);
  }
}

TEST_CASE("DELAY3 of a shipment conserves material", "[closed_form][conservation][builtins]") {
  // 10 units/year for five years go into a third-order delay of 4 years; everything
  // sent must eventually arrive (the delay holds exp(-71)-small amounts at t = 100).
  auto model = make_model(0.0, 100.0, 0.25, Method::Euler);
  model.add_stock("sent", "0", {"shipping"});
  model.add_flow("shipping", "IF TIME < 5 THEN 10 ELSE 0");
  model.add_stock("received", "0", {"arriving"});
  model.add_flow("arriving", "DELAY3(shipping, 4, 0)");

  for (const Method method : {Method::Euler, Method::RK4}) {
    INFO("method " << h2sim::to_string(method));
    const auto result = run(model, with_method(method));
    if (method == Method::Euler) {
      // Euler sees the flow at the start of each step: 20 steps of 10 * 0.25.
      H2_CHECK_NEAR(final_value(result, "sent"), 50.0, 1e-12);
    }
    const double sent = final_value(result, "sent");
    CHECK(sent > 45.0);
    // In transit at t = 5: not everything has arrived yet.
    CHECK(value_at(result, "received", 5.0) < 0.9 * value_at(result, "sent", 5.0));
    H2_CHECK_REL(final_value(result, "received"), sent, 1e-9);
  }
}
