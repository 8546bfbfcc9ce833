// The equation language: precedence, associativity, numbers, names.
#include "test_support.hpp"

using h2sim::Method;
using namespace h2test;

namespace {

// Value of `equation` at the start of a one-step run (alongside a constant `three`).
double evaluate(const std::string& equation) {
  auto model = make_model(0.0, 1.0, 1.0, Method::Euler);
  model.add_constant("three", 3);
  model.add_stock("dummy", "0", {"dummy inflow"});
  model.add_flow("dummy inflow", "1");
  model.add_auxiliary("probe", equation);
  const auto result = run(model);
  return result.at(0, column_of(result, "probe"));
}

}  // namespace

TEST_CASE("arithmetic precedence and associativity", "[parser]") {
  const std::vector<std::pair<std::string, double>> cases = {
      {"2 + 3 * 4", 14},
      {"(2 + 3) * 4", 20},
      {"2 * 3 ^ 2", 18},
      {"(2 * 3) ^ 2", 36},
      {"2 ^ 3 + 1", 9},
      {"10 - 4 - 3", 3},
      {"64 / 4 / 2", 8},
      {"10 - 2 * 3 + 1", 5},
      {"-3 + 5", 2},
      {"2 * -3", -6},
      {"-(2 + 3)", -5},
      {"- three * 2", -6},
      {"2 ^ 0.5 * 2 ^ 0.5", 2},
      {"1.5e2", 150},
      {"2.5E-1", 0.25},
      {"0.5", 0.5},
      {".5", 0.5},
      {"007", 7},
      {"((((1))))", 1},
      {"2 *\n  3", 6},
      {"  three  ", 3},
      {"three * three", 9},
      // MOD is also an infix operator, at the level of * and / (XMILE).
      {"7 MOD 3", 1},
      {"2 + 7 mod 3 * 2", 4},
  };
  for (const auto& [equation, expected] : cases) {
    INFO("equation '" << equation << "'");
    H2_CHECK_NEAR(evaluate(equation), expected, 1e-12);
  }
}

TEST_CASE("exponentiation binds tighter than unary minus", "[parser]") {
  // XMILE 1.0 operator precedence puts ^ above the unary operators; the SD conformance
  // case tests/exponentiation (../shared/sd-test-models) expects -2^2 = -4.
  H2_CHECK_NEAR(evaluate("-2 ^ 2"), -4, 1e-12);
  H2_CHECK_NEAR(evaluate("-three ^ 2"), -9, 1e-12);
  H2_CHECK_NEAR(evaluate("(-2) ^ 2"), 4, 1e-12);
  H2_CHECK_NEAR(evaluate("2 ^ -1"), 0.5, 1e-12);
  H2_CHECK_NEAR(evaluate("1 - 2 ^ 2"), -3, 1e-12);
}

TEST_CASE("logical precedence: not before and before or", "[parser]") {
  const std::vector<std::pair<std::string, double>> cases = {
      // and binds tighter than or: (false and false) or true.
      {"IF 1 > 2 and 1 > 2 or 1 < 2 THEN 1 ELSE 0", 1},
      // and binds tighter than or: true or (false and false).
      {"IF 1 < 2 or 1 > 2 and 1 > 2 THEN 1 ELSE 0", 1},
      {"IF (1 < 2 or 1 > 2) and 1 > 2 THEN 1 ELSE 0", 0},
      {"IF not (1 > 2) THEN 1 ELSE 0", 1},
      {"IF not (1 < 2) or 2 > 1 THEN 1 ELSE 0", 1},
      {"IF 1 + 1 = 2 THEN 1 ELSE 0", 1},
      {"IF 2 * 3 > 5 THEN 1 ELSE 0", 1},
      {"IF three <> 3 THEN 1 ELSE 0", 0},
      {"IF three >= 3 AND three <= 3 THEN 7 ELSE 8", 7},
      {"IF 1 > 2 THEN 1 ELSE IF 2 > 1 THEN 2 ELSE 3", 2},
      {"1 + IF three > 2 THEN 10 ELSE 20", 11},
      {"(IF three > 2 THEN 10 ELSE 20) * 2", 20},
  };
  for (const auto& [equation, expected] : cases) {
    INFO("equation '" << equation << "'");
    H2_CHECK_NEAR(evaluate(equation), expected, 1e-12);
  }
}

TEST_CASE("function names and keywords are case-insensitive", "[parser]") {
  H2_CHECK_NEAR(evaluate("max(1, 2) + Min(5, 4) + ABS(-1)"), 7, 1e-12);
  H2_CHECK_NEAR(evaluate("if three > 2 then 1 else 0"), 1, 1e-12);
  H2_CHECK_NEAR(evaluate("If THREE > 2 Then 1 Else 0"), 1, 1e-12);
  H2_CHECK_NEAR(evaluate("Sqrt(16) * pi / PI"), 4, 1e-12);
}

TEST_CASE("variable names: case, spaces and underscores", "[parser][names]") {
  CHECK(h2sim::canonical_name("Birth Rate") == h2sim::canonical_name("birth_rate"));
  CHECK(h2sim::canonical_name("BIRTH_RATE") == h2sim::canonical_name("birth rate"));
  CHECK(h2sim::canonical_name("  Birth Rate ") == h2sim::canonical_name("birth rate"));
  CHECK(h2sim::canonical_name("\"Birth Rate\"") == h2sim::canonical_name("birth rate"));
  CHECK(h2sim::canonical_name("Birth Rate") != h2sim::canonical_name("birthrate"));

  auto model = make_model(0.0, 2.0, 1.0, Method::Euler);
  model.add_constant("Birth Rate", 0.5);
  model.add_stock("Population", "100", {"Births"});
  model.add_flow("Births", "BIRTH_RATE * population");
  model.add_auxiliary("doubled rate", "birth_rate * 2");
  model.add_auxiliary("quoted", "\"birth rate\" * 4");
  REQUIRE(model.find("birth_rate") != nullptr);
  REQUIRE(model.find("BIRTH RATE") != nullptr);
  CHECK(model.find("birth_rate")->name == "Birth Rate");
  CHECK(model.find("deaths") == nullptr);

  const auto result = run(model);
  H2_CHECK_NEAR(value_at(result, "population", 2.0), 225.0, 1e-12);
  H2_CHECK_NEAR(value_at(result, "Population", 1.0), 150.0, 1e-12);
  H2_CHECK_NEAR(value_at(result, "doubled_rate", 0.0), 1.0, 1e-12);
  H2_CHECK_NEAR(value_at(result, "quoted", 0.0), 2.0, 1e-12);
  CHECK(result.find("births") == result.find("BIRTHS"));
  // Overrides take names in any spelling.
  const auto overridden = run(model, {}, {{"birth_rate", 1.0}});
  H2_CHECK_NEAR(value_at(overridden, "population", 2.0), 400.0, 1e-12);
}

TEST_CASE("parse_equation keeps the text it parsed", "[parser]") {
  CHECK(h2sim::parse_equation("1 + 2") != nullptr);
  auto model = make_model(0.0, 1.0, 1.0, Method::Euler);
  model.add_auxiliary("price", "3 * 4");
  const auto* price = model.find("price");
  REQUIRE(price != nullptr);
  CHECK(price->equation.text() == "3 * 4");
  CHECK(price->equation.tree() != nullptr);
  CHECK(price->kind == h2sim::VariableKind::Auxiliary);
  model.set_equation("price", "5 + 1");
  CHECK(model.find("price")->equation.text() == "5 + 1");
  const auto result = run(model);
  H2_CHECK_NEAR(final_value(result, "price"), 6, 1e-12);
}

TEST_CASE("integration method names", "[parser]") {
  CHECK(h2sim::parse_method("euler") == Method::Euler);
  CHECK(h2sim::parse_method("Euler") == Method::Euler);
  CHECK(h2sim::parse_method("RK4") == Method::RK4);
  CHECK(h2sim::parse_method("runge-kutta-4") == Method::RK4);
  CHECK(h2sim::parse_method("dopri5") == Method::Dopri5);
  CHECK(h2sim::parse_method("rk45") == Method::Dopri5);
  CHECK(h2sim::parse_method("Rosenbrock4") == Method::Rosenbrock4);
  for (const Method method : {Method::Euler, Method::RK4, Method::Dopri5, Method::Rosenbrock4}) {
    CHECK(h2sim::parse_method(h2sim::to_string(method)) == method);
  }
}

TEST_CASE("units travel from the model to the results", "[parser][units]") {
  auto model = make_model(0.0, 1.0, 0.5, Method::Euler);
  model.add_stock("fleet", "10", {"sales"}).with_units("vehicles");
  model.add_flow("sales", "2").with_units("vehicles/year");
  const auto program = h2sim::compile_model(model);
  const int fleet = program.find_output("fleet");
  REQUIRE(fleet >= 0);
  CHECK(program.outputs()[static_cast<std::size_t>(fleet)].units == "vehicles");
  CHECK(program.outputs()[static_cast<std::size_t>(fleet)].kind == h2sim::VariableKind::Stock);
  const auto result = h2sim::simulate(program);
  const int sales = column_of(result, "sales");
  REQUIRE(result.values.size() == result.times.size() * result.names.size());
  CHECK(result.units.size() == result.names.size());
  CHECK(result.column("fleet") == result.matrix().col(column_of(result, "fleet")));
  H2_CHECK_NEAR(result.column("fleet")(2), 12.0, 1e-12);
  CHECK(result.units[static_cast<std::size_t>(sales)] == "vehicles/year");
  CHECK(program.stock_count() == 1);
}
