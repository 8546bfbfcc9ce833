// The XMILE reader: what it reads (checked by running the model), and the malformed
// files in tests/data/xmile_bad/, each of which must give an h2sim::Error that names
// the file and the line at fault (never a crash, never a model that runs wrongly).
#include <filesystem>
#include <h2sim/xmile.hpp>

#include "test_support.hpp"

using Catch::Matchers::Contains;
using h2sim::Method;
using namespace h2test;

namespace {

std::string xmile(const std::string& sim_specs, const std::string& body,
                  const std::string& extra = {}) {
  return "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n"
         "<xmile version=\"1.0\" xmlns=\"http://docs.oasis-open.org/xmile/ns/XMILE/v1.0\">\n" +
         sim_specs + extra + "<model><variables>\n" + body + "</variables></model>\n</xmile>\n";
}

const std::string kSpecs =
    "<sim_specs method=\"Euler\"><start>0</start><stop>4</stop><dt>1</dt></sim_specs>\n";

}  // namespace

TEST_CASE("XMILE sim_specs: start, stop, dt (reciprocal), save interval and method", "[xmile]") {
  const auto model = h2sim::parse_xmile(
      xmile("<sim_specs method=\"RK4\" time_units=\"Months\"><start>2</start><stop>6</stop>"
            "<dt reciprocal=\"true\">4</dt><save_interval>0.5</save_interval></sim_specs>\n",
            "<aux name=\"x\"><eqn>1</eqn></aux>\n"),
      "specs.xmile");
  CHECK(model.time().start == 2);
  CHECK(model.time().stop == 6);
  CHECK(model.time().dt == 0.25);
  CHECK(model.time().save_every == 0.5);
  CHECK(model.time().method == Method::RK4);
  CHECK(model.time().time_units == "Months");
}

TEST_CASE("XMILE stocks, flows, non-negative behaviour and names", "[xmile]") {
  // Names are case-insensitive, with spaces and underscores alike; quoted names and \n.
  const auto model = h2sim::parse_xmile(
      xmile(kSpecs,
            "<stock name=\"Water\\nin Tank\"><eqn>3</eqn><outflow>\"Drain Rate\"</outflow>"
            "<units>litres</units><doc>The tank.</doc></stock>\n"
            "<flow name=\"drain_rate\"><eqn>2</eqn></flow>\n"
            "<stock name=\"Free\"><eqn>3</eqn><outflow>drain_rate</outflow>"
            "<non_negative>false</non_negative></stock>\n"
            "<aux name=\"reading\"><eqn>WATER_IN_TANK * 10</eqn></aux>\n",
            "<behavior><stock><non_negative/></stock></behavior>\n"),
      "names.xmile");
  const h2sim::Variable* tank = model.find("water in tank");
  REQUIRE(tank != nullptr);
  CHECK(tank->name == "Water in Tank");
  CHECK(tank->units == "litres");
  CHECK(tank->description == "The tank.");
  CHECK(tank->non_negative);
  CHECK_FALSE(model.find("free")->non_negative);
  CHECK(tank->location.file == "names.xmile");
  CHECK(tank->location.line == 6);
  const auto r = run(model);
  CHECK(value_at(r, "Water in Tank", 1) == 1);
  CHECK(value_at(r, "Water in Tank", 2) == 0);  // held at zero by behavior
  CHECK(value_at(r, "Water in Tank", 4) == 0);
  CHECK(value_at(r, "Free", 4) == -5);
  CHECK(value_at(r, "reading", 1) == 10);
}

TEST_CASE("XMILE graphical functions: in a variable, standalone, xscale and types", "[xmile]") {
  const auto model = h2sim::parse_xmile(
      xmile(kSpecs,
            "<gf name=\"table\" type=\"discrete\"><xpts "
            "sep=\";\">0;2;4</xpts><ypts>10,20,30</ypts></gf>\n"
            "<aux name=\"stepped\"><eqn>table(TIME)</eqn></aux>\n"
            "<aux name=\"ramped\"><eqn>TIME</eqn>"
            "<gf><xscale min=\"0\" max=\"2\"/><ypts>0,5,10</ypts></gf></aux>\n"
            "<aux name=\"extrapolated\"><eqn>TIME</eqn>"
            "<gf type=\"extrapolate\"><xpts>0,1</xpts><ypts>0,3</ypts></gf></aux>\n"),
      "gf.xmile");
  const auto r = run(model);
  CHECK(value_at(r, "stepped", 1) == 10);
  CHECK(value_at(r, "stepped", 3) == 20);
  CHECK(value_at(r, "ramped", 1) == 5);
  CHECK(value_at(r, "ramped", 4) == 10);  // held at the last point
  CHECK(value_at(r, "extrapolated", 4) == 12);
}

TEST_CASE("XMILE arrays: apply-to-all, per-element, number lists and several <eqn>", "[xmile]") {
  const auto model = h2sim::parse_xmile(
      xmile(
          kSpecs,
          "<aux name=\"base\"><dimensions><dim name=\"region\"/></dimensions><eqn>1, 2, "
          "3</eqn></aux>\n"
          "<aux name=\"grid\"><dimensions><dim name=\"region\"/><dim name=\"size\"/></dimensions>"
          "<eqn>1, 2; 3, 4; 5, 6</eqn></aux>\n"
          "<aux name=\"each\"><dimensions><dim name=\"size\"/></dimensions>"
          "<eqn>TIME</eqn><eqn>10 * TIME</eqn></aux>\n"
          "<aux name=\"special\"><dimensions><dim name=\"region\"/></dimensions><eqn>base * 2</eqn>"
          "<element subscript=\"South\"><eqn>-1</eqn></element></aux>\n"
          "<aux name=\"total\"><eqn>SUM(base[*])</eqn></aux>\n",
          "<dimensions><dim name=\"region\"><elem name=\"north\"/><elem name=\"south\"/>"
          "<elem name=\"west\"/></dim><dim name=\"size\" size=\"2\"/></dimensions>\n"),
      "arrays.xmile");
  const auto r = run(model);
  CHECK(value_at(r, "base[west]", 0) == 3);
  CHECK(value_at(r, "grid[south,2]", 0) == 4);
  CHECK(value_at(r, "grid[west,1]", 0) == 5);
  CHECK(value_at(r, "each[2]", 3) == 30);
  CHECK(value_at(r, "special[north]", 0) == 2);
  CHECK(value_at(r, "special[south]", 0) == -1);
  CHECK(value_at(r, "total", 0) == 6);
}

TEST_CASE("XMILE modules are inlined with prefixed names and connected inputs", "[xmile]") {
  const std::string text =
      "<?xml version=\"1.0\"?>\n<xmile version=\"1.0\" "
      "xmlns=\"http://docs.oasis-open.org/xmile/ns/XMILE/v1.0\">\n" +
      kSpecs +
      "<model><variables>\n"
      "<aux name=\"rate\"><eqn>3</eqn></aux>\n"
      "<module name=\"tank\"><connect to=\"inflow rate\" from=\".rate\"/></module>\n"
      "<aux name=\"double level\"><eqn>2 * tank.level</eqn></aux>\n"
      "</variables></model>\n"
      "<model name=\"tank\"><variables>\n"
      "<stock name=\"level\"><eqn>1</eqn><inflow>filling</inflow></stock>\n"
      "<flow name=\"filling\"><eqn>inflow_rate</eqn></flow>\n"
      "<aux name=\"inflow rate\"><eqn>{unconnected}</eqn></aux>\n"
      "</variables></model>\n</xmile>\n";
  const auto model = h2sim::parse_xmile(text, "modules.xmile");
  REQUIRE(model.find("tank.level") != nullptr);
  const auto r = run(model);
  CHECK(value_at(r, "tank.level", 2) == 7);
  CHECK(value_at(r, "tank.filling", 2) == 3);
  CHECK(value_at(r, "double level", 2) == 14);
}

TEST_CASE("malformed XMILE files give located errors", "[xmile][errors]") {
  struct BadFile {
    const char* file;
    int line;
    h2sim::ErrorKind kind;
    const char* says;
  };
  const BadFile cases[] = {
      {"bad_xml.xmile", 15, h2sim::ErrorKind::Parse, "not well-formed XML"},
      {"empty.xmile", 1, h2sim::ErrorKind::Parse, "not well-formed XML"},
      {"unknown_builtin.xmile", 13, h2sim::ErrorKind::Model, "unknown function 'smoothe'"},
      {"missing_stock_equation.xmile", 10, h2sim::ErrorKind::Model, "no initial value"},
      {"dangling_flow.xmile", 13, h2sim::ErrorKind::Model, "unknown outflow 'shipments'"},
      {"bad_dimension.xmile", 18, h2sim::ErrorKind::Model, "unknown dimension 'segment'"},
      {"bad_element.xmile", 23, h2sim::ErrorKind::Model,
       "'east' is not an element of dimension 'region'"},
      {"bad_equation.xmile", 11, h2sim::ErrorKind::Parse, "expected a number, a name or '('"},
      {"unsupported_conveyor.xmile", 12, h2sim::ErrorKind::Model, "<conveyor> (Stella's conveyors"},
      {"unsupported_macro.xmile", 15, h2sim::ErrorKind::Model, "macros"},
      {"bad_sim_specs.xmile", 5, h2sim::ErrorKind::Model, "<stop> must be a number"},
  };
  const std::filesystem::path folder = std::filesystem::path(H2SIM_TEST_DATA_DIR) / "xmile_bad";
  std::size_t files = 0;
  for (const auto& entry : std::filesystem::directory_iterator(folder))
    files += entry.path().extension() == ".xmile" ? 1 : 0;
  CHECK(files == std::size(cases));  // every file in the corpus is checked here
  for (const BadFile& bad : cases) {
    const std::string path = (folder / bad.file).string();
    INFO("file " << bad.file);
    try {
      (void)h2sim::load_xmile(path);
      FAIL("loaded without an error");
    } catch (const h2sim::Error& e) {
      INFO(e.what());
      CHECK(e.kind() == bad.kind);
      CHECK(e.where().file == path);
      CHECK(e.where().line == bad.line);
      CHECK_THAT(e.message(), Contains(bad.says));
      CHECK_THAT(std::string(e.what()), Contains(path + ":" + std::to_string(bad.line)));
    }
  }
}

TEST_CASE("a missing XMILE file is a located error", "[xmile][errors]") {
  try {
    (void)h2sim::load_xmile("/nonexistent/model.xmile");
    FAIL("loaded a file that does not exist");
  } catch (const h2sim::Error& e) {
    CHECK(e.where().file == "/nonexistent/model.xmile");
    CHECK_THAT(e.message(), Contains("cannot open"));
  }
}

// What the conformance cases tests/exponentiation and tests/arithmetics_exp expect of
// XMILE equations: ^ above unary minus, grouping right to left.
TEST_CASE("XMILE equations: exponentiation precedence and grouping", "[xmile][parser]") {
  const auto model = h2sim::parse_xmile(xmile(kSpecs,
                                              "<aux name=\"a\"><eqn>-2^2</eqn></aux>\n"
                                              "<aux name=\"b\"><eqn>2^3^2</eqn></aux>\n"
                                              "<aux name=\"c\"><eqn>2^-1^2</eqn></aux>\n"
                                              "<aux name=\"d\"><eqn>- TIME ^ 2</eqn></aux>\n"),
                                        "powers.xmile");
  const auto r = run(model);
  CHECK(value_at(r, "a", 0) == -4);
  CHECK(value_at(r, "b", 0) == 512);
  CHECK(value_at(r, "c", 0) == 0.5);  // 2^(-(1^2))
  CHECK(value_at(r, "d", 3) == -9);
}

// XMILE asks readers to skip elements they do not know (Stella writes <default_format/>
// into every file): the model loads, and one warning lists what was skipped, with lines.
TEST_CASE("XMILE: unknown top-level and model elements are skipped with a warning", "[xmile]") {
  const std::string text =
      R"(<xmile version="1.0" xmlns="http://docs.oasis-open.org/xmile/ns/XMILE/v1.0">
<sim_specs><start>0</start><stop>2</stop><dt>1</dt></sim_specs>
<default_format/>
<model>
<something_new/>
<variables><aux name="x"><eqn>3</eqn><isee:delay_aux/></aux>
<aux name="y"><eqn>x</eqn><isee:delay_aux/></aux></variables>
<views><view/></views>
</model>
</xmile>)";
  std::vector<std::string> warnings;
  const h2sim::Model model = h2sim::parse_xmile(text, "stella.xmile", &warnings);
  REQUIRE(warnings.size() == 1);
  CHECK_THAT(warnings[0], Contains("stella.xmile:3: skipped"));
  CHECK_THAT(warnings[0], Contains("<default_format> (line 3)"));
  CHECK_THAT(warnings[0], Contains("<something_new> (line 5)"));
  CHECK_THAT(warnings[0], Contains("<isee:delay_aux> (line 6, 2 times)"));
  CHECK_THAT(warnings[0], Contains("<views> (line 8)"));
  CHECK(h2sim::simulate(h2sim::compile_model(model)).column("x")(0) == 3.0);
  // A variable kind it does not know still changes the meaning: refused.
  const std::string conveyor = R"(<xmile version="1.0">
<sim_specs><start>0</start><stop>2</stop><dt>1</dt></sim_specs>
<model><variables><belt name="x"><eqn>3</eqn></belt></variables></model>
</xmile>)";
  CHECK_THROWS_WITH(h2sim::parse_xmile(conveyor, "belt.xmile"),
                    Catch::Contains("belt.xmile:3") && Catch::Contains("<belt>"));
}
