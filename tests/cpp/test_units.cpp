// Units: parsing unit strings into scale and base dimensions, conversions, and the
// equation checker check_units.
#include <catch2/catch.hpp>
#include <h2sim/h2sim.hpp>
#include <h2sim/units.hpp>
#include <map>
#include <string>
#include <vector>

using h2sim::check_units;
using h2sim::conversion_factor;
using h2sim::format_unit;
using h2sim::parse_unit;
using h2sim::same_dimension;
using h2sim::same_unit;
using h2sim::Unit;
using h2sim::UnitIssue;
using Exponents = std::map<std::string, int>;

namespace {

void require_unit(const std::string& text, double scale, const Exponents& exponents) {
  INFO("unit '" << text << "' parsed as " << format_unit(parse_unit(text)));
  const Unit u = parse_unit(text);
  CHECK(u.specified);
  CHECK(u.scale == Approx(scale).epsilon(1e-12));
  CHECK(u.exponents == exponents);
}

// The ParseError a bad unit string gives; fails the test when it parses.
h2sim::ParseError parse_error(const std::string& text) {
  try {
    const Unit u = parse_unit(text);
    FAIL("'" << text << "' parsed as " << format_unit(u) << " but should not parse");
  } catch (const h2sim::ParseError& e) {
    return e;
  }
  throw std::logic_error("unreachable");
}

h2sim::GraphicalFunction table(std::vector<double> x, std::vector<double> y, std::string x_units,
                               std::string y_units) {
  h2sim::GraphicalFunction gf;
  gf.x = std::move(x);
  gf.y = std::move(y);
  gf.x_units = std::move(x_units);
  gf.y_units = std::move(y_units);
  return gf;
}

std::string describe(const std::vector<UnitIssue>& issues) {
  std::string out;
  for (const auto& i : issues) out += h2sim::to_string(i) + "\n";
  return out;
}

// The only issue reported; fails unless there is exactly one.
UnitIssue single_issue(const h2sim::Model& model) {
  const auto issues = check_units(model);
  INFO(describe(issues));
  REQUIRE(issues.size() == 1);
  return issues[0];
}

}  // namespace

TEST_CASE("unit strings from hydrogen models parse into scale and base dimensions", "[units]") {
  require_unit("vehicles", 1, {{"vehicle", 1}});
  require_unit("vehicles/year", 1, {{"vehicle", 1}, {"year", -1}});
  require_unit("CNY/kg", 1, {{"CNY", 1}, {"kg", -1}});
  require_unit("t/day", 365000, {{"kg", 1}, {"year", -1}});
  require_unit("kg/(100 km)", 1e-5, {{"kg", 1}, {"m", -1}});
  require_unit("kg/100km", 1e-5, {{"kg", 1}, {"m", -1}});
  require_unit("kg/100 km", 1e-5, {{"kg", 1}, {"m", -1}});
  require_unit("1/year", 1, {{"year", -1}});
  require_unit("year^-1", 1, {{"year", -1}});
  require_unit("dimensionless", 1, {});
  require_unit("1", 1, {});
  require_unit("stations", 1, {{"station", 1}});
  require_unit("MW", 1e3 * 8760, {{"kWh", 1}, {"year", -1}});
  require_unit("kWh", 1, {{"kWh", 1}});
  require_unit("t CO2/year", 1000, {{"co2", 1}, {"kg", 1}, {"year", -1}});
  require_unit("%", 0.01, {});
  require_unit("people", 1, {{"person", 1}});
  require_unit("points", 1, {{"point", 1}});
  require_unit("CNY/kW", 1.0 / 8760, {{"CNY", 1}, {"kWh", -1}, {"year", 1}});
  require_unit("t/(vehicle*year)", 1000, {{"kg", 1}, {"vehicle", -1}, {"year", -1}});
  require_unit("km/year", 1000, {{"m", 1}, {"year", -1}});
  require_unit("m^2", 1, {{"m", 2}});
  require_unit("km2", 1e6, {{"m", 2}});
  require_unit("vehicles per year", 1, {{"vehicle", 1}, {"year", -1}});
}

TEST_CASE("an empty unit string is unspecified", "[units]") {
  CHECK_FALSE(parse_unit("").specified);
  CHECK_FALSE(parse_unit("   ").specified);
  CHECK(parse_unit("1").specified);
  CHECK_THROWS_AS(conversion_factor(parse_unit(""), parse_unit("kg")), h2sim::ModelError);
}

TEST_CASE("words fold case and plurals; known units are matched case-insensitively", "[units]") {
  CHECK(same_unit(parse_unit("vehicle"), parse_unit("Vehicles")));
  CHECK(same_unit(parse_unit("station"), parse_unit("STATIONS")));
  CHECK(same_unit(parse_unit("bus"), parse_unit("buses")));
  CHECK(same_unit(parse_unit("battery"), parse_unit("batteries")));
  CHECK(same_unit(parse_unit("person"), parse_unit("people")));
  CHECK(same_unit(parse_unit("years"), parse_unit("year")));
  CHECK(same_unit(parse_unit("tonnes"), parse_unit("t")));
  CHECK(same_unit(parse_unit("KWH"), parse_unit("kWh")));
  CHECK(same_unit(parse_unit("yr"), parse_unit("a")));
  // "m" is a metre and "M" a million: these two are not folded.
  CHECK(same_unit(parse_unit("M CNY"), parse_unit("1e6 CNY")));
  CHECK(same_unit(parse_unit("million CNY"), parse_unit("1e6 CNY")));
  CHECK(same_unit(parse_unit("10k CNY"), parse_unit("wan CNY")));
  CHECK(same_unit(parse_unit("bn USD"), parse_unit("1000 M USD")));
  CHECK(same_unit(parse_unit("m"), parse_unit("0.001 km")));
  CHECK_FALSE(same_dimension(parse_unit("t CO2"), parse_unit("t")));
  CHECK_FALSE(same_dimension(parse_unit("CNY"), parse_unit("USD")));
}

TEST_CASE("case never turns one SI prefix into another, and kWs is no plural", "[units]") {
  // Found by the third red-team run: "Mg" was read as mg (a factor 1e-9 against t), "mW" as
  // MW, "mJ" as MJ and "mt" as Mt, through the case-insensitive match; "kWs" was kW.
  for (const char* word : {"Mg", "mW", "mJ", "mt", "pJ", "gW", "TJ"})
    if (const std::string w = word; w != "TJ") {
      INFO(w);
      CHECK_THROWS_AS(conversion_factor(w == "Mg" || w == "mt" ? "t" : "kWh", w), h2sim::ModelError);
    }
  CHECK(conversion_factor("TJ", "GJ") == Approx(1000));  // written as it is: known
  CHECK_THROWS_AS(conversion_factor("kWs", "kW"), h2sim::ModelError);
  CHECK_FALSE(same_dimension(parse_unit("kWs"), parse_unit("kW")));
  // Folding that keeps the meaning still works.
  CHECK(conversion_factor("MWH", "kWh") == Approx(1000));
  CHECK(conversion_factor("KWh", "kWh") == Approx(1));
  CHECK(conversion_factor("Tonnes", "kg") == Approx(1000));
  CHECK(conversion_factor("kgs", "kg") == Approx(1));
}

TEST_CASE("conversion factors between units of the same dimension", "[units]") {
  CHECK(conversion_factor("t/day", "kg/year") == Approx(365000));
  CHECK(conversion_factor("kg/(100 km)", "kg/km") == Approx(0.01));
  CHECK(conversion_factor("kWh", "MJ") == Approx(3.6));
  CHECK(conversion_factor("GJ", "MWh") == Approx(1 / 3.6));
  CHECK(conversion_factor("MW", "kW") == Approx(1000));
  CHECK(conversion_factor("kW*hour", "kWh") == Approx(1));
  CHECK(conversion_factor("MW*day", "MWh") == Approx(24));
  CHECK(conversion_factor("kW", "kWh/year") == Approx(8760));
  CHECK(conversion_factor("Mt", "kt") == Approx(1000));
  CHECK(conversion_factor("g", "kg") == Approx(0.001));
  CHECK(conversion_factor("month", "year") == Approx(1.0 / 12));
  CHECK(conversion_factor("week", "day") == Approx(7));
  CHECK(conversion_factor("24 hours", "day") == Approx(1));
  CHECK(conversion_factor("%", "dimensionless") == Approx(0.01));
  CHECK(conversion_factor("L", "m^3") == Approx(0.001));
  CHECK_THROWS_AS(conversion_factor("kg", "km"), h2sim::ModelError);
  CHECK_THROWS_WITH(conversion_factor("vehicles", "stations"),
                    Catch::Contains("vehicles") && Catch::Contains("stations"));
}

TEST_CASE("format_unit writes base units that parse back to the same unit", "[units]") {
  CHECK(format_unit(parse_unit("t/day")) == "365000 kg/year");
  CHECK(format_unit(parse_unit("1/year")) == "1/year");
  CHECK(format_unit(parse_unit("dimensionless")) == "dimensionless");
  CHECK(format_unit(parse_unit("%")) == "0.01");
  CHECK(format_unit(parse_unit("CNY/(kWh*year)")) == "CNY/(kWh*year)");
  CHECK(format_unit(parse_unit("m^2/year^2")) == "m^2/year^2");
  CHECK(format_unit(parse_unit("")) == "unspecified");
  for (const char* text : {"vehicles", "t/day", "kg/(100 km)", "CNY/kW", "t CO2/year", "%", "MW",
                           "t/(vehicle*year)", "0.5/year", "m^2", "1/(vehicle*year)"}) {
    INFO(text << " -> " << format_unit(parse_unit(text)));
    CHECK(same_unit(parse_unit(format_unit(parse_unit(text))), parse_unit(text)));
  }
}

TEST_CASE("unit strings that do not parse say where and what was expected", "[units]") {
  {
    const auto e = parse_error("kg/(100 km");
    CHECK(e.where().column == 11);
    CHECK_THAT(e.message(), Catch::Contains("expected ')'") && Catch::Contains("column 4"));
  }
  {
    const auto e = parse_error("kg/");
    CHECK(e.where().column == 4);
    CHECK_THAT(e.message(), Catch::Contains("expected a unit after '/'"));
  }
  {
    const auto e = parse_error("kg*/s");
    CHECK(e.where().column == 4);
    CHECK_THAT(e.message(), Catch::Contains("expected a unit after '*'"));
  }
  {
    const auto e = parse_error("kg#");
    CHECK(e.where().column == 3);
    CHECK_THAT(e.message(), Catch::Contains("'#'"));
  }
  {
    const auto e = parse_error("kg)");
    CHECK(e.where().column == 3);
    CHECK_THAT(e.message(), Catch::Contains("')'"));
  }
  {
    const auto e = parse_error("m^");
    CHECK(e.where().column == 3);
    CHECK_THAT(e.message(), Catch::Contains("exponent"));
  }
  CHECK_THAT(parse_error("m^x").message(), Catch::Contains("exponent"));
  CHECK_THAT(parse_error("m^1.5").message(), Catch::Contains("whole"));
  CHECK_THAT(parse_error("/year").message(), Catch::Contains("expected a unit"));
  CHECK_THAT(parse_error("()").message(), Catch::Contains("expected a unit"));
  CHECK_THAT(parse_error("kg € ").message(), Catch::Contains("'€'"));
  // The error prints the unit string with a caret under the column.
  CHECK_THAT(std::string(parse_error("kg/").what()), Catch::Contains("kg/\n"));
}

// --- check_units ---------------------------------------------------------------------

namespace {

// A correct Bass diffusion model of fuel-cell vehicle adoption, with a lookup, a smooth,
// a trend, a step and literals in sums and comparisons.
h2sim::Model bass_model() {
  h2sim::Model m("bass");
  m.time().time_units = "years";
  m.add_stock("potential adopters", "total market - adopters0", {}, {"adoption"})
      .with_units("vehicles");
  m.add_stock("adopters", "adopters0", {"adoption"}, {}).with_units("vehicles");
  m.add_constant("adopters0", 100).with_units("vehicles");
  m.add_constant("total market", 1e6).with_units("vehicles");
  m.add_flow("adoption",
             "MAX(0, (advertising effectiveness * cost effect(relative cost) + contact rate * "
             "adoption fraction * adopters / total market) * potential adopters)")
      .with_units("vehicles/year");
  m.add_constant("advertising effectiveness", 0.01).with_units("1/year");
  m.add_constant("contact rate", 100).with_units("1/year");
  m.add_constant("adoption fraction", 0.015).with_units("dimensionless");
  m.add_lookup("cost effect", table({0, 1, 2}, {2, 1, 0}, "dimensionless", "dimensionless"));
  m.add_auxiliary("relative cost", "fuel cost per km / (diesel cost per km * (1 - subsidy share))")
      .with_units("dimensionless");
  m.add_auxiliary("fuel cost per km", "hydrogen price * consumption / 100").with_units("CNY/km");
  m.add_constant("hydrogen price", 35).with_units("CNY/kg");
  m.add_constant("consumption", 8).with_units("kg/100km");
  m.add_constant("diesel cost per km", 2).with_units("CNY/km");
  m.add_auxiliary("subsidy share", "STEP(0.2, 2025) + IF TIME > 2030 THEN 0 ELSE 0.1")
      .with_units("dimensionless");
  m.add_auxiliary("perceived adoption", "SMTH1(adoption, perception time, 0)")
      .with_units("vehicles/year");
  m.add_constant("perception time", 2).with_units("year");
  m.add_auxiliary("adoption trend", "TREND(adoption, perception time)").with_units("1/year");
  // consumption is per 100 km: the "/ 100" is the conversion, so no scale is checked here.
  m.add_auxiliary("hydrogen demand", "adopters * annual distance * consumption / 100")
      .with_units("kg/year");
  m.add_constant("annual distance", 50000).with_units("km/(vehicle*year)");
  m.add_auxiliary("daily demand", "hydrogen demand / 365").with_units("kg/day");
  m.add_auxiliary("share adopted", "adopters / total market * 100").with_units("dimensionless");
  m.add_auxiliary("growth", "(1 + adoption trend * perception time) ^ 2")
      .with_units("dimensionless");
  m.add_auxiliary("unknown thing", "adopters + mystery");  // mystery has no units: unchecked
  m.add_constant("mystery", 3);
  return m;
}

}  // namespace

TEST_CASE("a correct Bass adoption model has no unit issues", "[units]") {
  const h2sim::Model m = bass_model();
  const auto issues = check_units(m);
  INFO(describe(issues));
  CHECK(issues.empty());
  // And it is a model the compiler accepts, so the checker saw real equations.
  CHECK_NOTHROW(h2sim::compile_model(m));
}

TEST_CASE("a sum of vehicles and stations is reported with both units", "[units]") {
  h2sim::Model m("sum");
  m.add_constant("fleet", 10).with_units("vehicles");
  m.add_constant("stations built", 2).with_units("stations");
  m.add_auxiliary("total", "fleet + stations built").with_units("vehicles");
  const UnitIssue issue = single_issue(m);
  CHECK(issue.variable == "total");
  CHECK(issue.equation == "fleet + stations built");
  CHECK(issue.column == 7);  // the '+'
  CHECK(issue.is_error);
  CHECK_THAT(issue.message, Catch::Contains("'total'") && Catch::Contains("vehicles") &&
                                Catch::Contains("stations") && Catch::Contains("'+'"));
  CHECK(issue.found == "vehicles");
  CHECK(issue.expected == "stations");
}

TEST_CASE("a flow in t/day into a stock in kg is a scale mismatch", "[units]") {
  h2sim::Model m("storage");
  m.add_stock("inventory", "0", {"production"}, {}).with_units("kg");
  m.add_flow("production", "capacity").with_units("t/day");
  m.add_constant("capacity", 5).with_units("t/day");
  const UnitIssue issue = single_issue(m);
  CHECK(issue.variable == "inventory");
  CHECK(issue.equation == "inflow production");
  CHECK_THAT(issue.message, Catch::Contains("'inventory'") && Catch::Contains("'production'") &&
                                Catch::Contains("t/day") && Catch::Contains("kg/year") &&
                                Catch::Contains("365000"));
  CHECK_THAT(issue.found, Catch::Contains("t/day"));
  CHECK_THAT(issue.expected, Catch::Contains("kg/year"));
}

TEST_CASE("the time unit of flows follows the model's time unit", "[units]") {
  h2sim::Model m("days");
  m.time().time_units = "day";
  m.add_stock("inventory", "0", {"production"}, {"sales"}).with_units("t");
  m.add_flow("production", "5").with_units("t/day");
  m.add_flow("sales", "1").with_units("t/year");
  const UnitIssue issue = single_issue(m);
  CHECK(issue.equation == "outflow sales");
  CHECK_THAT(issue.message, Catch::Contains("t/year") && Catch::Contains("t/day"));
}

TEST_CASE("a scale mismatch inside an equation names both units", "[units]") {
  h2sim::Model m("scale");
  m.add_constant("pipeline", 3).with_units("t/day");
  m.add_constant("trucks", 1000).with_units("kg/year");
  m.add_auxiliary("supply", "pipeline + trucks").with_units("kg/year");
  const UnitIssue issue = single_issue(m);
  CHECK(issue.variable == "supply");
  CHECK_THAT(issue.message, Catch::Contains("t/day") && Catch::Contains("kg/year") &&
                                Catch::Contains("different scale"));
}

TEST_CASE("an equation whose unit differs from the declared one is reported", "[units]") {
  h2sim::Model m("declared");
  m.add_constant("price", 35).with_units("CNY/kg");
  m.add_constant("demand", 100).with_units("kg/year");
  m.add_auxiliary("spending", "price * demand").with_units("CNY");
  const UnitIssue issue = single_issue(m);
  CHECK(issue.variable == "spending");
  CHECK_THAT(issue.message, Catch::Contains("CNY/year") && Catch::Contains("CNY"));
}

TEST_CASE("EXP of a dimensioned argument is reported", "[units]") {
  h2sim::Model m("exp");
  m.add_constant("decay", 0.1).with_units("1/year");
  m.add_auxiliary("survival", "EXP(-decay)").with_units("dimensionless");
  m.add_auxiliary("ok", "EXP(-decay * TIME)").with_units("dimensionless");
  const UnitIssue issue = single_issue(m);
  CHECK(issue.variable == "survival");
  CHECK_THAT(issue.message, Catch::Contains("EXP") && Catch::Contains("1/year") &&
                                Catch::Contains("dimensionless"));
  CHECK(issue.column == 5);  // the argument
}

TEST_CASE("a lookup argument in the wrong unit is reported", "[units]") {
  h2sim::Model m("lookup");
  m.add_lookup("learning", table({0, 10, 100}, {1, 0.8, 0.5}, "GW", "dimensionless"));
  m.add_constant("installed capacity", 5).with_units("MW");
  m.add_auxiliary("cost factor", "learning(installed capacity)").with_units("dimensionless");
  m.add_auxiliary("good factor", "learning(installed capacity / 1000)").with_units("dimensionless");
  // MW and GW differ in scale; "/ 1000" converts, so only the first call is reported.
  const UnitIssue issue = single_issue(m);
  CHECK(issue.variable == "cost factor");
  CHECK_THAT(issue.message, Catch::Contains("'learning'") && Catch::Contains("MW") &&
                                Catch::Contains("GW") && Catch::Contains("'cost factor'"));
}

TEST_CASE("a lookup argument of another dimension and the result's y units", "[units]") {
  h2sim::Model m("lookup dims");
  m.add_lookup("availability effect", table({0, 1}, {0, 1}, "stations/vehicle", "dimensionless"));
  m.add_constant("stations", 10).with_units("stations");
  m.add_constant("fleet", 1000).with_units("vehicles");
  m.add_auxiliary("effect", "availability effect(stations / fleet)").with_units("dimensionless");
  m.add_auxiliary("wrong", "availability effect(stations)").with_units("dimensionless");
  m.add_auxiliary("wrong result", "availability effect(stations / fleet)").with_units("vehicles");
  const auto issues = check_units(m);
  INFO(describe(issues));
  REQUIRE(issues.size() == 2);
  CHECK(issues[0].variable == "wrong");
  CHECK(issues[0].found == "stations");
  CHECK(issues[0].expected == "stations/vehicle");
  CHECK(issues[1].variable == "wrong result");
  CHECK_THAT(issues[1].message, Catch::Contains("dimensionless") && Catch::Contains("vehicles"));
}

TEST_CASE("a SMTH1 whose averaging time is not a time is reported", "[units]") {
  h2sim::Model m("smooth");
  m.add_constant("price", 35).with_units("CNY/kg");
  m.add_constant("averaging", 3).with_units("vehicles");
  m.add_constant("months", 6).with_units("months");
  m.add_auxiliary("perceived price", "SMTH1(price, averaging)").with_units("CNY/kg");
  m.add_auxiliary("perceived price 2", "SMTH1(price, months)").with_units("CNY/kg");
  m.add_auxiliary("perceived price 3", "SMTH3(price, 2, 30)").with_units("CNY/kg");
  const auto issues = check_units(m);
  INFO(describe(issues));
  REQUIRE(issues.size() == 2);
  CHECK(issues[0].variable == "perceived price");
  CHECK_THAT(issues[0].message, Catch::Contains("SMTH1") && Catch::Contains("vehicles") &&
                                    Catch::Contains("year") &&
                                    Catch::Contains("'perceived price'"));
  // Months are a time, but the model counts in years: a scale mismatch.
  CHECK(issues[1].variable == "perceived price 2");
  CHECK_THAT(issues[1].message, Catch::Contains("months") && Catch::Contains("0.08333333333"));
}

TEST_CASE("literals adapt to sums and are plain numbers in products", "[units]") {
  h2sim::Model m("literals");
  m.add_constant("share", 0.3).with_units("dimensionless");
  m.add_constant("fleet", 10).with_units("vehicles");
  m.add_auxiliary("rest", "1 - share").with_units("dimensionless");
  m.add_auxiliary("double fleet", "2 * fleet").with_units("vehicles");
  m.add_auxiliary("inverse", "1 / fleet").with_units("1/vehicle");
  m.add_auxiliary("clamped", "IF fleet > 5 THEN fleet ELSE 0").with_units("vehicles");
  m.add_auxiliary("bad inverse", "1 / fleet").with_units("vehicles");
  const UnitIssue issue = single_issue(m);
  CHECK(issue.variable == "bad inverse");
}

TEST_CASE("IF branches, comparisons, MIN and MAX need the same unit", "[units]") {
  h2sim::Model m("branches");
  m.add_constant("fleet", 10).with_units("vehicles");
  m.add_constant("stations", 2).with_units("stations");
  m.add_auxiliary("a", "IF TIME > 2030 THEN fleet ELSE stations").with_units("vehicles");
  m.add_auxiliary("b", "IF fleet > stations THEN 1 ELSE 0").with_units("dimensionless");
  m.add_auxiliary("c", "MIN(fleet, stations)").with_units("vehicles");
  m.add_auxiliary("d", "MAX(fleet, 2 * fleet, 0)").with_units("vehicles");
  m.add_auxiliary("e", "IF TIME > 2030 THEN fleet ELSE 0").with_units("stations");
  const auto issues = check_units(m);
  INFO(describe(issues));
  REQUIRE(issues.size() == 4);
  CHECK(issues[0].variable == "a");
  CHECK(issues[1].variable == "b");
  CHECK(issues[2].variable == "c");
  CHECK(issues[3].variable == "e");
}

TEST_CASE("powers: numeric exponents multiply, others need dimensionless bases", "[units]") {
  h2sim::Model m("powers");
  m.add_constant("side", 3).with_units("m");
  m.add_constant("rate", 0.05).with_units("1/year");
  m.add_constant("elasticity", -0.5).with_units("dimensionless");
  m.add_constant("ratio", 1.2).with_units("dimensionless");
  m.add_auxiliary("area", "side ^ 2").with_units("m^2");
  m.add_auxiliary("root", "SQRT(area)").with_units("m");
  m.add_auxiliary("inverse area", "side ^ -2").with_units("1/m^2");
  m.add_auxiliary("response", "ratio ^ elasticity").with_units("dimensionless");
  m.add_auxiliary("bad growth", "(1 + rate) ^ TIME").with_units("dimensionless");
  m.add_auxiliary("bad base", "side ^ elasticity").with_units("m");
  m.add_auxiliary("bad root", "SQRT(side)").with_units("m");
  const auto issues = check_units(m);
  INFO(describe(issues));
  REQUIRE(issues.size() == 4);
  // (1 + rate) is in 1/year (the 1 adapts) and TIME in years: both are reported.
  CHECK(issues[0].variable == "bad growth");
  CHECK_THAT(issues[0].message, Catch::Contains("exponent") && Catch::Contains("year"));
  CHECK(issues[1].variable == "bad growth");
  CHECK_THAT(issues[1].message, Catch::Contains("base") && Catch::Contains("1/year"));
  CHECK(issues[2].variable == "bad base");
  CHECK(issues[3].variable == "bad root");
}

TEST_CASE("time functions: STEP, RAMP, PULSE, TREND and DELAY", "[units]") {
  h2sim::Model m("time functions");
  m.add_constant("subsidy", 1000).with_units("CNY/vehicle");
  m.add_constant("start", 2025).with_units("year");
  m.add_constant("fleet", 5).with_units("vehicles");
  m.add_constant("rollout rate", 100).with_units("stations/year");
  m.add_constant("build time", 2).with_units("years");
  m.add_constant("orders", 10).with_units("stations/year");
  m.add_auxiliary("subsidy now", "STEP(subsidy, start)").with_units("CNY/vehicle");
  m.add_auxiliary("stations", "RAMP(rollout rate, start, 2030)").with_units("stations");
  m.add_auxiliary("one off", "PULSE(fleet, start)").with_units("vehicles/year");
  m.add_auxiliary("fleet trend", "TREND(fleet, 3)").with_units("1/year");
  m.add_auxiliary("completions", "DELAY3(orders, build time)").with_units("stations/year");
  m.add_auxiliary("forecast", "FORCST(fleet, 1, 5)").with_units("vehicles");
  m.add_auxiliary("bad step", "STEP(subsidy, fleet)").with_units("CNY/vehicle");
  m.add_auxiliary("bad delay", "DELAY1(orders, build time, fleet)").with_units("stations/year");
  m.add_auxiliary("bad trend", "TREND(fleet, 3)").with_units("vehicles/year");
  const auto issues = check_units(m);
  INFO(describe(issues));
  REQUIRE(issues.size() == 3);
  CHECK(issues[0].variable == "bad step");
  CHECK_THAT(issues[0].message, Catch::Contains("STEP") && Catch::Contains("vehicles"));
  CHECK(issues[1].variable == "bad delay");
  CHECK_THAT(issues[1].message, Catch::Contains("DELAY1") && Catch::Contains("initial value"));
  CHECK(issues[2].variable == "bad trend");
}

TEST_CASE("array reductions keep the element unit; PROD multiplies", "[units]") {
  h2sim::Model m("arrays");
  m.add_dimension("segment", {"bus", "truck", "car"});
  m.add_constant("fleet", 10).with_units("vehicles").with_dimensions({"segment"});
  m.add_auxiliary("total", "SUM(fleet[*])").with_units("vehicles");
  m.add_auxiliary("largest", "MAX(fleet[*])").with_units("vehicles");
  m.add_auxiliary("average", "MEAN(fleet[*])").with_units("vehicles");
  m.add_auxiliary("product", "PROD(fleet[*])").with_units("vehicles^3");
  m.add_auxiliary("share", "fleet / SUM(fleet[*])")
      .with_units("dimensionless")
      .with_dimensions({"segment"});
  // An inner SUM's dimension is its own: PROD ranges over segment only.
  m.add_dimension("region", {"north", "south"});
  m.add_constant("weight", 0.5).with_units("dimensionless").with_dimensions({"region"});
  m.add_auxiliary("weighted product", "PROD(fleet[*] * SUM(weight[*]))")
      .with_units("vehicles^3");
  m.add_auxiliary("bad total", "SUM(fleet[*])").with_units("stations");
  const UnitIssue issue = single_issue(m);
  CHECK(issue.variable == "bad total");
}

TEST_CASE("variables without units are not checked, bad unit strings are reported", "[units]") {
  h2sim::Model m("unknowns");
  m.add_constant("fleet", 10).with_units("vehicles");
  m.add_constant("mystery", 2);
  m.add_auxiliary("anything", "fleet * mystery + fleet").with_units("stations");
  m.add_auxiliary("inner", "(fleet + mystery) * 2");
  m.add_auxiliary("broken", "fleet").with_units("vehicles/(year");
  const UnitIssue issue = single_issue(m);
  CHECK(issue.variable == "broken");
  CHECK(issue.equation == "vehicles/(year");
  CHECK_THAT(issue.message, Catch::Contains("expected ')'"));
}

TEST_CASE("a variable with a graphical function: equation in x units, declared y units",
          "[units]") {
  h2sim::Model m("gf variable");
  m.add_constant("stations", 10).with_units("stations");
  m.add_auxiliary("availability", "stations")
      .with_units("dimensionless")
      .with_graphical_function(table({0, 100}, {0, 1}, "stations", "dimensionless"));
  m.add_auxiliary("bad availability", "stations * 2")
      .with_units("vehicles")
      .with_graphical_function(table({0, 100}, {0, 1}, "stations", "dimensionless"));
  const UnitIssue issue = single_issue(m);
  CHECK(issue.variable == "bad availability");
  CHECK_THAT(issue.message, Catch::Contains("y units") && Catch::Contains("vehicles"));
}

TEST_CASE("a number in a product may convert scales; dimensions are still checked", "[units]") {
  h2sim::Model m("conversions");
  m.add_constant("capacity", 100).with_units("t/year");
  m.add_auxiliary("daily output", "capacity * 1000 / 365").with_units("kg/day");
  m.add_auxiliary("unconverted", "capacity").with_units("kg/day");
  m.add_auxiliary("wrong dimension", "capacity * 1000").with_units("kWh/day");
  const auto issues = check_units(m);
  INFO(describe(issues));
  REQUIRE(issues.size() == 2);
  CHECK(issues[0].variable == "unconverted");
  CHECK_THAT(issues[0].message, Catch::Contains("t/year") && Catch::Contains("kg/day") &&
                                    Catch::Contains("multiply by 2.739726027"));
  CHECK(issues[1].variable == "wrong dimension");
  CHECK(issues[1].found == "kg/year");  // the dimension only: the 1000 may be a conversion
}
