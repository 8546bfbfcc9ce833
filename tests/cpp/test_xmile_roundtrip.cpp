// Exported XMILE re-imports to identical results: every shipped YAML example, the
// Zhejiang scenarios, the national hydrogen model and every SD conformance case that
// loads go through to_xmile -> parse_xmile (and save_xmile -> load_xmile), and both
// models, run with the original's time settings and method, give the same numbers bit
// for bit. Outputs are matched by canonical name ("Stock A[Entry 1]" ~ "stock_a[entry_1]").
#include <algorithm>
#include <cstring>
#include <filesystem>
#include <h2sim/scenario.hpp>
#include <h2sim/vensim.hpp>
#include <h2sim/xmile.hpp>
#include <map>
#include <optional>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "test_support.hpp"

namespace fs = std::filesystem;

namespace {

bool same_bits(double a, double b) { return std::memcmp(&a, &b, sizeof a) == 0; }

// Runs `model` with the time settings and method of `reference` (adaptive and stiff
// methods are written as Euler, so the method is passed explicitly).
h2sim::Result run_like(const h2sim::Model& model, const h2sim::Model& reference) {
  const h2sim::TimeSettings& t = reference.time();
  h2sim::SimulationOptions options;
  options.start = t.start;
  options.stop = t.stop;
  options.dt = t.dt;
  if (t.save_every > 0) options.save_every = t.save_every;
  options.method = t.method;
  return h2sim::simulate(h2sim::compile_model(model), options);
}

// Every output of `original` is in `reimported` under the same canonical name, with
// the same value bit for bit at every saved time.
void check_identical(const h2sim::Result& original, const h2sim::Result& reimported,
                     const std::string& label) {
  INFO(label);
  REQUIRE(original.times.size() == reimported.times.size());
  for (std::size_t i = 0; i < original.times.size(); ++i)
    REQUIRE(same_bits(original.times[i], reimported.times[i]));
  REQUIRE(original.names.size() == reimported.names.size());
  std::map<std::string, int> columns;
  for (std::size_t k = 0; k < reimported.names.size(); ++k)
    columns[h2sim::canonical_element_name(reimported.names[k])] = static_cast<int>(k);
  int differing = 0;
  std::string first_difference;
  for (std::size_t k = 0; k < original.names.size(); ++k) {
    const auto found = columns.find(h2sim::canonical_element_name(original.names[k]));
    INFO("output '" << original.names[k] << "' of the original is missing after the round trip");
    REQUIRE(found != columns.end());
    for (std::size_t i = 0; i < original.times.size(); ++i) {
      const double a = original.at(i, static_cast<Eigen::Index>(k));
      const double b = reimported.at(i, found->second);
      if (!same_bits(a, b)) {
        if (differing++ == 0)
          first_difference = "'" + original.names[k] + "' at time " +
                             h2test::describe(original.times[i]) + ": " + h2test::describe(a) +
                             " before, " + h2test::describe(b) + " after";
      }
    }
  }
  INFO(differing << " values differ; the first: " << first_difference);
  CHECK(differing == 0);
}

std::vector<fs::path> scenario_files() {
  const fs::path root(H2SIM_SOURCE_DIR);
  std::vector<fs::path> files;
  for (const char* folder : {"scenarios/examples", "scenarios/zhejiang"})
    for (const auto& entry : fs::directory_iterator(root / folder))
      if (entry.is_regular_file() && entry.path().extension() == ".yaml")
        files.push_back(entry.path());
  files.push_back(root / "scenarios/china/national.yaml");
  std::sort(files.begin(), files.end());
  return files;
}

// A fresh folder under the system temporary folder, removed at the end of the scope.
struct TemporaryFolder {
  fs::path path;
  TemporaryFolder() {
    std::random_device random;
    path = fs::temp_directory_path() /
           ("h2sim_xmile_roundtrip_" + std::to_string(random()) + std::to_string(random()));
    fs::create_directories(path);
  }
  ~TemporaryFolder() {
    std::error_code ignored;
    fs::remove_all(path, ignored);
  }
  TemporaryFolder(const TemporaryFolder&) = delete;
  TemporaryFolder& operator=(const TemporaryFolder&) = delete;
};

}  // namespace

TEST_CASE(
    "XMILE round trip: every YAML example and the hydrogen scenarios re-import to "
    "identical results",
    "[xmile][roundtrip]") {
  const std::vector<fs::path> files = scenario_files();
  REQUIRE(files.size() >= 10);
  TemporaryFolder folder;
  for (const fs::path& file : files) {
    DYNAMIC_SECTION(file.filename().string()) {
      const h2sim::Scenario scenario = h2sim::load_scenario(file.string());
      const h2sim::Model& model = scenario.model;
      const h2sim::Result original = run_like(model, model);

      const std::string text = h2sim::to_xmile(model);
      const h2sim::Model reimported = h2sim::parse_xmile(text, file.stem().string() + ".xmile");
      check_identical(original, run_like(reimported, model), file.string() + " via to_xmile");

      // The time settings themselves survive (the method only where XMILE has it).
      CHECK(reimported.time().start == model.time().start);
      CHECK(reimported.time().stop == model.time().stop);
      CHECK(reimported.time().dt == model.time().dt);
      if (model.time().method == h2sim::Method::Euler || model.time().method == h2sim::Method::RK4)
        CHECK(reimported.time().method == model.time().method);

      // Through a file, too: save_xmile + load_xmile.
      const fs::path saved = folder.path / (file.stem().string() + ".xmile");
      h2sim::save_xmile(model, saved.string());
      REQUIRE(fs::exists(saved));
      CHECK_FALSE(fs::exists(saved.string() + ".tmp"));
      check_identical(original, run_like(h2sim::load_xmile(saved.string()), model),
                      file.string() + " via save_xmile/load_xmile");
    }
  }
}

// Equations are re-printed from their trees in XMILE's grammar: ^ groups right to left
// and binds tighter than unary minus, and a name that is not a plain identifier is
// quoted. Each equation here printed wrongly once (tests/arithmetics_exp and
// tests/special_characters_xmile of the conformance suite).
TEST_CASE("XMILE round trip: powers, signs and unusual names print as they parse",
          "[xmile][roundtrip]") {
  const std::string text =
      "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n"
      "<xmile version=\"1.0\" xmlns=\"http://docs.oasis-open.org/xmile/ns/XMILE/v1.0\">\n"
      "<sim_specs method=\"Euler\"><start>0</start><stop>2</stop><dt>0.5</dt></sim_specs>\n"
      "<model><variables>\n"
      "<aux name=\"b\"><eqn>1 + TIME</eqn></aux>\n"
      "<aux name=\"left\"><eqn>(b ^ 2) ^ 3</eqn></aux>\n"            // b^6, not b^8
      "<aux name=\"right\"><eqn>b ^ 2 ^ 3</eqn></aux>\n"             // b^8
      "<aux name=\"odd\"><eqn>(-b) ^ 3</eqn></aux>\n"                // = -(b^3) by luck
      "<aux name=\"even\"><eqn>(-b) ^ 2</eqn></aux>\n"               // b^2, not -(b^2)
      "<aux name=\"negated\"><eqn>-b ^ 2</eqn></aux>\n"              // -(b^2)
      "<aux name=\"signed exponent\"><eqn>2 ^ -b ^ 2</eqn></aux>\n"  // 2^(-(b^2))
      "<aux name=\"grouped exponent\"><eqn>2 ^ (b - 1)</eqn></aux>\n"
      "<aux name=\"Aux (with a comment)\"><eqn>b * 10</eqn></aux>\n"
      "<aux name=\"uses it\"><eqn>\"Aux (with a comment)\" + 1</eqn></aux>\n"
      "</variables></model>\n</xmile>\n";
  const h2sim::Model model = h2sim::parse_xmile(text, "powers.xmile");
  const h2sim::Result original = run_like(model, model);
  CHECK(h2test::value_at(original, "left", 1) == 64.0);
  CHECK(h2test::value_at(original, "right", 1) == 256.0);
  CHECK(h2test::value_at(original, "even", 1) == 4.0);
  CHECK(h2test::value_at(original, "negated", 1) == -4.0);
  CHECK(h2test::value_at(original, "signed exponent", 1) == 0.0625);
  CHECK(h2test::value_at(original, "uses it", 1) == 21.0);
  const std::string exported = h2sim::to_xmile(model);
  INFO(exported);
  check_identical(original, run_like(h2sim::parse_xmile(exported, "exported.xmile"), model),
                  "powers.xmile");
}

// A step-wise lever (a discrete table of TIME) is written as the IF chain it means, which
// every reader runs alike (pysimlin 0.8.5 reads <gf type="discrete"> as continuous), and h2sim
// reads it back as the same schedule: 0 before 2016, 1 from 2016, 0.5 from 2020.
TEST_CASE("XMILE round trip: a step-wise lever is written as IF steps and read back as a lever",
          "[xmile][roundtrip]") {
  const h2sim::Model model = h2sim::parse_xmile(
      "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n"
      "<xmile version=\"1.0\" xmlns=\"http://docs.oasis-open.org/xmile/ns/XMILE/v1.0\">\n"
      "<sim_specs method=\"Euler\"><start>2015</start><stop>2022</stop><dt>0.25</dt>"
      "</sim_specs>\n<model><variables>\n"
      "<aux name=\"lever\"><eqn>TIME</eqn><gf type=\"discrete\"><xpts>2015,2016,2020</xpts>"
      "<ypts>0,1,0.5</ypts></gf></aux>\n"
      "<aux name=\"twice\"><eqn>2 * lever</eqn></aux>\n"
      "</variables></model>\n</xmile>\n",
      "lever.xmile");
  const std::string exported = h2sim::to_xmile(model);
  INFO(exported);
  CHECK(exported.find("<eqn>IF TIME &lt; 2016 THEN 0 ELSE (IF TIME &lt; 2020 THEN 1 ELSE "
                      "0.5)</eqn>") != std::string::npos);
  CHECK(exported.find("<gf type=\"discrete\">") == std::string::npos);
  const h2sim::Model back = h2sim::parse_xmile(exported, "lever again.xmile");
  const h2sim::Program program = h2sim::compile_model(back);
  REQUIRE(program.schedules().size() == 1);
  CHECK(program.schedules()[0].name == "lever");
  const h2sim::Result original = run_like(model, model);
  const h2sim::Result again = run_like(back, model);
  check_identical(original, again, "lever.xmile");
  CHECK(h2test::value_at(again, "lever", 2015.75) == 0.0);
  CHECK(h2test::value_at(again, "lever", 2016) == 1.0);
  CHECK(h2test::value_at(again, "lever", 2020) == 0.5);
}

// Numbers keep every bit: a constant set from code (1/3, 0.1 + 0.2) is written with as
// many digits as it needs (15 of them lose the last bits of both).
TEST_CASE("XMILE round trip: constants set from code keep every bit", "[xmile][roundtrip]") {
  h2sim::Model model = h2sim::parse_xmile(
      "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n"
      "<xmile version=\"1.0\" xmlns=\"http://docs.oasis-open.org/xmile/ns/XMILE/v1.0\">\n"
      "<sim_specs method=\"Euler\"><start>0</start><stop>1</stop><dt>0.25</dt></sim_specs>\n"
      "<model><variables>\n"
      "<aux name=\"third\"><eqn>1</eqn></aux>\n"
      "<aux name=\"sum\"><eqn>1</eqn></aux>\n"
      "<aux name=\"small\"><eqn>1</eqn></aux>\n"
      "<aux name=\"total\"><eqn>third + sum + small</eqn></aux>\n"
      "</variables></model>\n</xmile>\n",
      "constants.xmile");
  model.set_constant("third", 1.0 / 3.0);
  model.set_constant("sum", 0.1 + 0.2);
  model.set_constant("small", -1.0 / 7.0 * 1e-300);
  const h2sim::Result original = run_like(model, model);
  CHECK(h2test::value_at(original, "third", 0) == 1.0 / 3.0);
  const h2sim::Model back = h2sim::parse_xmile(h2sim::to_xmile(model), "constants.xmile");
  check_identical(original, run_like(back, model), "constants set from code");
}

TEST_CASE("XMILE round trip: a save that cannot be written throws and leaves no file",
          "[xmile][roundtrip][errors]") {
  const h2sim::Scenario scenario = h2sim::load_scenario(
      (fs::path(H2SIM_SOURCE_DIR) / "scenarios/examples/bass_diffusion.yaml").string());
  TemporaryFolder folder;

  SECTION("into a folder that does not exist") {
    const fs::path target = folder.path / "no_such_folder" / "bass.xmile";
    CHECK_THROWS_AS(h2sim::save_xmile(scenario.model, target.string()), h2sim::Error);
    CHECK_FALSE(fs::exists(target));
    CHECK_FALSE(fs::exists(target.parent_path()));
  }
  SECTION("over an existing folder") {
    // The temporary file can be written beside it, but it cannot replace a folder: the
    // error removes the temporary file and leaves the folder as it was.
    const fs::path target = folder.path / "occupied";
    fs::create_directories(target / "inside");
    CHECK_THROWS_AS(h2sim::save_xmile(scenario.model, target.string()), h2sim::Error);
    CHECK(fs::is_directory(target / "inside"));
    CHECK_FALSE(fs::exists(target.string() + ".tmp"));
    std::vector<fs::path> left;
    for (const auto& entry : fs::directory_iterator(folder.path)) left.push_back(entry.path());
    CHECK(left == std::vector<fs::path>{target});
  }
}

TEST_CASE(
    "XMILE round trip: every SD conformance model that loads re-imports to identical "
    "results",
    "[xmile][roundtrip][conformance]") {
  const fs::path root = fs::path(H2SIM_SHARED_DIR) / "sd-test-models";
  if (!fs::is_directory(root)) {
    WARN(
        "SKIPPED: the XMILE round trip of the SD conformance cases was skipped because "
        "../shared/sd-test-models is absent ("
        << root.string() << " does not exist)");
    return;
  }
  std::vector<fs::path> files;
  for (const auto& entry : fs::recursive_directory_iterator(root))
    if (entry.is_regular_file() && entry.path().extension() == ".xmile")
      files.push_back(entry.path());
  std::sort(files.begin(), files.end());
  REQUIRE(!files.empty());
  int round_tripped = 0;
  for (const fs::path& file : files) {
    const std::string name = fs::relative(file, root).generic_string();
    // The cases that do not load (listed in test_conformance.cpp) have nothing to export.
    std::optional<h2sim::Model> model;
    try {
      model = h2sim::load_xmile(file.string());
    } catch (const h2sim::Error&) {
      continue;
    }
    DYNAMIC_SECTION(name) {
      const h2sim::Result original = run_like(*model, *model);
      const h2sim::Model reimported = h2sim::parse_xmile(h2sim::to_xmile(*model), name);
      check_identical(original, run_like(reimported, *model), name);
    }
    ++round_tripped;
  }
  // 47 files, 8 of which do not load (today); most must go through.
  CHECK(round_tripped >= 30);
}

// Every Vensim case that loads goes .mdl -> Model -> XMILE -> Model to the same numbers.
TEST_CASE("Vensim round trip: the conformance models export to XMILE and back unchanged",
          "[vensim][xmile][roundtrip]") {
  const fs::path root = fs::path(H2SIM_SHARED_DIR) / "sd-test-models";
  if (!fs::is_directory(root)) {
    WARN("SKIPPED: the Vensim round trip was skipped because ../shared/sd-test-models is absent");
    return;
  }
  std::vector<fs::path> files;
  for (const auto& entry : fs::recursive_directory_iterator(root))
    if (entry.is_regular_file() && entry.path().extension() == ".mdl")
      files.push_back(entry.path());
  std::sort(files.begin(), files.end());
  REQUIRE(!files.empty());
  int round_tripped = 0;
  for (const fs::path& file : files) {
    const std::string name = fs::relative(file, root).generic_string();
    std::optional<h2sim::Model> model;
    try {
      model = h2sim::load_vensim(file.string());
    } catch (const h2sim::Error&) {
      continue;  // refused: listed in test_conformance.cpp
    }
    DYNAMIC_SECTION(name) {
      const h2sim::Result original = run_like(*model, *model);
      const std::string text = h2sim::to_xmile(*model);
      INFO(text);
      const h2sim::Model reimported = h2sim::parse_xmile(text, name);
      check_identical(original, run_like(reimported, *model), name);
    }
    ++round_tripped;
  }
  CHECK(round_tripped >= 70);
}
