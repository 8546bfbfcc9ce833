// Builtin functions against hand-derived values at every saved time (Euler, dt 0.25,
// where auxiliaries are reported from the state at the start of each step).
#include <functional>
#include <limits>

#include "test_support.hpp"

using h2sim::Method;
using namespace h2test;

namespace {

constexpr double not_checked = std::numeric_limits<double>::quiet_NaN();
const double pi = std::acos(-1.0);

struct Probe {
  std::string equation;
  std::function<double(double)> expected;  // NaN: not checked at that time
};

bool at(double t, double when) { return std::abs(t - when) < 1e-9; }

// Adds each probe as an auxiliary "probe<i>" to `model`, runs it, and compares every
// saved time (relative tolerance 1e-12, absolute near zero).
void check_probes(h2sim::Model model, const std::vector<Probe>& probes) {
  for (std::size_t i = 0; i < probes.size(); ++i) {
    model.add_auxiliary("probe" + std::to_string(i), probes[i].equation);
  }
  const auto result = run(model);
  REQUIRE(result.times.size() > 1);
  for (std::size_t i = 0; i < probes.size(); ++i) {
    INFO("probe" << i << " = " << probes[i].equation);
    const int column = column_of(result, "probe" + std::to_string(i));
    for (std::size_t row = 0; row < result.times.size(); ++row) {
      const double t = result.times[row];
      const double expected = probes[i].expected(t);
      if (std::isnan(expected)) continue;
      INFO("t = " << t);
      H2_CHECK_NEAR(result.at(row, column), expected, 1e-12 * std::max(1.0, std::abs(expected)));
    }
  }
}

std::function<double(double)> constant(double value) {
  return [value](double) { return value; };
}

// A plain model with one stock (level = 5 + t), Euler, 0..10, dt 0.25.
h2sim::Model clock_model(double start = 0.0, double stop = 10.0) {
  auto model = make_model(start, stop, 0.25, Method::Euler);
  model.add_stock("level", "5", {"growth"});
  model.add_flow("growth", "1");
  return model;
}

}  // namespace

TEST_CASE("STEP, RAMP and PULSE", "[builtins]") {
  check_probes(
      clock_model(),
      {
          {"STEP(3, 2)", [](double t) { return t >= 2 ? 3.0 : 0.0; }},
          {"STEP(-1.5, 4.5)", [](double t) { return t >= 4.5 ? -1.5 : 0.0; }},
          {"RAMP(2, 2, 5)", [](double t) { return t <= 2 ? 0.0 : (t < 5 ? 2 * (t - 2) : 6.0); }},
          {"RAMP(2, 2)", [](double t) { return std::max(0.0, 2 * (t - 2)); }},
          // XMILE PULSE: magnitude / DT during the one DT that starts at each pulse.
          {"PULSE(10, 2, 3)",
           [](double t) { return at(t, 2) || at(t, 5) || at(t, 8) ? 40.0 : 0.0; }},
          {"PULSE(10, 2)", [](double t) { return at(t, 2) ? 40.0 : 0.0; }},
      });
}

TEST_CASE("PULSE moves exactly its magnitude into a stock", "[builtins]") {
  auto model = clock_model();
  model.add_stock("pulsed", "0", {"pulse flow"});
  model.add_flow("pulse flow", "PULSE(10, 2, 3)");
  model.add_stock("single", "0", {"single flow"});
  model.add_flow("single flow", "PULSE(7, 1)");
  const auto result = run(model);
  H2_CHECK_NEAR(value_at(result, "pulsed", 2.0), 0.0, 1e-12);
  H2_CHECK_NEAR(value_at(result, "pulsed", 2.25), 10.0, 1e-12);
  H2_CHECK_NEAR(value_at(result, "pulsed", 5.0), 10.0, 1e-12);
  H2_CHECK_NEAR(value_at(result, "pulsed", 5.25), 20.0, 1e-12);
  H2_CHECK_NEAR(final_value(result, "pulsed"), 30.0, 1e-12);
  H2_CHECK_NEAR(final_value(result, "single"), 7.0, 1e-12);
}

TEST_CASE("TIME, DT, STARTTIME, STOPTIME", "[builtins]") {
  check_probes(clock_model(2000, 2006), {
                                            {"TIME", [](double t) { return t; }},
                                            {"DT", constant(0.25)},
                                            {"STARTTIME", constant(2000)},
                                            {"STOPTIME", constant(2006)},
                                            {"TIME - STARTTIME", [](double t) { return t - 2000; }},
                                        });
}

TEST_CASE("INIT and PREVIOUS", "[builtins]") {
  check_probes(
      clock_model(),
      {
          {"level", [](double t) { return 5 + t; }},
          {"INIT(level)", constant(5)},
          {"INIT(TIME)", constant(0)},
          {"PREVIOUS(level, -1)", [](double t) { return at(t, 0) ? -1.0 : 5 + t - 0.25; }},
          {"PREVIOUS(TIME)", [](double t) { return at(t, 0) ? not_checked : t - 0.25; }},
          {"PREVIOUS(level * 2, 0)", [](double t) { return at(t, 0) ? 0.0 : 2 * (5 + t - 0.25); }},
      });
}

TEST_CASE("MOD as a function", "[builtins]") {
  // The function form MOD(a, b) (Stella, and the builtin list of h2sim) next to the
  // XMILE infix operator `a MOD b` (tested in test_parser.cpp).
  check_probes(clock_model(), {
                                  {"MOD(TIME, 1)", [](double t) { return std::fmod(t, 1.0); }},
                                  {"MOD(7, 3)", constant(1)},
                                  {"MOD(7.5, 2)", constant(1.5)},
                                  {"TIME MOD 1", [](double t) { return std::fmod(t, 1.0); }},
                              });
}

TEST_CASE("INT, ROUND, ABS, MIN, MAX", "[builtins]") {
  check_probes(clock_model(),
               {
                   {"INT(TIME)", [](double t) { return std::floor(t); }},
                   {"INT(2.7)", constant(2)},
                   {"INT(TIME / 3)", [](double t) { return std::floor(t / 3); }},
                   {"ROUND(2.4)", constant(2)},
                   {"ROUND(2.6)", constant(3)},
                   {"ROUND(TIME + 0.1)", [](double t) { return std::round(t + 0.1); }},
                   {"ABS(TIME - 5)", [](double t) { return std::abs(t - 5); }},
                   {"ABS(-3)", constant(3)},
                   {"MIN(TIME, 3)", [](double t) { return std::min(t, 3.0); }},
                   {"MAX(TIME, 3)", [](double t) { return std::max(t, 3.0); }},
               });
}

TEST_CASE("elementary functions and PI", "[builtins]") {
  check_probes(clock_model(), {
                                  {"PI", constant(pi)},
                                  {"EXP(TIME / 10)", [](double t) { return std::exp(t / 10); }},
                                  {"LN(TIME + 1)", [](double t) { return std::log(t + 1); }},
                                  {"LN(EXP(2))", constant(2)},
                                  {"LOG10(1000)", constant(3)},
                                  {"LOG10(TIME + 1)", [](double t) { return std::log10(t + 1); }},
                                  {"SQRT(TIME)", [](double t) { return std::sqrt(t); }},
                                  {"SQRT(16)", constant(4)},
                                  {"SIN(TIME)", [](double t) { return std::sin(t); }},
                                  {"COS(TIME)", [](double t) { return std::cos(t); }},
                                  {"TAN(TIME / 10)", [](double t) { return std::tan(t / 10); }},
                                  {"SIN(PI / 2)", constant(1)},
                                  {"ARCSIN(TIME / 10)", [](double t) { return std::asin(t / 10); }},
                                  {"ARCCOS(TIME / 10)", [](double t) { return std::acos(t / 10); }},
                                  {"ARCTAN(TIME)", [](double t) { return std::atan(t); }},
                                  {"ARCTAN(1) * 4", constant(pi)},
                                  {"2 ^ (TIME / 2)", [](double t) { return std::pow(2.0, t / 2); }},
                              });
}

TEST_CASE("IF THEN ELSE, comparisons, and, or, not", "[builtins]") {
  check_probes(
      clock_model(),
      {
          {"IF TIME > 2 THEN 1 ELSE 0", [](double t) { return t > 2 ? 1.0 : 0.0; }},
          {"IF TIME >= 2 THEN 1 ELSE 0", [](double t) { return t >= 2 ? 1.0 : 0.0; }},
          {"IF TIME < 3 THEN 1 ELSE 0", [](double t) { return t < 3 ? 1.0 : 0.0; }},
          {"IF TIME <= 3 THEN 1 ELSE 0", [](double t) { return t <= 3 ? 1.0 : 0.0; }},
          {"IF TIME = 3 THEN 1 ELSE 0", [](double t) { return at(t, 3) ? 1.0 : 0.0; }},
          {"IF TIME <> 3 THEN 1 ELSE 0", [](double t) { return at(t, 3) ? 0.0 : 1.0; }},
          {"IF TIME >= 2 and TIME < 4 THEN 10 ELSE 20",
           [](double t) { return t >= 2 && t < 4 ? 10.0 : 20.0; }},
          {"IF TIME < 1 or TIME > 9 THEN 10 ELSE 20",
           [](double t) { return t < 1 || t > 9 ? 10.0 : 20.0; }},
          {"IF not (TIME > 5) THEN 10 ELSE 20", [](double t) { return t > 5 ? 20.0 : 10.0; }},
          {"IF TIME > 5 THEN TIME * 2 ELSE -TIME", [](double t) { return t > 5 ? 2 * t : -t; }},
          {"IF TIME < 2 THEN 1 ELSE IF TIME < 4 THEN 2 ELSE 3",
           [](double t) { return t < 2 ? 1.0 : (t < 4 ? 2.0 : 3.0); }},
          {"if time > 2 then 1 else 0", [](double t) { return t > 2 ? 1.0 : 0.0; }},
      });
}

TEST_CASE("SAFEDIV divides by zero safely", "[builtins]") {
  check_probes(clock_model(), {
                                  {"SAFEDIV(1, 0)", constant(0)},
                                  {"SAFEDIV(1, 0, 7)", constant(7)},
                                  {"SAFEDIV(6, 3)", constant(2)},
                                  {"SAFEDIV(6, 3, 7)", constant(2)},
                                  {"SAFEDIV(TIME, TIME - 2, -1)",
                                   [](double t) { return at(t, 2) ? -1.0 : t / (t - 2); }},
                              });
}

TEST_CASE("XIDZ and ZIDZ divide by zero safely, in the quotient's unit", "[builtins]") {
  check_probes(clock_model(),
               {
                   {"XIDZ(1, 0, 5)", constant(5)},
                   {"XIDZ(6, 3, 5)", constant(2)},
                   {"ZIDZ(1, 0)", constant(0)},
                   {"ZIDZ(6, 3)", constant(2)},
                   {"ZIDZ(TIME, TIME - 4)", [](double t) { return at(t, 4) ? 0.0 : t / (t - 4); }},
               });
  auto model = clock_model();
  model.add_constant("distance", 100).with_units("km");
  model.add_constant("hours", 2).with_units("hour");
  model.add_constant("fallback speed", 30).with_units("km/hour");
  model.add_constant("fallback time", 1).with_units("hour");
  model.add_auxiliary("speed", "XIDZ(distance, hours, fallback speed)").with_units("km/hour");
  model.add_auxiliary("speed or 0", "ZIDZ(distance, hours)").with_units("km/hour");
  model.add_auxiliary("wrong", "XIDZ(distance, hours, fallback time)").with_units("km/hour");
  const auto issues = h2sim::check_units(model);
  REQUIRE(issues.size() == 1);
  CHECK(issues[0].variable == "wrong");
  CHECK_THAT(issues[0].message, Catch::Contains("the quotient and the fallback value of XIDZ"));
  auto bad = clock_model();
  bad.add_auxiliary("bad", "ZIDZ(1, 2, 3)");
  CHECK_THROWS_WITH(h2sim::compile_model(bad), Catch::Contains("zidz takes 2 arguments, not 3"));
}

TEST_CASE("a model without stocks runs", "[builtins]") {
  auto model = make_model(0.0, 2.0, 0.5, Method::Euler);
  model.add_auxiliary("doubled time", "2 * TIME");
  const auto result = run(model);
  REQUIRE(result.times.size() == 5);
  H2_CHECK_NEAR(final_value(result, "doubled time"), 4.0, 1e-12);
}

TEST_CASE("graphical functions read the table three ways", "[builtins][lookups]") {
  h2sim::GraphicalFunction table;
  table.x = {0, 1, 2};
  table.y = {0, 10, 15};

  SECTION("continuous: linear inside, held outside") {
    table.interpolation = h2sim::Interpolation::Continuous;
    CHECK(table(0.0) == 0.0);
    CHECK(table(1.0) == 10.0);
    CHECK(table(2.0) == 15.0);
    H2_CHECK_NEAR(table(0.5), 5.0, 1e-12);
    H2_CHECK_NEAR(table(1.5), 12.5, 1e-12);
    H2_CHECK_NEAR(table(0.25), 2.5, 1e-12);
    CHECK(table(-1.0) == 0.0);
    CHECK(table(3.0) == 15.0);
    CHECK(table(1e9) == 15.0);
  }
  SECTION("extrapolate: linear inside, continued outside") {
    table.interpolation = h2sim::Interpolation::Extrapolate;
    H2_CHECK_NEAR(table(0.5), 5.0, 1e-12);
    H2_CHECK_NEAR(table(-1.0), -10.0, 1e-12);
    H2_CHECK_NEAR(table(3.0), 20.0, 1e-12);
    H2_CHECK_NEAR(table(4.0), 25.0, 1e-12);
  }
  SECTION("discrete: the value at the nearest point at or below") {
    table.interpolation = h2sim::Interpolation::Discrete;
    CHECK(table(0.0) == 0.0);
    CHECK(table(0.5) == 0.0);
    CHECK(table(0.999) == 0.0);
    CHECK(table(1.0) == 10.0);
    CHECK(table(1.99) == 10.0);
    CHECK(table(2.0) == 15.0);
    CHECK(table(3.0) == 15.0);
  }
}

TEST_CASE("lookups called from equations", "[builtins][lookups]") {
  h2sim::GraphicalFunction continuous;
  continuous.x = {0, 1, 2};
  continuous.y = {0, 10, 15};
  auto extrapolate = continuous;
  extrapolate.interpolation = h2sim::Interpolation::Extrapolate;
  auto discrete = continuous;
  discrete.interpolation = h2sim::Interpolation::Discrete;

  const auto expected_continuous = [](double t) {
    const double x = t - 1;
    if (x <= 0) return 0.0;
    if (x <= 1) return 10 * x;
    if (x <= 2) return 10 + 5 * (x - 1);
    return 15.0;
  };
  const auto expected_extrapolate = [](double t) {
    const double x = t - 1;
    return x <= 1 ? 10 * x : 10 + 5 * (x - 1);
  };
  const auto expected_discrete = [](double t) {
    const double x = t - 1;
    if (x < 1) return 0.0;
    if (x < 2) return 10.0;
    return 15.0;
  };

  auto model = clock_model(0, 4);
  model.add_lookup("continuous table", continuous);
  model.add_lookup("extrapolating table", extrapolate);
  model.add_lookup("discrete table", discrete);
  model.add_auxiliary("shaped", "TIME - 1").with_graphical_function(continuous);
  check_probes(model, {
                          {"continuous_table(TIME - 1)", expected_continuous},
                          {"Continuous_Table(TIME - 1) * 2",
                           [&](double t) { return 2 * expected_continuous(t); }},
                          {"LOOKUP(continuous_table, TIME - 1)", expected_continuous},
                          {"extrapolating_table(TIME - 1)", expected_extrapolate},
                          {"discrete_table(TIME - 1)", expected_discrete},
                          {"shaped", expected_continuous},
                      });
}

TEST_CASE("TREND and FORCST of exponential growth", "[builtins]") {
  // For input = 100 exp(g t), TREND settles at g and FORCST at input (1 + g horizon);
  // 40 years are 20 averaging times, whatever the start.
  auto model = make_model(0.0, 40.0, 1.0 / 32, Method::RK4);
  model.add_auxiliary("input", "100 * EXP(0.05 * TIME)");
  model.add_auxiliary("trend", "TREND(input, 2, 0.05)");
  model.add_auxiliary("trend from zero", "TREND(input, 2)");
  model.add_auxiliary("forecast", "FORCST(input, 2, 3, 0.05)");
  const auto result = run(model);
  H2_CHECK_NEAR(final_value(result, "trend"), 0.05, 1e-6);
  H2_CHECK_NEAR(final_value(result, "trend from zero"), 0.05, 1e-6);
  const double input = 100 * std::exp(0.05 * 40);
  H2_CHECK_REL(final_value(result, "forecast"), input * (1 + 0.05 * 3), 1e-6);
  // Started in equilibrium (initial trend g), the trend is g throughout.
  H2_CHECK_NEAR(value_at(result, "trend", 1.0), 0.05, 1e-6);
}

TEST_CASE("malformed graphical functions are refused", "[builtins][lookups][errors]") {
  const auto refused = [](h2sim::GraphicalFunction table) {
    return message_of<h2sim::Error>([&] {
      auto model = clock_model();
      model.add_lookup("bad table", std::move(table));
      model.add_auxiliary("reader", "bad_table(TIME)");
      h2sim::compile_model(model);
    });
  };
  h2sim::GraphicalFunction unsorted;
  unsorted.x = {0, 2, 1};
  unsorted.y = {0, 1, 2};
  CHECK_THAT(refused(unsorted), Catch::Contains("bad table", Catch::CaseSensitive::No));
  h2sim::GraphicalFunction uneven;
  uneven.x = {0, 1, 2};
  uneven.y = {0, 1};
  CHECK_THAT(refused(uneven), Catch::Contains("bad table", Catch::CaseSensitive::No));
  h2sim::GraphicalFunction empty;
  CHECK_THAT(refused(empty), Catch::Contains("bad table", Catch::CaseSensitive::No));
}
