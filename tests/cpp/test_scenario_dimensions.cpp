// A scenario may replace a dimension's elements (China as one region instead of
// Zhejiang's cities). Values given per element must then be given again, per new
// element or as one value for all; anything missing is a located error.
#include <filesystem>
#include <fstream>
#include <string>

#include "test_support.hpp"

namespace fs = std::filesystem;

namespace {

// Writes a small model and a scenario beside it; returns the scenario path.
std::string write_pair(const fs::path& dir, const std::string& scenario_body) {
  fs::create_directories(dir);
  std::ofstream(dir / "model.yaml") << R"(name: two_cities
time: {start: 0, stop: 2, dt: 0.5, method: euler}
dimensions:
  city: [hangzhou, ningbo]
constants:
  share:
    dimensions: [city]
    value: {hangzhou: 0.6, ningbo: 0.4}
  growth: {value: 0.1}
stocks:
  fleet:
    dimensions: [city]
    initial: 100 * share
    inflows: [sales]
flows:
  sales:
    dimensions: [city]
    equation: fleet * growth
auxiliaries:
  total:
    equation: SUM(fleet[*])
)";
  std::ofstream(dir / "scenario.yaml") << scenario_body;
  return (dir / "scenario.yaml").string();
}

}  // namespace

TEST_CASE("scenario dimensions: new elements with their own values", "[yaml][scenario]") {
  const fs::path dir = fs::temp_directory_path() / "h2sim_scenario_dimensions_1";
  const std::string path = write_pair(dir, R"(model: model.yaml
dimensions:
  city: [china, rest]
parameters:
  share[china]: 0.9
  share[rest]: 0.1
)");
  const h2sim::Scenario s = h2sim::load_scenario(path);
  const h2sim::Result r = h2sim::simulate(h2sim::compile_model(s.model));
  // Euler, growth 0.1 per year, dt 0.5: 4 steps of x1.05.
  REQUIRE(r.column("fleet[china]")(0) == Approx(90.0));
  REQUIRE(r.column("fleet[rest]")(4) == Approx(10.0 * std::pow(1.05, 4)).epsilon(1e-12));
  REQUIRE(r.column("total")(4) == Approx(100.0 * std::pow(1.05, 4)).epsilon(1e-12));
  REQUIRE(r.find("fleet[hangzhou]") < 0);
  fs::remove_all(dir);
}

TEST_CASE("scenario dimensions: one value for every new element", "[yaml][scenario]") {
  const fs::path dir = fs::temp_directory_path() / "h2sim_scenario_dimensions_2";
  const std::string path = write_pair(dir, R"(model: model.yaml
dimensions:
  city: [china]
parameters:
  share: 1
)");
  const h2sim::Result r = h2sim::simulate(h2sim::compile_model(h2sim::load_scenario(path).model));
  REQUIRE(r.column("fleet[china]")(0) == Approx(100.0));
  fs::remove_all(dir);
}

TEST_CASE("scenario dimensions: a per-element value left out is a located error",
          "[yaml][scenario]") {
  const fs::path dir = fs::temp_directory_path() / "h2sim_scenario_dimensions_3";
  const std::string path = write_pair(dir, R"(model: model.yaml
dimensions:
  city: [china, rest]
parameters:
  share[china]: 1
)");
  try {
    h2sim::load_scenario(path);
    FAIL("expected an error");
  } catch (const h2sim::ScenarioError& e) {
    const std::string what = e.what();
    INFO(what);
    REQUIRE(what.find("scenario.yaml:3") != std::string::npos);
    REQUIRE(what.find("`share` was given per element") != std::string::npos);
    REQUIRE(what.find("share[rest]") != std::string::npos);  // the element with no value
  }
  fs::remove_all(dir);
}
