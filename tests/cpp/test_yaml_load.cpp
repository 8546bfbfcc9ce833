// The YAML front end against the C++ API and against numbers that can be trusted: each
// example in scenarios/examples loads; the same model built in code gives the same bits;
// the Bass example follows the closed form; scenario overrides and lever schedules change
// exactly what they say and nothing else; the inspection views list every variable.
#include <algorithm>
#include <cmath>
#include <filesystem>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "test_support.hpp"

namespace fs = std::filesystem;
using h2sim::Method;
using h2sim::Model;
using h2sim::VariableKind;

namespace {

const fs::path kExamples = fs::path(H2SIM_TEST_DATA_DIR) / ".." / ".." / "scenarios" / "examples";

std::string example(const std::string& name) { return (kExamples / name).string(); }

h2sim::Result run_all(const Model& model, h2sim::SimulationOptions options = {}) {
  return h2sim::simulate(h2sim::compile_model(model), options);
}

// Same outputs, same times, same values to the bit.
void require_identical(const h2sim::Result& a, const h2sim::Result& b) {
  REQUIRE(a.times.size() == b.times.size());
  for (std::size_t i = 0; i < a.times.size(); ++i) REQUIRE(a.times[i] == b.times[i]);
  std::vector<std::string> names_a = a.names, names_b = b.names;
  std::sort(names_a.begin(), names_a.end());
  std::sort(names_b.begin(), names_b.end());
  REQUIRE(names_a == names_b);
  for (std::size_t k = 0; k < a.names.size(); ++k) {
    const int ca = static_cast<int>(k);
    const int cb = b.find(a.names[k]);
    INFO("output " << a.names[k]);
    REQUIRE(cb >= 0);
    CHECK(a.units[k] == b.units[static_cast<std::size_t>(cb)]);
    for (std::size_t i = 0; i < a.times.size(); ++i) {
      INFO("t = " << a.times[i] << ": " << h2test::describe(a.at(i, ca)) << " vs "
                  << h2test::describe(b.at(i, cb)));
      REQUIRE(a.at(i, ca) == b.at(i, cb));
    }
  }
}

void set_time(Model& m, double start, double stop, double dt, double save_every, Method method) {
  m.time().start = start;
  m.time().stop = stop;
  m.time().dt = dt;
  m.time().save_every = save_every;
  m.time().method = method;
}

Model bass_in_code() {
  Model m("bass_diffusion");
  set_time(m, 0, 20, 0.125, 1, Method::RK4);
  m.add_constant("p", 0.03).with_units("1/year");
  m.add_constant("q", 0.38).with_units("1/year");
  m.add_constant("market", 10000).with_units("vehicles");
  m.add_stock("adopters", "0", {"adoption"}).with_units("vehicles");
  m.add_flow("adoption", "(p + q * adopters / market) * (market - adopters)")
      .with_units("vehicles/year");
  m.add_auxiliary("adopted_fraction", "adopters / market").with_units("dimensionless");
  return m;
}

Model first_order_delay_in_code() {
  Model m("station_pipeline");
  set_time(m, 2020, 2030, 0.0625, 0.5, Method::RK4);
  m.add_constant("approvals_per_year", 10).with_units("stations/year");
  m.add_constant("build_time", 1.5).with_units("year");
  m.add_stock("under_construction", "0", {"starts"}, {"completions"}).with_units("stations");
  m.add_stock("operating", "0", {"completions"}).with_units("stations");
  m.add_flow("starts", "approvals").with_units("stations/year");
  m.add_flow("completions", "under_construction / build_time").with_units("stations/year");
  m.add_auxiliary("approvals", "STEP(approvals_per_year, 2021)").with_units("stations/year");
  m.add_auxiliary("openings_by_delay1", "DELAY1(approvals, build_time)")
      .with_units("stations/year");
  return m;
}

Model arrayed_fleet_in_code() {
  Model m("arrayed_fleet");
  set_time(m, 2020, 2030, 0.25, 1, Method::Euler);
  m.add_dimension("segment", {"bus", "logistics", "heavy_truck", "car"});
  m.add_dimension("city", {"hangzhou", "ningbo", "jiaxing"});
  m.add_constant("base_sales", 0).with_dimensions({"segment"}).with_units("vehicles/year");
  m.set_constant("base_sales", 100, {"bus"});
  m.set_constant("base_sales", 150, {"logistics"});
  m.set_constant("base_sales", 30, {"heavy_truck"});
  m.set_constant("base_sales", 20, {"car"});
  m.add_constant("city_share", 0).with_dimensions({"city"}).with_units("dimensionless");
  m.set_constant("city_share", 0.3, {"hangzhou"});
  m.set_constant("city_share", 0.2, {"ningbo"});
  m.set_constant("city_share", 0.5, {"jiaxing"});
  m.add_constant("sales_growth", 0.2).with_units("1/year");
  m.add_constant("vehicle_life", 0).with_dimensions({"segment"}).with_units("year");
  m.set_constant("vehicle_life", 8, {"bus"});
  m.set_constant("vehicle_life", 6, {"logistics"});
  m.set_constant("vehicle_life", 6, {"heavy_truck"});
  m.set_constant("vehicle_life", 10, {"car"});
  m.add_stock("fleet", "0", {"sales"}, {"retirements"})
      .with_dimensions({"segment", "city"})
      .with_units("vehicles");
  m.add_flow("sales", "base_sales[segment] * city_share[city] * EXP(sales_growth * (TIME - 2020))")
      .with_dimensions({"segment", "city"})
      .with_units("vehicles/year");
  m.add_flow("retirements", "fleet / vehicle_life")
      .with_dimensions({"segment", "city"})
      .with_units("vehicles/year");
  m.add_auxiliary("fleet_by_segment", "SUM(fleet[segment, *])")
      .with_dimensions({"segment"})
      .with_units("vehicles");
  m.add_auxiliary("fleet_total", "SUM(fleet[*, *])").with_units("vehicles");
  m.add_auxiliary("bus_share_in_jiaxing", "SAFEDIV(fleet[bus, jiaxing], SUM(fleet[*, jiaxing]))")
      .with_units("dimensionless");
  return m;
}

// Bass (1969): the adopted fraction F(t) for a market that starts empty.
double bass_fraction(double p, double q, double t) {
  const double e = std::exp(-(p + q) * t);
  return (1 - e) / (1 + (q / p) * e);
}

const h2sim::Variable& variable(const Model& m, const std::string& name) {
  const h2sim::Variable* v = m.find(name);
  INFO("variable " << name);
  REQUIRE(v != nullptr);
  return *v;
}

// Everything a scenario could change about a variable, as text, for comparisons.
std::string definition(const h2sim::Variable& v) {
  std::string s =
      v.name + "|" + std::to_string(static_cast<int>(v.kind)) + "|" + v.equation.text() + "|" +
      v.units + "|" + v.description + "|" + v.source + "|" + (v.non_negative ? "nn" : "") +
      (v.lever ? "lever" : "") + "|" + (v.graphical_function ? "gf" : "") + "|" +
      (v.uncertainty
           ? std::to_string(v.uncertainty->low) + ".." + std::to_string(v.uncertainty->high)
           : "");
  for (const auto& d : v.dimensions) s += "|dim " + d;
  for (const auto& f : v.inflows) s += "|in " + f;
  for (const auto& f : v.outflows) s += "|out " + f;
  for (const auto& eq : v.element_equations) s += "|eq " + eq.equation.text();
  return s;
}

// Variables whose definition differs between two models (by name, both ways).
std::set<std::string> changed_variables(const Model& a, const Model& b) {
  std::set<std::string> changed;
  for (const auto& v : a.variables()) {
    const h2sim::Variable* w = b.find(v.name);
    if (w == nullptr || definition(v) != definition(*w)) changed.insert(v.name);
  }
  for (const auto& w : b.variables())
    if (a.find(w.name) == nullptr) changed.insert(w.name);
  return changed;
}

// Parameter values of the compiled model, by name.
std::map<std::string, double> parameter_values(const Model& m) {
  std::map<std::string, double> values;
  const h2sim::Program program = h2sim::compile_model(m);
  for (const auto& p : program.parameters()) values[p.name] = p.value;
  return values;
}

}  // namespace

TEST_CASE("yaml load: every example loads, compiles, runs and has consistent units",
          "[yaml][examples]") {
  int count = 0;
  for (const auto& entry : fs::directory_iterator(kExamples)) {
    if (!entry.is_regular_file() || entry.path().extension() != ".yaml") continue;
    ++count;
    INFO(entry.path().filename().string());
    const h2sim::Scenario s = h2sim::load_scenario(entry.path().string());
    CHECK(s.warnings.empty());
    CHECK(!s.model.variables().empty());
    const h2sim::Result r = run_all(s.model);
    CHECK(r.times.size() > 1);
    CHECK(r.matrix().allFinite());
  }
  CHECK(count >= 6);
  // A component runs on its own too, with its inputs' default values.
  // Euler at dt = 0.25 on dC/dt = (10 * 1.2 - C) / 2 from C = 10, for 10 years.
  const h2sim::Scenario component =
      h2sim::load_scenario(example("components/hydrogen_supply.yaml"));
  h2sim::SimulationOptions clock;
  clock.start = 0;
  clock.stop = 10;
  clock.dt = 0.25;
  clock.method = Method::Euler;
  H2_CHECK_NEAR(h2test::final_value(run_all(component.model, clock), "capacity"),
                12 - 2 * std::pow(0.875, 40), 1e-9);
}

TEST_CASE("yaml load: bass_diffusion equals the model built in code, bit for bit",
          "[yaml][examples]") {
  const h2sim::Scenario s = h2sim::load_scenario(example("bass_diffusion.yaml"));
  CHECK(s.model.name() == "bass_diffusion");
  CHECK(s.model.time().method == Method::RK4);
  CHECK(s.model.time().dt == 0.125);
  CHECK(s.outputs == std::vector<std::string>{"adopters", "adoption", "adopted_fraction"});
  CHECK(variable(s.model, "p").uncertainty.has_value());
  CHECK(variable(s.model, "p").source.find("Bass (1969)") != std::string::npos);
  require_identical(run_all(s.model), run_all(bass_in_code()));
}

TEST_CASE("yaml load: first_order_delay equals the model built in code, bit for bit",
          "[yaml][examples]") {
  const h2sim::Scenario s = h2sim::load_scenario(example("first_order_delay.yaml"));
  require_identical(run_all(s.model), run_all(first_order_delay_in_code()));
}

TEST_CASE("yaml load: arrayed_fleet equals the model built in code, bit for bit",
          "[yaml][examples][arrays]") {
  const h2sim::Scenario s = h2sim::load_scenario(example("arrayed_fleet.yaml"));
  const h2sim::Result from_yaml = run_all(s.model);
  require_identical(from_yaml, run_all(arrayed_fleet_in_code()));

  // And the numbers: Euler at dt = 0.25 on dF/dt = sales - F / life, by hand.
  const std::map<std::string, std::pair<double, double>> segments = {
      {"bus", {100, 8}}, {"logistics", {150, 6}}, {"heavy_truck", {30, 6}}, {"car", {20, 10}}};
  const std::map<std::string, double> shares = {
      {"hangzhou", 0.3}, {"ningbo", 0.2}, {"jiaxing", 0.5}};
  double total = 0, jiaxing = 0, bus_jiaxing = 0;
  for (const auto& [segment, sales_life] : segments) {
    for (const auto& [city, share] : shares) {
      double fleet = 0;
      for (int n = 0; n < 40; ++n) {
        const double t = 2020 + 0.25 * n;
        fleet += 0.25 * (sales_life.first * share * std::exp(0.2 * (t - 2020)) -
                         fleet / sales_life.second);
      }
      H2_CHECK_REL(h2test::value_at(from_yaml, "fleet[" + segment + "," + city + "]", 2030), fleet,
                   1e-12);
      total += fleet;
      if (city == "jiaxing") jiaxing += fleet;
      if (city == "jiaxing" && segment == "bus") bus_jiaxing = fleet;
    }
  }
  H2_CHECK_REL(h2test::value_at(from_yaml, "fleet_total", 2030), total, 1e-12);
  H2_CHECK_REL(h2test::value_at(from_yaml, "bus_share_in_jiaxing", 2030), bus_jiaxing / jiaxing,
               1e-12);
  // SAFEDIV gives 0 while Jiaxing has no vehicles.
  CHECK(h2test::value_at(from_yaml, "bus_share_in_jiaxing", 2020) == 0.0);
}

TEST_CASE("yaml load: the Bass example follows the closed form within RK4's error",
          "[yaml][examples][closed-form]") {
  const h2sim::Scenario s = h2sim::load_scenario(example("bass_diffusion.yaml"));
  const h2sim::Result r = run_all(s.model);
  REQUIRE(r.times.size() == 21);
  double worst = 0;
  for (std::size_t i = 0; i < r.times.size(); ++i) {
    const double t = r.times[i];
    const double expected = 10000 * bass_fraction(0.03, 0.38, t);
    const double adopters = h2test::value_at(r, "adopters", t);
    INFO("t = " << t);
    H2_CHECK_NEAR(adopters, expected, 1e-3);
    H2_CHECK_NEAR(h2test::value_at(r, "adopted_fraction", t), expected / 10000, 1e-7);
    worst = std::max(worst, std::abs(adopters - expected));
  }
  // Not trivially met: about half the market has adopted by year 7.5, nearly all by 20.
  H2_CHECK_NEAR(h2test::value_at(r, "adopters", 8), 10000 * bass_fraction(0.03, 0.38, 8), 1e-3);
  CHECK(h2test::value_at(r, "adopters", 8) > 5000);
  CHECK(h2test::value_at(r, "adopters", 20) > 9900);
  // A coarser step is measurably worse (the tolerance above is RK4's, not a loose one).
  h2sim::SimulationOptions coarse;
  coarse.dt = 1.0;
  const h2sim::Result rc = run_all(s.model, coarse);
  CHECK(std::abs(h2test::value_at(rc, "adopters", 8) - 10000 * bass_fraction(0.03, 0.38, 8)) >
        10 * worst);
}

TEST_CASE("yaml load: DELAY1 equals the explicit construction pipeline",
          "[yaml][examples][delay]") {
  const h2sim::Scenario s = h2sim::load_scenario(example("first_order_delay.yaml"));
  const h2sim::Result r = run_all(s.model);
  const auto explicit_pipeline = r.column("completions");
  const auto by_delay1 = r.column("openings_by_delay1");
  for (std::size_t i = 0; i < r.times.size(); ++i)
    H2_CHECK_NEAR(by_delay1(i), explicit_pipeline(i), 1e-12);
  // Nothing is approved before 2021; afterwards completions approach 10 stations a year:
  // 10 (1 - e^{-(t - 2021) / 1.5}) in the exact solution.
  CHECK(h2test::value_at(r, "completions", 2021) == 0.0);
  H2_CHECK_NEAR(h2test::value_at(r, "completions", 2030), 10 * (1 - std::exp(-9 / 1.5)), 1e-6);
  // Stations are conserved: approvals so far = under construction + operating.
  H2_CHECK_NEAR(
      h2test::value_at(r, "under_construction", 2030) + h2test::value_at(r, "operating", 2030),
      90.0, 1e-9);
}

TEST_CASE("yaml load: a scenario's parameter override changes that constant and nothing else",
          "[yaml][scenario]") {
  const Model model = h2sim::load_model(example("bass_diffusion.yaml"));
  const h2sim::Scenario base = h2sim::load_scenario(example("scenario_base.yaml"));
  CHECK(base.name == "bass_base");
  CHECK(base.chain.size() == 1);
  REQUIRE(base.parameters.size() == 1);
  CHECK(base.parameters[0] == std::pair<std::string, double>{"market", 5000});
  CHECK(changed_variables(model, base.model) == std::set<std::string>{"market"});
  const auto before = parameter_values(model);
  const auto after = parameter_values(base.model);
  REQUIRE(before.size() == after.size());
  for (const auto& [name, value] : before) {
    INFO(name);
    CHECK(after.at(name) == (name == "market" ? 5000.0 : value));
  }
  // The scenario's clock replaces the model's; what it does not name is kept.
  CHECK(base.model.time().start == 2020);
  CHECK(base.model.time().stop == 2035);
  CHECK(base.model.time().method == Method::RK4);
  CHECK(base.outputs == std::vector<std::string>{"adopters", "adoption"});
  // The market really is 5000: the run ends near it.
  H2_CHECK_NEAR(h2test::final_value(run_all(base.model), "adopters"),
                5000 * bass_fraction(0.03, 0.38, 15), 1e-3);
}

TEST_CASE("yaml load: lever schedules drive exactly their constants, as scheduled",
          "[yaml][scenario][levers]") {
  const h2sim::Scenario base = h2sim::load_scenario(example("scenario_base.yaml"));
  const h2sim::Scenario variant = h2sim::load_scenario(example("scenario_variant.yaml"));
  CHECK(variant.name == "bass_marketing_push");
  REQUIRE(variant.chain.size() == 2);
  CHECK(fs::path(variant.chain[0]).filename() == "scenario_base.yaml");
  CHECK(fs::path(variant.chain[1]).filename() == "scenario_variant.yaml");
  // Inherited from the base: the market override, the clock; the outputs are its own.
  CHECK(variable(variant.model, "market").equation.text() ==
        variable(base.model, "market").equation.text());
  CHECK(variant.model.time().stop == 2035);
  CHECK(variant.outputs == std::vector<std::string>{"adopters", "adoption", "p", "q"});
  CHECK(changed_variables(base.model, variant.model) == std::set<std::string>{"p", "q"});

  REQUIRE(variant.levers.size() == 2);
  const h2sim::LeverSchedule& p = variant.levers[0];
  CHECK(p.name == "p");
  CHECK(p.kind == h2sim::LeverSchedule::Kind::Step);
  CHECK(p.times == std::vector<double>{2025, 2030});
  CHECK(p.values == std::vector<double>{0.06, 0.03});
  const h2sim::LeverSchedule& q = variant.levers[1];
  CHECK(q.name == "q");
  CHECK(q.kind == h2sim::LeverSchedule::Kind::Ramp);
  CHECK(q.times == std::vector<double>{2022, 2028});
  CHECK(q.values == std::vector<double>{0.38, 0.45});

  h2sim::SimulationOptions every_step;
  every_step.save_every = 0.125;
  const h2sim::Result r = run_all(variant.model, every_step);
  REQUIRE(r.times.size() == 15 * 8 + 1);
  for (std::size_t i = 0; i < r.times.size(); ++i) {
    const double t = r.times[i];
    INFO("t = " << t);
    const double p_expected = t < 2025 ? 0.03 : t < 2030 ? 0.06 : 0.03;
    CHECK(h2test::value_at(r, "p", t) == p_expected);
    const double q_expected = t <= 2022   ? 0.38
                              : t >= 2028 ? 0.45
                                          : 0.38 + (0.45 - 0.38) * (t - 2022) / 6;
    H2_CHECK_NEAR(h2test::value_at(r, "q", t), q_expected, 1e-14);
    CHECK(h2test::value_at(r, "market", t) == 5000);
  }
  // The push adopts more once q starts to ramp, and the base scenario's p and q are the
  // model's throughout.
  const h2sim::Result rb = run_all(base.model, every_step);
  for (double t = 2023; t <= 2035; t += 1)
    CHECK(h2test::value_at(r, "adopters", t) > h2test::value_at(rb, "adopters", t));
  CHECK(h2test::value_at(r, "adopters", 2028) > h2test::value_at(rb, "adopters", 2028) + 300);
  CHECK(rb.column("p").minCoeff() == 0.03);
  CHECK(rb.column("p").maxCoeff() == 0.03);
  // Before the first change the two scenarios are the same run.
  CHECK(h2test::value_at(r, "adopters", 2022) == h2test::value_at(rb, "adopters", 2022));
  CHECK(h2test::value_at(r, "adopters", 2023) != h2test::value_at(rb, "adopters", 2023));
}

TEST_CASE("yaml load: the component's bound input is the including model's equation",
          "[yaml][components]") {
  const h2sim::Scenario s = h2sim::load_scenario(example("supply_with_component.yaml"));
  for (const char* name :
       {"supply.demand", "supply.capacity", "supply.capacity_additions", "supply.utilisation",
        "supply.investment_delay", "supply.reserve_margin"})
    CHECK(s.model.find(name) != nullptr);
  CHECK(variable(s.model, "supply.capacity").inflows ==
        std::vector<std::string>{"supply.capacity_additions"});
  const h2sim::Result r = run_all(s.model);
  REQUIRE(r.times.size() == 11);
  for (std::size_t i = 0; i < r.times.size(); ++i) {
    const double t = r.times[i];
    INFO("t = " << t);
    const double fleet = h2test::value_at(r, "bus_fleet", t);
    H2_CHECK_REL(h2test::value_at(r, "supply.demand", t), fleet * 15 / 1000, 1e-15);
    // The fleet grows at 25 % a year from 200 buses (RK4 at dt = 0.125).
    H2_CHECK_REL(fleet, 200 * std::exp(0.25 * (t - 2020)), 1e-7);
  }
  // Capacity starts at the demand and, built through a 2-year delay, trails a demand that
  // grows 25 % a year; utilisation is MIN(1, demand / capacity).
  H2_CHECK_NEAR(h2test::value_at(r, "supply.capacity", 2020), 200 * 15.0 / 1000, 1e-12);
  for (std::size_t i = 1; i < r.times.size(); ++i) {
    const double t = r.times[i];
    const double capacity = h2test::value_at(r, "supply.capacity", t);
    const double demand = h2test::value_at(r, "supply.demand", t);
    CHECK(capacity > h2test::value_at(r, "supply.capacity", r.times[i - 1]));
    CHECK(capacity < demand);
    CHECK(h2test::value_at(r, "supply.utilisation", t) == std::min(1.0, demand / capacity));
  }
}

TEST_CASE("yaml load: list_equations shows every variable with units and sources",
          "[yaml][inspect]") {
  for (const char* file : {"bass_diffusion.yaml", "arrayed_fleet.yaml",
                           "supply_with_component.yaml", "first_order_delay.yaml"}) {
    INFO(file);
    const Model m = h2sim::load_model(example(file));
    const std::string listing = h2sim::list_equations(m);
    for (const auto& v : m.variables()) {
      INFO(v.name);
      CHECK(listing.find(" " + v.name) != std::string::npos);
      if (!v.units.empty()) CHECK(listing.find("[" + v.units + "]") != std::string::npos);
      if (!v.source.empty()) CHECK(listing.find("source: " + v.source) != std::string::npos);
    }
  }
  const std::string bass = h2sim::list_equations(h2sim::load_model(example("bass_diffusion.yaml")));
  CHECK(bass.find("flow adoption  [vehicles/year]") != std::string::npos);
  CHECK(bass.find("d/dt = adoption") != std::string::npos);
  CHECK(bass.find("constant p  [1/year]") != std::string::npos);
  CHECK(bass.find("uncertain: uniform 0.01 to 0.05") != std::string::npos);
  const std::string fleet = h2sim::list_equations(h2sim::load_model(example("arrayed_fleet.yaml")));
  CHECK(fleet.find("stock fleet[segment, city]  [vehicles]") != std::string::npos);
  CHECK(fleet.find("dimension segment: bus, logistics, heavy_truck, car") != std::string::npos);
}

TEST_CASE("yaml load: dependency_graph_dot is a DOT digraph with the model's edges",
          "[yaml][inspect]") {
  const Model m = h2sim::load_model(example("bass_diffusion.yaml"));
  const std::string dot = h2sim::dependency_graph_dot(m);
  CHECK(dot.rfind("digraph \"bass_diffusion\" {", 0) == 0);
  CHECK(dot.substr(dot.size() - 2) == "}\n");
  CHECK(std::count(dot.begin(), dot.end(), '{') == std::count(dot.begin(), dot.end(), '}'));
  for (const auto& v : m.variables())
    CHECK(dot.find("\"" + v.name + "\" [label=") != std::string::npos);
  for (const char* edge :
       {"\"p\" -> \"adoption\"", "\"q\" -> \"adoption\"", "\"market\" -> \"adoption\"",
        "\"adopters\" -> \"adoption\"", "\"adopters\" -> \"adopted_fraction\"",
        "\"market\" -> \"adopted_fraction\"", "\"adoption\" -> \"adopters\" [style=bold"})
    CHECK(dot.find(edge) != std::string::npos);
  // No edge that is not in an equation.
  CHECK(dot.find("\"p\" -> \"adopted_fraction\"") == std::string::npos);
  // Every line between the braces is a statement.
  std::size_t pos = dot.find('\n') + 1;
  while (pos < dot.size() - 2) {
    const std::size_t end = dot.find('\n', pos);
    const std::string line = dot.substr(pos, end - pos);
    INFO(line);
    CHECK(line.back() == ';');
    pos = end + 1;
  }
}

TEST_CASE("yaml load: per-element equations, `*` keys and per-element values", "[yaml][arrays]") {
  const std::string text = R"(
name: per_element
time: {start: 0, stop: 1, dt: 0.5, method: euler}
dimensions:
  segment: [bus, truck, car]
  city: [hangzhou, ningbo]
constants:
  share:
    dimensions: [city]
    value: {hangzhou: 0.25, ningbo: 0.75}
auxiliaries:
  trips:
    dimensions: [segment, city]
    equation:
      "bus, hangzhou": 1
      "*, hangzhou": 2 * share[hangzhou]
      "truck, *": 3
      "*, ningbo": 10 * share[city]
  total: SUM(trips[*, *])
)";
  const h2sim::Scenario s = h2sim::parse_scenario(text, "inline.yaml");
  const h2sim::Result r = run_all(s.model);
  // The first key that names an element wins: "bus, hangzhou" before "*, hangzhou".
  CHECK(h2test::value_at(r, "trips[bus,hangzhou]", 0) == 1);
  CHECK(h2test::value_at(r, "trips[truck,hangzhou]", 0) == 0.5);
  CHECK(h2test::value_at(r, "trips[car,hangzhou]", 0) == 0.5);
  CHECK(h2test::value_at(r, "trips[truck,ningbo]", 0) == 3);
  CHECK(h2test::value_at(r, "trips[bus,ningbo]", 0) == 7.5);
  CHECK(h2test::value_at(r, "trips[car,ningbo]", 0) == 7.5);
  CHECK(h2test::value_at(r, "total", 1) == 1 + 0.5 + 0.5 + 3 + 7.5 + 7.5);
}

TEST_CASE("yaml load: a lever declares the values a policy study may give it", "[yaml][levers]") {
  const std::string text = R"(
name: lever_domains
constants:
  marked: {value: 1, lever: true}
  unmarked: {value: 2, lever: no}
  subsidy: {value: 10, units: CNY/kg, lever: {range: [0, 20]}}
  mandate: {value: 0, lever: {options: [0, 0.05, 0.1]}}
  plain: 3
)";
  const h2sim::Scenario s = h2sim::parse_scenario(text, "inline.yaml");
  const h2sim::Variable* marked = s.model.find("marked");
  CHECK(marked->lever);
  CHECK(marked->lever_range.empty());
  CHECK(marked->lever_options.empty());
  CHECK_FALSE(s.model.find("unmarked")->lever);
  CHECK_FALSE(s.model.find("plain")->lever);
  const h2sim::Variable* subsidy = s.model.find("subsidy");
  CHECK(subsidy->lever);
  CHECK(subsidy->lever_range == std::vector<double>{0, 20});
  CHECK(subsidy->lever_options.empty());
  const h2sim::Variable* mandate = s.model.find("mandate");
  CHECK(mandate->lever);
  CHECK(mandate->lever_options == std::vector<double>{0, 0.05, 0.1});
  // The declaration is documentation for the tools: the value a run uses is `value:`.
  const h2sim::Result r = run_all(s.model);
  CHECK(h2test::value_at(r, "subsidy", 0) == 10);
  const std::string listing = h2sim::list_equations(s.model);
  CHECK(listing.find("policy lever: 0 to 20") != std::string::npos);
  CHECK(listing.find("policy lever: options 0, 0.05, 0.1") != std::string::npos);
}
