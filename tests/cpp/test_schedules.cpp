// Lever schedules bound per run: a run (or each lane of a batch) may give a scheduled lever
// another table without compiling again, and gets exactly the numbers of a model compiled with
// that table; setting anything a run cannot set says what it is and which levers move it.
#include <h2sim/scenario.hpp>

#include "test_support.hpp"

using h2sim::GraphicalFunction;
using h2sim::Interpolation;
using h2sim::Method;
using namespace h2test;

namespace {

GraphicalFunction table(std::vector<double> x, std::vector<double> y,
                        Interpolation interpolation = Interpolation::Continuous) {
  GraphicalFunction gf;
  gf.x = std::move(x);
  gf.y = std::move(y);
  gf.interpolation = interpolation;
  return gf;
}

// Adoption driven by a subsidy the scenario schedules (a step), with a lever it reads through
// an auxiliary, a flow and a stock, so that a schedule reaches initial values, the state and
// the derivatives.
h2sim::Model subsidy_model(Method method = Method::Euler) {
  auto model = make_model(2015.0, 2030.0, 0.125, method, 0.5);
  model.add_constant("subsidy", 0).as_lever();
  model.add_constant("p", 0.03).as_lever();
  model.add_constant("market", 1000);
  model.add_auxiliary("pull", "1 + subsidy");
  model.add_stock("adopters", "subsidy * 10", {"adoption"});
  model.add_flow("adoption", "p * pull * (market - adopters)");
  model.set_time_schedule("subsidy",
                          table({2015, 2018, 2022}, {0, 0.5, 0.2}, Interpolation::Discrete));
  return model;
}

// Every number of two results, bit for bit.
void require_same(const h2sim::Result& a, const h2sim::Result& b) {
  REQUIRE(a.names == b.names);
  REQUIRE(a.times == b.times);
  int mismatches = 0;
  for (std::size_t i = 0; i < a.values.size(); ++i)
    if (!(a.values[i] == b.values[i]) && ++mismatches <= 3) {
      INFO(a.names[i % a.names.size()] << " at " << a.times[i / a.names.size()] << ": "
                                       << describe(a.values[i]) << " vs " << describe(b.values[i]));
      CHECK(a.values[i] == b.values[i]);
    }
  REQUIRE(mismatches == 0);
}

const std::vector<GraphicalFunction>& lane_tables() {
  static const std::vector<GraphicalFunction> tables = {
      table({2015}, {0.3}),                                               // a constant
      table({2016, 2020}, {0, 1}),                                        // linear, held
      table({2015, 2019, 2023}, {0, 0.8, 0.1}, Interpolation::Discrete),  // a step
      table({2015, 2020, 2020, 2025}, {0, 0.4, 0.9, 0.9}),                // a jump in 2020
      table({2020.0625, 2020.0625}, {0.2, 0.7}),                          // a jump mid-step
  };
  return tables;
}

}  // namespace

TEST_CASE("schedules: a program lists its schedules with the model's tables", "[schedules]") {
  const h2sim::Program program = h2sim::compile_model(subsidy_model());
  REQUIRE(program.schedules().size() == 1);
  const h2sim::ScheduleInfo& s = program.schedules()[0];
  CHECK(s.name == "subsidy");
  CHECK(s.variable == "subsidy");
  CHECK(s.table.x == std::vector<double>{2015, 2018, 2022});
  CHECK(s.table.interpolation == Interpolation::Discrete);
  CHECK(program.find_schedule("Subsidy") == 0);
  CHECK(program.find_parameter("subsidy") == -1);  // a schedule, not a constant
  const h2sim::Settable set = program.settable("subsidy");
  CHECK(set.schedules == std::vector<int>{0});
  CHECK(set.parameters.empty());
  CHECK(program.settable("p").parameters == std::vector<int>{program.find_parameter("p")});
}

TEST_CASE("schedules: a run's table equals the model compiled with it, bit for bit",
          "[schedules]") {
  for (const Method method : {Method::Euler, Method::RK4, Method::Dopri5, Method::Rosenbrock4}) {
    const h2sim::Program program = h2sim::compile_model(subsidy_model(method));
    for (std::size_t k = 0; k < lane_tables().size(); ++k) {
      INFO(h2sim::to_string(method) << ", table " << k);
      auto compiled = subsidy_model(method);
      compiled.set_time_schedule("subsidy", lane_tables()[k]);
      require_same(h2sim::simulate(program, {}, {}, {{"subsidy", lane_tables()[k]}}),
                   run(compiled));
    }
    // A number holds for the whole run, as the constant set to it does.
    auto constant = subsidy_model(method);
    constant.set_constant("subsidy", 0.25);
    require_same(h2sim::simulate(program, {}, {{"subsidy", 0.25}}), run(constant));
  }
}

TEST_CASE("schedules: a batch with a trajectory per lane equals single runs, bit for bit",
          "[schedules][lanes]") {
  for (const Method method : {Method::Euler, Method::RK4, Method::Dopri5}) {
    const h2sim::Program program = h2sim::compile_model(subsidy_model(method));
    for (const int lanes : {1, 3, 8, 11}) {
      INFO(h2sim::to_string(method) << ", " << lanes << " lanes");
      h2sim::ParameterTable batch;
      batch.names = {"p"};
      batch.values.resize(lanes, 1);
      h2sim::ScheduleColumn column;
      column.name = "subsidy";
      column.tables = lane_tables();
      for (int i = 0; i < lanes; ++i) {
        batch.values(i, 0) = 0.02 + 0.003 * i;
        column.table_of_lane.push_back(static_cast<std::size_t>(i) % lane_tables().size());
      }
      batch.schedules = {column};
      h2sim::SimulationOptions options;
      options.threads = 2;
      const h2sim::BatchResult result = h2sim::simulate_batch(program, batch, options);
      REQUIRE(result.lanes == static_cast<std::size_t>(lanes));
      for (int i = 0; i < lanes; ++i) {
        INFO("lane " << i);
        const h2sim::Result single = h2sim::simulate(
            program, {}, {{"p", batch.values(i, 0)}},
            {{"subsidy", lane_tables()[static_cast<std::size_t>(i) % lane_tables().size()]}});
        h2sim::Result lane;
        lane.names = result.names;
        lane.times = result.times;
        const auto view = result.lane(static_cast<std::size_t>(i));
        for (Eigen::Index r = 0; r < view.rows(); ++r)
          for (Eigen::Index c = 0; c < view.cols(); ++c) lane.values.push_back(view(r, c));
        require_same(lane, single);
      }
    }
  }
}

TEST_CASE("schedules: a number column holds a scheduled lever per lane; later columns win",
          "[schedules][lanes]") {
  const h2sim::Program program = h2sim::compile_model(subsidy_model());
  h2sim::ParameterTable batch;
  batch.names = {"subsidy"};
  batch.values.resize(9, 1);
  for (int i = 0; i < 9; ++i) batch.values(i, 0) = 0.1 * i;
  const h2sim::BatchResult held = h2sim::simulate_batch(program, batch);
  const int column = held.find("subsidy");
  for (std::size_t lane = 0; lane < 9; ++lane)
    for (std::size_t t = 0; t < held.times.size(); ++t)
      REQUIRE(held.at(lane, t, static_cast<std::size_t>(column)) ==
              0.1 * static_cast<double>(lane));
  // A trajectory column given after the numbers wins over them.
  h2sim::ScheduleColumn one;
  one.name = "subsidy";
  one.tables = {table({2015}, {0.75})};
  batch.schedules = {one};
  const h2sim::BatchResult both = h2sim::simulate_batch(program, batch);
  for (std::size_t lane = 0; lane < 9; ++lane)
    CHECK(both.at(lane, 3, static_cast<std::size_t>(column)) == 0.75);
}

TEST_CASE("schedules: a repeated time is a jump, also at the first point", "[schedules]") {
  auto model = make_model(0.0, 4.0, 0.5);
  model.add_constant("x", 0);
  model.set_time_schedule("x", table({0}, {0}));
  const h2sim::Program program = h2sim::compile_model(model);
  h2sim::SimulationOptions options;
  options.save_every = 0.5;
  const auto r =
      h2sim::simulate(program, options, {}, {{"x", table({1, 1, 2, 3, 3}, {5, 6, 7, 8, 9})}});
  CHECK(value_at(r, "x", 0.5) == 5);  // held before the first point
  CHECK(value_at(r, "x", 1.0) == 6);  // from the jump on: the later value
  CHECK(value_at(r, "x", 1.5) == 6.5);
  CHECK(value_at(r, "x", 2.5) == 7.5);
  CHECK(value_at(r, "x", 3.0) == 9);
  const auto step = h2sim::simulate(program, options, {},
                                    {{"x", table({2, 2, 3}, {1, 2, 4}, Interpolation::Discrete)}});
  CHECK(value_at(step, "x", 1.5) == 1);
  CHECK(value_at(step, "x", 2.0) == 2);
  CHECK(value_at(step, "x", 3.5) == 4);
}

TEST_CASE("schedules: adaptive methods stop at a schedule's times", "[schedules]") {
  // The stock integrates a step from 0 to 1 at t = 2.3: 2.7 by t = 5, exactly.
  auto model = make_model(0.0, 5.0, 0.5, Method::Dopri5);
  model.add_constant("rate", 0);
  model.add_stock("total", "0", {"inflow"});
  model.add_flow("inflow", "rate");
  model.set_time_schedule("rate", table({0}, {0}));
  const h2sim::Program program = h2sim::compile_model(model);
  const auto r = h2sim::simulate(program, {}, {},
                                 {{"rate", table({0, 2.3}, {0, 1}, Interpolation::Discrete)}});
  H2_CHECK_NEAR(final_value(r, "total"), 2.7, 1e-8);
}

TEST_CASE("schedules: the scenario rule expands steps, ramps, lines and constants",
          "[schedules][scenario]") {
  h2sim::LeverSchedule lever;
  lever.kind = h2sim::LeverSchedule::Kind::Step;
  lever.times = {2023, 2026};
  lever.values = {1, 0};
  lever.before = 0.4;
  auto gf = h2sim::schedule_table(lever, 2015);
  CHECK(gf.x == std::vector<double>{2015, 2023, 2026});
  CHECK(gf.y == std::vector<double>{0.4, 1, 0});
  CHECK(gf.interpolation == Interpolation::Discrete);
  gf = h2sim::schedule_table(lever, 2023);  // starts at its first time: nothing held before
  CHECK(gf.x == std::vector<double>{2023, 2026});
  lever.kind = h2sim::LeverSchedule::Kind::Ramp;
  lever.times = {2025, 2035};
  lever.values = {0, 300};
  gf = h2sim::schedule_table(lever, 2015);
  CHECK(gf.x == std::vector<double>{2025, 2035});
  CHECK(gf.interpolation == Interpolation::Continuous);
  lever.kind = h2sim::LeverSchedule::Kind::Constant;
  lever.values = {7};
  gf = h2sim::schedule_table(lever, 2015);
  CHECK(gf.x == std::vector<double>{2015});
  CHECK(gf.y == std::vector<double>{7});
}

TEST_CASE("schedules: what a run cannot set is named, with the levers it depends on",
          "[schedules][errors]") {
  const h2sim::Program program = h2sim::compile_model(subsidy_model());
  const std::string aux = message_of<h2sim::ModelError>([&] {
    h2sim::simulate(program, {}, {{"pull", 2}});
  });
  CHECK_THAT(aux, Catch::Contains("variable 'pull': is an auxiliary, computed by an equation"));
  CHECK_THAT(aux, Catch::Contains("depends on the lever 'subsidy'"));
  const std::string flow = message_of<h2sim::ModelError>([&] {
    h2sim::simulate(program, {}, {{"adoption", 2}});
  });
  CHECK_THAT(flow, Catch::Contains("is a flow"));
  CHECK_THAT(flow, Catch::Contains("depends on 2 levers: 'p', 'subsidy'"));
  // A stock's value comes from earlier times: it depends on no lever in the same instant.
  const std::string stock = message_of<h2sim::ModelError>([&] {
    h2sim::simulate(program, {}, {{"adopters", 2}});
  });
  CHECK_THAT(stock, Catch::Contains("is a stock, computed by integrating its flows"));
  CHECK_THAT(stock, !Catch::Contains("depends on"));
  const std::string typo = message_of<h2sim::ModelError>([&] {
    h2sim::simulate(program, {}, {{"subsidi", 2}});
  });
  CHECK_THAT(typo,
             Catch::Contains("no constant or lever with this name (did you mean 'subsidy'?)"));
  // The batch says the same.
  h2sim::ParameterTable batch;
  batch.names = {"pull"};
  batch.values.resize(2, 1);
  CHECK_THAT(message_of<h2sim::ModelError>([&] { h2sim::simulate_batch(program, batch); }),
             Catch::Contains("is an auxiliary"));
}

TEST_CASE("schedules: trajectories that cannot run are refused with the lever's name",
          "[schedules][errors]") {
  const h2sim::Program program = h2sim::compile_model(subsidy_model());
  auto refused = [&](const std::string& name, const GraphicalFunction& gf) {
    return message_of<h2sim::ModelError>([&] { h2sim::simulate(program, {}, {}, {{name, gf}}); });
  };
  CHECK_THAT(refused("p", table({2015}, {1})),
             Catch::Contains("variable 'p': is a constant, not a lever schedule"));
  CHECK_THAT(refused("subsidy", table({}, {})), Catch::Contains("at least one point"));
  CHECK_THAT(refused("subsidy", table({2015, 2016}, {1})), Catch::Contains("as many times"));
  CHECK_THAT(refused("subsidy", table({2016, 2015}, {1, 2})), Catch::Contains("must not decrease"));
  CHECK_THAT(refused("subsidy", table({2016}, {std::nan("")})), Catch::Contains("finite"));
  h2sim::ParameterTable batch;
  batch.values.resize(3, 0);
  h2sim::ScheduleColumn column;
  column.name = "subsidy";
  column.tables = {table({2015}, {1}), table({2015}, {2})};
  batch.schedules = {column};
  CHECK_THAT(message_of<h2sim::ModelError>([&] { h2sim::simulate_batch(program, batch); }),
             Catch::Contains("gives 2 tables for a batch of 3 lanes"));
}

TEST_CASE("schedules: a variable that only copies another is refused at its own line",
          "[schedules][errors]") {
  // `echo` shares `pull`'s slot (the compiler aliases copies): the message must still point at
  // echo's definition, not pull's.
  const std::string yaml = R"(name: echo
time: {start: 0, stop: 2, dt: 0.5, method: euler}
constants:
  subsidy: {value: 0.2, lever: true}
auxiliaries:
  pull:
    equation: 1 + subsidy
  echo:
    equation: pull
)";
  const h2sim::Program program = *h2sim::parse_scenario(yaml, "echo.yaml").program;
  try {
    h2sim::simulate(program, {}, {{"echo", 2}});
    FAIL("setting an auxiliary was accepted");
  } catch (const h2sim::ModelError& e) {
    INFO(e.what());
    CHECK(e.where().variable == "echo");
    CHECK(e.where().line == 8);
    CHECK_THAT(e.message(), Catch::Contains("depends on the lever 'subsidy'"));
  }
}
