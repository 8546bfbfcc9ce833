// Conservation: what a stock gains is what its flows carried, step by step.
#include "test_support.hpp"

using h2sim::Method;
using namespace h2test;

namespace {

h2sim::Model population_model(double dt) {
  auto model = make_model(0.0, 20.0, dt, Method::Euler);
  model.add_constant("birth rate", 0.03);
  model.add_constant("lifetime", 40);
  model.add_stock("population", "1000", {"births", "immigration"}, {"deaths"});
  model.add_flow("births", "birth_rate * population");
  model.add_flow("immigration", "20 * SIN(TIME) + 5");
  model.add_flow("deaths", "population / lifetime");
  return model;
}

h2sim::Model epidemic_model() {
  auto model = make_model(0.0, 50.0, 0.125, Method::Euler, 0.5);
  model.add_constant("contact rate", 0.5);
  model.add_constant("duration", 5);
  model.add_stock("susceptible", "990", {}, {"infection"});
  model.add_stock("infected", "10", {"infection"}, {"recovery"});
  model.add_stock("recovered", "0", {"recovery"});
  model.add_auxiliary("total", "susceptible + infected + recovered");
  model.add_flow("infection", "contact_rate * susceptible * infected / total");
  model.add_flow("recovery", "infected / duration");
  return model;
}

}  // namespace

TEST_CASE("Euler: each step changes a stock by its net flow times dt", "[conservation][euler]") {
  const double dt = 0.125;
  const auto result = run(population_model(dt));
  REQUIRE(result.times.size() == 161);
  const int stock = column_of(result, "population");
  const int births = column_of(result, "births");
  const int immigration = column_of(result, "immigration");
  const int deaths = column_of(result, "deaths");

  double carried = 0;
  for (std::size_t n = 0; n + 1 < result.times.size(); ++n) {
    const double net = result.at(n, births) + result.at(n, immigration) - result.at(n, deaths);
    INFO("step " << n << " at t = " << result.times[n]);
    H2_CHECK_NEAR(result.at(n + 1, stock) - result.at(n, stock), net * dt,
                  1e-9 * std::abs(result.at(n, stock)));
    carried += net * dt;
  }
  const double change = result.at(result.times.size() - 1, stock) - result.at(0, stock);
  H2_CHECK_REL(change, carried, 1e-9);
  // The flows do something: the test would pass vacuously if everything were zero.
  CHECK(std::abs(change) > 100);
  // The reported flows are the equations at the saved time.
  H2_CHECK_NEAR(value_at(result, "immigration", 2.5), 20 * std::sin(2.5) + 5, 1e-12);
  H2_CHECK_REL(value_at(result, "births", 2.5), 0.03 * value_at(result, "population", 2.5), 1e-14);
}

TEST_CASE("saving less often than dt reports the same states", "[conservation]") {
  const Method method = GENERATE(Method::Euler, Method::RK4);
  INFO("method " << h2sim::to_string(method));
  auto every_step = population_model(0.125);
  auto every_year = population_model(0.125);
  every_step.time().method = method;
  every_year.time().method = method;
  every_year.time().save_every = 1.0;
  const auto fine = run(every_step);
  const auto coarse = run(every_year);
  REQUIRE(coarse.times.size() == 21);
  REQUIRE(coarse.names == fine.names);
  for (std::size_t row = 0; row < coarse.times.size(); ++row) {
    const double t = coarse.times[row];
    INFO("t = " << t);
    CHECK(t == static_cast<double>(row));
    for (std::size_t column = 0; column < coarse.names.size(); ++column) {
      INFO(coarse.names[column]);
      CHECK(coarse.at(row, static_cast<Eigen::Index>(column)) ==
            fine.at(row_at(fine, t), static_cast<Eigen::Index>(column)));
    }
  }
}

TEST_CASE("a closed system keeps its total under every method", "[conservation]") {
  const auto program = h2sim::compile_model(epidemic_model());
  for (const Method method : {Method::Euler, Method::RK4, Method::Dopri5, Method::Rosenbrock4}) {
    INFO("method " << h2sim::to_string(method));
    auto options = with_method(method);
    const auto result = h2sim::simulate(program, options);
    REQUIRE(result.times.size() == 101);
    const int s = column_of(result, "susceptible");
    const int i = column_of(result, "infected");
    const int r = column_of(result, "recovered");
    const int total = column_of(result, "total");
    const int infection = column_of(result, "infection");
    for (std::size_t row = 0; row < result.times.size(); ++row) {
      INFO("t = " << result.times[row]);
      const double sum = result.at(row, s) + result.at(row, i) + result.at(row, r);
      H2_CHECK_REL(sum, 1000.0, method == Method::Rosenbrock4 ? 1e-8 : 1e-11);
      // Auxiliaries and flows in a row are computed from the stocks of that row.
      H2_CHECK_REL(result.at(row, total), sum, 1e-14);
      H2_CHECK_REL(result.at(row, infection),
                   0.5 * result.at(row, s) * result.at(row, i) / result.at(row, total), 1e-14);
    }
    // An epidemic with R0 = 2.5 infects most of the population.
    CHECK(final_value(result, "recovered") > 800);
  }
}

TEST_CASE("non-negative stocks are clamped at zero, uniflows never go negative",
          "[conservation][non_negative]") {
  const Method method = GENERATE(Method::Euler, Method::RK4);
  INFO("method " << h2sim::to_string(method));
  auto model = make_model(0.0, 5.0, 0.25, method);
  model.add_stock("tank", "3", {}, {"drain"}).with_non_negative();
  model.add_flow("drain", "1.3");
  model.add_stock("free tank", "3", {}, {"free drain"});
  model.add_flow("free drain", "1.3");
  model.add_stock("filled", "0", {"filling"});
  model.add_flow("filling", "2 - TIME").with_non_negative();
  model.add_stock("signed", "0", {"signed filling"});
  model.add_flow("signed filling", "2 - TIME");
  const auto result = run(model);

  // Constant flows integrate the same under both methods:
  // 3 - 1.3 * 0.25 * 9 = 0.075 at t = 2.25; the next step would reach -0.25.
  H2_CHECK_NEAR(value_at(result, "tank", 2.25), 0.075, 1e-12);
  for (double t = 2.5; t <= 5; t += 0.25) {
    INFO("t = " << t);
    CHECK(value_at(result, "tank", t) == 0.0);
  }
  H2_CHECK_NEAR(value_at(result, "free tank", 2.5), -0.25, 1e-12);
  H2_CHECK_NEAR(final_value(result, "free tank"), 3 - 1.3 * 5, 1e-12);

  for (double t = 0; t <= 5; t += 0.25) {
    INFO("t = " << t);
    H2_CHECK_NEAR(value_at(result, "filling", t), std::max(0.0, 2 - t), 1e-12);
    H2_CHECK_NEAR(value_at(result, "signed filling", t), 2 - t, 1e-12);
    CHECK(value_at(result, "filled", t) >= 0.0);
  }
  if (method == Method::Euler) {
    // Euler sums 0.25 * (2 - t) over t = 0, 0.25, ..., 1.75: 0.25 * (2 + 1.75 + ... + 0.25).
    H2_CHECK_NEAR(final_value(result, "filled"), 2.25, 1e-12);
    // The signed flow also sums the negative part from t = 2.25 to 4.75:
    // -0.25 * (0.25 + ... + 2.75).
    H2_CHECK_NEAR(final_value(result, "signed"), 2.25 - 0.25 * 16.5, 1e-12);
  } else {
    // RK4 integrates the linear flow exactly: the integral of max(0, 2 - t) is 2, of 2 - t
    // over 0..5 is -2.5.
    H2_CHECK_NEAR(final_value(result, "filled"), 2.0, 1e-12);
    H2_CHECK_NEAR(final_value(result, "signed"), -2.5, 1e-12);
  }
}
