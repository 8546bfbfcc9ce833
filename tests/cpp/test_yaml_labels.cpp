// `label:` on a variable: a human name for charts and tables, read for every kind of
// variable and kept, with the component's prefix on the name, when a component is included.
#include <filesystem>
#include <fstream>
#include <string>

#include "test_support.hpp"

namespace fs = std::filesystem;

TEST_CASE("yaml labels: every kind of variable keeps its label; none means empty",
          "[yaml][labels]") {
  const h2sim::Scenario s = h2sim::parse_scenario(R"(
constants:
  market: {value: 100, units: vehicles, label: vehicles that will adopt}
  p: 0.03
stocks:
  adopters: {initial: 0, inflows: [adoption], units: vehicles, label: fuel-cell vehicles on the road}
flows:
  adoption: {equation: p * (market - adopters), units: vehicles/year, label: sales}
auxiliaries:
  share: {equation: adopters / market, label: share of the market}
)",
                                                  "labels.yaml");
  REQUIRE(s.model.find("market")->label == "vehicles that will adopt");
  REQUIRE(s.model.find("adopters")->label == "fuel-cell vehicles on the road");
  REQUIRE(s.model.find("adoption")->label == "sales");
  REQUIRE(s.model.find("share")->label == "share of the market");
  REQUIRE(s.model.find("p")->label.empty());
}

TEST_CASE("yaml labels: a component's labels come with its variables", "[yaml][labels]") {
  const fs::path folder = fs::temp_directory_path() / "h2sim_test_yaml_labels";
  fs::create_directories(folder);
  std::ofstream(folder / "part.yaml") << "stocks:\n  level: {initial: 1, label: stored hydrogen}\n";
  std::ofstream(folder / "whole.yaml") << "components:\n  store: {file: part.yaml}\n";
  const h2sim::Scenario s = h2sim::load_scenario((folder / "whole.yaml").string());
  REQUIRE(s.model.find("store.level")->label == "stored hydrogen");
  fs::remove_all(folder);
}

TEST_CASE("yaml labels: a label must be text", "[yaml][labels]") {
  REQUIRE_THROWS_WITH(
      h2sim::parse_scenario("constants:\n  p: {value: 1, label: [a, b]}\n", "bad.yaml"),
      Catch::Contains("bad.yaml:2") && Catch::Contains("label"));
}
