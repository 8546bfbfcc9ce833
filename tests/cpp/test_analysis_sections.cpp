// Analysis sections (outcomes:, targets:, calibration:, ...) are carried as located data
// through extends chains: a mapping replaces entries by key, anything else replaces whole.
#include <algorithm>
#include <filesystem>
#include <string>

#include "test_support.hpp"

namespace fs = std::filesystem;
using h2sim::DataNode;

namespace {

const fs::path kSections = fs::path(H2SIM_TEST_DATA_DIR) / "sections";

const DataNode& section(const h2sim::Scenario& s, const std::string& name) {
  auto it = std::find_if(s.sections.begin(), s.sections.end(),
                         [&](const auto& entry) { return entry.first == name; });
  REQUIRE(it != s.sections.end());
  return it->second;
}

const DataNode& child(const DataNode& map, const std::string& key) {
  auto it = std::find(map.keys.begin(), map.keys.end(), key);
  REQUIRE(it != map.keys.end());
  return map.children[static_cast<std::size_t>(it - map.keys.begin())];
}

}  // namespace

TEST_CASE("a model's analysis sections load with where they were written", "[sections]") {
  const auto s = h2sim::load_scenario((kSections / "model.yaml").string());
  const DataNode& outcomes = section(s, "outcomes");
  REQUIRE(outcomes.kind == DataNode::Kind::Map);
  REQUIRE(outcomes.keys == std::vector<std::string>{"fleet_end", "sales_total"});
  const DataNode& at = child(child(outcomes, "fleet_end"), "at");
  REQUIRE(at.kind == DataNode::Kind::Scalar);
  REQUIRE(at.scalar == "10");
  REQUIRE(at.where.line == 11);
  REQUIRE(section(s, "targets").kind == DataNode::Kind::List);
}

TEST_CASE("an extends chain replaces mapping entries by key and lists whole", "[sections]") {
  const auto s = h2sim::load_scenario((kSections / "variant.yaml").string());
  const DataNode& outcomes = section(s, "outcomes");
  REQUIRE(outcomes.keys == std::vector<std::string>{"fleet_end", "sales_total", "quoted"});
  const DataNode& at = child(child(outcomes, "fleet_end"), "at");
  REQUIRE(at.scalar == "5");
  REQUIRE(fs::path(at.where.file).filename() == "variant.yaml");
  REQUIRE(child(child(outcomes, "quoted"), "label").quoted);
  REQUIRE_FALSE(child(child(outcomes, "quoted"), "count").quoted);
  const DataNode& targets = section(s, "targets");
  REQUIRE(targets.children.size() == 1);
  REQUIRE(child(targets.children[0], "value").scalar == "300");
  // The base scenario's calibration section comes through, located in base.yaml.
  const DataNode& calibration = section(s, "calibration");
  REQUIRE(fs::path(child(calibration, "data").where.file).filename() == "base.yaml");
}

TEST_CASE("a misspelled section is still an unknown key", "[sections]") {
  REQUIRE_THROWS_WITH(h2sim::parse_scenario("model: model.yaml\noutcome:\n  x: {variable: fleet}\n",
                                            (kSections / "typo.yaml").string()),
                      Catch::Contains("outcome") && Catch::Contains("did you mean `outcomes`"));
}
