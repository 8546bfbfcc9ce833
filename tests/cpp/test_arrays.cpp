// Arrays: dimensions, apply-to-all and per-element equations, element references,
// aggregates, arrayed stocks and flows, arrayed parameters.
#include <algorithm>

#include "test_support.hpp"

using h2sim::Method;
using h2sim::RowMatrix;
using namespace h2test;

namespace {

// vehicle = {car, bus, truck}. Fleets grow at growth[v] - 1/lifetime per year (Euler).
h2sim::Model fleet_model() {
  auto model = make_model(0.0, 10.0, 0.25, Method::Euler);
  model.add_dimension("vehicle", {"car", "bus", "truck"});
  model.add_auxiliary("target", "0")
      .with_dimensions({"vehicle"})
      .with_element_equation({"car"}, "100")
      .with_element_equation({"bus"}, "20")
      .with_element_equation({"truck"}, "40");
  model.add_constant("growth", 0.1).with_dimensions({"vehicle"});
  model.set_constant("growth", 0.2, {"bus"});
  model.set_constant("growth", 0.05, {"truck"});
  model.add_constant("lifetime", 20);
  model.add_stock("fleet", "target", {"purchases"}, {"scrapping"}).with_dimensions({"vehicle"});
  model.add_flow("purchases", "growth * fleet").with_dimensions({"vehicle"});
  model.add_flow("scrapping", "fleet[vehicle] / lifetime").with_dimensions({"vehicle"});
  model.add_auxiliary("doubled", "target * 2").with_dimensions({"vehicle"});
  model.add_auxiliary("tripled", "target[vehicle] * 3").with_dimensions({"vehicle"});
  model.add_auxiliary("total fleet", "SUM(fleet[*])");
  model.add_auxiliary("mean target", "MEAN(target[*])");
  model.add_auxiliary("smallest target", "MIN(target[*])");
  model.add_auxiliary("largest target", "MAX(target[*])");
  model.add_auxiliary("target product", "PROD(target[*])");
  model.add_auxiliary("bus share", "fleet[bus] / total_fleet");
  model.add_auxiliary("bus over car", "target[bus] / target[car]");
  return model;
}

double fleet_exact(double initial, double growth, int steps) {
  return initial * std::pow(1 + 0.25 * (growth - 0.05), steps);
}

}  // namespace

TEST_CASE("arrayed results are named variable[element]", "[arrays]") {
  const auto program = h2sim::compile_model(fleet_model());
  for (const char* name : {"fleet[car]", "fleet[bus]", "fleet[truck]", "purchases[bus]",
                           "target[truck]", "doubled[car]", "total fleet"}) {
    INFO(name);
    CHECK(program.find_output(name) >= 0);
  }
  CHECK(program.find_output("fleet[plane]") == -1);
  for (const char* name : {"growth[car]", "growth[bus]", "growth[truck]", "lifetime"}) {
    INFO(name);
    CHECK(program.find_parameter(name) >= 0);
  }
  const auto result = h2sim::simulate(program);
  CHECK(result.find("fleet[bus]") >= 0);
  // Names are case-insensitive in lookups too.
  CHECK(result.find("FLEET[Bus]") == result.find("fleet[bus]"));
  CHECK(program.find_parameter("Growth[BUS]") == program.find_parameter("growth[bus]"));
  const auto& names = result.names;
  CHECK(std::find(names.begin(), names.end(), std::string("fleet[bus]")) != names.end());
}

TEST_CASE("per-element and apply-to-all equations", "[arrays]") {
  const auto result = run(fleet_model());
  const std::vector<std::pair<std::string, double>> targets = {
      {"car", 100}, {"bus", 20}, {"truck", 40}};
  for (const auto& [element, target] : targets) {
    INFO(element);
    H2_CHECK_NEAR(final_value(result, "target[" + element + "]"), target, 1e-12);
    H2_CHECK_NEAR(final_value(result, "doubled[" + element + "]"), 2 * target, 1e-12);
    H2_CHECK_NEAR(final_value(result, "tripled[" + element + "]"), 3 * target, 1e-12);
  }
  H2_CHECK_NEAR(final_value(result, "bus over car"), 0.2, 1e-15);
}

TEST_CASE("arrayed stocks integrate arrayed flows element by element", "[arrays]") {
  const auto result = run(fleet_model());
  REQUIRE(result.times.size() == 41);
  for (int n = 0; n <= 40; n += 4) {
    const double t = 0.25 * n;
    INFO("t = " << t);
    const double car = fleet_exact(100, 0.1, n);
    const double bus = fleet_exact(20, 0.2, n);
    const double truck = fleet_exact(40, 0.05, n);
    H2_CHECK_REL(value_at(result, "fleet[car]", t), car, 1e-12);
    H2_CHECK_REL(value_at(result, "fleet[bus]", t), bus, 1e-12);
    H2_CHECK_REL(value_at(result, "fleet[truck]", t), truck, 1e-12);
    H2_CHECK_REL(value_at(result, "purchases[bus]", t), 0.2 * bus, 1e-12);
    H2_CHECK_REL(value_at(result, "scrapping[car]", t), car / 20, 1e-12);
    H2_CHECK_REL(value_at(result, "total fleet", t), car + bus + truck, 1e-12);
    H2_CHECK_REL(value_at(result, "bus share", t), bus / (car + bus + truck), 1e-12);
  }
  // The truck fleet is in balance: growth 0.05 equals scrapping 1/20.
  H2_CHECK_REL(final_value(result, "fleet[truck]"), 40.0, 1e-12);
}

TEST_CASE("SUM, MEAN, MIN, MAX, PROD over a dimension", "[arrays]") {
  const auto result = run(fleet_model());
  H2_CHECK_NEAR(value_at(result, "total fleet", 0.0), 160.0, 1e-12);
  H2_CHECK_NEAR(final_value(result, "mean target"), 160.0 / 3, 1e-12);
  H2_CHECK_NEAR(final_value(result, "smallest target"), 20.0, 1e-12);
  H2_CHECK_NEAR(final_value(result, "largest target"), 100.0, 1e-12);
  H2_CHECK_NEAR(final_value(result, "target product"), 80000.0, 1e-9);
}

TEST_CASE("arrayed constants are set per element", "[arrays][overrides]") {
  const auto program = h2sim::compile_model(fleet_model());
  const int bus_growth = program.find_parameter("growth[bus]");
  REQUIRE(bus_growth >= 0);
  CHECK(program.parameters()[static_cast<std::size_t>(bus_growth)].value == 0.2);

  const auto base = h2sim::simulate(program);
  const auto changed = h2sim::simulate(program, {}, {{"growth[truck]", 0.3}});
  CHECK(final_value(changed, "fleet[car]") == final_value(base, "fleet[car]"));
  CHECK(final_value(changed, "fleet[bus]") == final_value(base, "fleet[bus]"));
  H2_CHECK_REL(final_value(changed, "fleet[truck]"), fleet_exact(40, 0.3, 40), 1e-12);

  SECTION("and per lane") {
    h2sim::ParameterTable table;
    table.names = {"growth[bus]", "growth[car]"};
    table.values.resize(3, 2);
    table.values << 0.1, 0.1, 0.2, 0.3, 0.4, 0.0;
    const auto batch = h2sim::simulate_batch(program, table);
    const int bus = batch.find("fleet[bus]");
    const int car = batch.find("fleet[car]");
    REQUIRE(bus >= 0);
    REQUIRE(car >= 0);
    const auto last = static_cast<std::size_t>(batch.times.size() - 1);
    for (std::size_t lane = 0; lane < 3; ++lane) {
      INFO("lane " << lane);
      const auto row = static_cast<Eigen::Index>(lane);
      H2_CHECK_REL(batch.at(lane, last, static_cast<std::size_t>(bus)),
                   fleet_exact(20, table.values(row, 0), 40), 1e-12);
      H2_CHECK_REL(batch.at(lane, last, static_cast<std::size_t>(car)),
                   fleet_exact(100, table.values(row, 1), 40), 1e-12);
      // Bit for bit the single run with the same element overrides.
      const auto single = h2sim::simulate(
          program, {},
          {{"growth[bus]", table.values(row, 0)}, {"growth[car]", table.values(row, 1)}});
      REQUIRE(single.names == batch.names);
      CHECK(single.matrix() == batch.lane(lane));
    }
  }
}

TEST_CASE("asking for an arrayed variable reports every element", "[arrays]") {
  h2sim::SimulationOptions options;
  options.outputs = {"fleet", "bus share"};
  const auto result = run(fleet_model(), options);
  CHECK(result.names.size() == 4);
  CHECK(result.find("fleet[car]") >= 0);
  CHECK(result.find("fleet[bus]") >= 0);
  CHECK(result.find("fleet[truck]") >= 0);
  CHECK(result.find("bus share") >= 0);
  CHECK(result.find("purchases[bus]") == -1);

  options.outputs = {"fleet[bus]"};
  const auto one = run(fleet_model(), options);
  REQUIRE(one.names.size() == 1);
  H2_CHECK_REL(final_value(one, "fleet[bus]"), fleet_exact(20, 0.2, 40), 1e-12);
}

TEST_CASE("SMTH1 of an arrayed input smooths each element", "[arrays][builtins]") {
  auto model = fleet_model();
  model.add_auxiliary("smoothed target", "SMTH1(target, 2, 0)").with_dimensions({"vehicle"});
  const auto result = run(model);
  for (int n = 0; n <= 40; n += 8) {
    const double t = 0.25 * n;
    INFO("t = " << t);
    const double response = 1 - std::pow(1 - 0.25 / 2, n);
    H2_CHECK_NEAR(value_at(result, "smoothed target[car]", t), 100 * response, 1e-10);
    H2_CHECK_NEAR(value_at(result, "smoothed target[bus]", t), 20 * response, 1e-10);
    H2_CHECK_NEAR(value_at(result, "smoothed target[truck]", t), 40 * response, 1e-10);
  }
}

TEST_CASE("element names with spaces", "[arrays][names]") {
  auto model = make_model(0.0, 1.0, 0.5, Method::Euler);
  model.add_dimension("powertrain", {"fuel cell", "battery electric"});
  model.add_auxiliary("share", "0")
      .with_dimensions({"powertrain"})
      .with_element_equation({"fuel cell"}, "0.25")
      .with_element_equation({"battery_electric"}, "0.75");
  model.add_auxiliary("fuel cell share", "share[fuel_cell]");
  model.add_auxiliary("scaled", "share * 4").with_dimensions({"powertrain"});
  const auto result = run(model);
  H2_CHECK_NEAR(final_value(result, "fuel cell share"), 0.25, 1e-15);
  H2_CHECK_NEAR(final_value(result, "share[battery electric]"), 0.75, 1e-15);
  H2_CHECK_NEAR(final_value(result, "scaled[Fuel_Cell]"), 1.0, 1e-15);
}

TEST_CASE("two-dimensional arrays", "[arrays]") {
  auto model = fleet_model();
  model.add_dimension("region", {"north", "south"});
  model.add_auxiliary("region weight", "0")
      .with_dimensions({"region"})
      .with_element_equation({"north"}, "0.75")
      .with_element_equation({"south"}, "0.25");
  model.add_auxiliary("regional target", "target[vehicle] * region_weight[region]")
      .with_dimensions({"vehicle", "region"});
  model.add_auxiliary("regional total", "SUM(regional_target[*, *])");
  model.add_auxiliary("bus north", "regional_target[bus, north]");
  const auto result = run(model);
  H2_CHECK_NEAR(final_value(result, "bus north"), 15.0, 1e-12);
  H2_CHECK_NEAR(final_value(result, "regional total"), 160.0, 1e-12);
  const int truck_south = std::max(result.find("regional target[truck,south]"),
                                   result.find("regional target[truck, south]"));
  REQUIRE(truck_south >= 0);
  H2_CHECK_NEAR(result.at(0, truck_south), 10.0, 1e-12);
}

namespace {

// v = [1, 2] over d, w = [10, 20, 30] over e, m[d, e] = 100 v[d] + w[e].
h2sim::Model nested_model() {
  auto model = make_model(0.0, 1.0, 1.0, Method::Euler);
  model.add_dimension("d", {"a", "b"});
  model.add_dimension("e", {"x", "y", "z"});
  model.add_auxiliary("v", "0")
      .with_dimensions({"d"})
      .with_element_equation({"a"}, "1")
      .with_element_equation({"b"}, "2");
  model.add_auxiliary("w", "0")
      .with_dimensions({"e"})
      .with_element_equation({"x"}, "10")
      .with_element_equation({"y"}, "20")
      .with_element_equation({"z"}, "30");
  model.add_auxiliary("m", "100 * v[d] + w[e]").with_dimensions({"d", "e"});
  return model;
}

}  // namespace

// Found while timing the equation fuzzer's slowest inputs: the outer SUM of
// SUM(v[*] + SUM(w[*])) ranged over e too (the inner SUM's own dimension), so it added the
// inner sum |d| * |e| times and each v[d] |e| times: 369 instead of 123.
TEST_CASE("an array function inside another ranges over its own dimensions only", "[arrays]") {
  auto model = nested_model();
  const std::vector<std::pair<std::string, double>> cases = {
      {"SUM(v[*] + SUM(w[*]))", 1 + 60 + 2 + 60},
      {"SUM(v[*] * SUM(w[*]))", 180},
      {"PROD(v[*] * SUM(w[*]))", 60 * 120},
      {"MEAN(v[*] - MIN(w[*]))", ((1 - 10) + (2 - 10)) / 2.0},
      {"MAX(v[*] + MAX(w[*]))", 2 + 30},
      {"SUM(MAX(v[*], SUM(w[*]) / 40))", 1.5 + 2},  // MAX of two is taken element by element
      {"SIZE(v[*] * SUM(w[*]))", 2},
      {"SUM(SUM(m[d, *]))", 1020},                       // the inner SUM takes d and e
      {"SUM(v[*] * SUM(m[d, *]))", 1 * 360 + 2 * 660},  // d from the outer SUM
      {"SUM(v[*] + SUM(v[*] + SUM(v[*])))", 3 + 2 * (3 + 2 * 3)},
  };
  for (std::size_t i = 0; i < cases.size(); ++i)
    model.add_auxiliary("case " + std::to_string(i), cases[i].first);
  model.add_auxiliary("row", "SUM(m[d, *])").with_dimensions({"d"});
  const auto result = run(model);
  for (std::size_t i = 0; i < cases.size(); ++i) {
    INFO(cases[i].first);
    H2_CHECK_NEAR(value_at(result, "case " + std::to_string(i), 0), cases[i].second, 1e-12);
  }
  H2_CHECK_NEAR(value_at(result, "row[a]", 0), 360, 1e-12);
  H2_CHECK_NEAR(value_at(result, "row[b]", 0), 660, 1e-12);
}

// share[d] = v[d] / SUM(v[*]) unrolled the SUM once per element: n^2 terms, 20 s and 3 GiB
// to compile for 3,000 elements. A SUM that reads no element of the equation's context is
// the same for every element (and for every element of an outer SUM): it is computed once.
TEST_CASE("an array function that reads no element of its context is computed once",
          "[arrays][compile]") {
  const int n = 2000;
  auto model = make_model(0.0, 2.0, 1.0, Method::Euler);
  std::vector<std::string> elements;
  for (int i = 0; i < n; ++i) elements.push_back("e" + std::to_string(i));
  model.add_dimension("d", elements);
  model.add_constant("v", 1).with_dimensions({"d"});
  model.add_stock("s", "v[d]", {"growth"}).with_dimensions({"d"});
  model.add_flow("growth", "s * 0.5").with_dimensions({"d"});
  model.add_auxiliary("share", "v[d] / SUM(v[*])").with_dimensions({"d"});
  model.add_auxiliary("stock share", "s / SUM(s[*])").with_dimensions({"d"});
  model.add_stock("normalised", "v[d] / SUM(v[*])", {}).with_dimensions({"d"});
  model.add_auxiliary("nested", "SUM(v[*] + SUM(v[*] + SUM(v[*] + SUM(v[*]))))");
  const auto program = h2sim::compile_model(model);
  // Each SUM is n - 1 additions once; unrolled per element it was 2 n^2 + n^4.
  CHECK(program.instruction_count() < 20 * static_cast<std::size_t>(n));
  const auto result = h2sim::simulate(program);
  H2_CHECK_NEAR(value_at(result, "share[e7]", 0), 1.0 / n, 1e-15);
  H2_CHECK_NEAR(value_at(result, "stock share[e7]", 2), 1.0 / n, 1e-15);
  H2_CHECK_NEAR(value_at(result, "s[e7]", 2), 2.25, 1e-15);
  H2_CHECK_NEAR(value_at(result, "normalised[e7]", 2), 1.0 / n, 1e-15);
  // n (1 + n (1 + n (1 + n))), exact in doubles.
  const double nd = n;
  H2_CHECK_NEAR(value_at(result, "nested", 0), nd * (1 + nd * (1 + nd * (1 + nd))), 0);
}
