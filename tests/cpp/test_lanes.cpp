// Lanes: a batch of N parameter sets equals N single runs, bit for bit.
#include <bit>
#include <cstdint>
#include <thread>

#include "test_support.hpp"

using h2sim::Method;
using namespace h2test;

namespace {

// Nonlinear enough to exercise the interpreter: a lookup, SMTH1, DELAY3, IF, TIME.
h2sim::Model adoption_model() {
  auto model = make_model(0.0, 20.0, 0.125, Method::Euler, 0.5);
  model.add_constant("p", 0.03);
  model.add_constant("q", 0.38);
  model.add_constant("market", 1000);
  model.add_constant("price", 50);
  model.add_constant("perception time", 2);
  h2sim::GraphicalFunction price_effect;
  price_effect.x = {0, 50, 100};
  price_effect.y = {1.2, 1.0, 0.5};
  model.add_lookup("price effect", price_effect);
  model.add_stock("potential", "market", {}, {"adoption"});
  model.add_stock("adopters", "0", {"adoption"}, {"discard"});
  model.add_flow("adoption",
                 "(p + q * adopters / market) * potential * "
                 "price_effect(price * (1 + 0.1 * SIN(TIME)))");
  model.add_flow("discard", "adopters / 15");
  model.add_auxiliary("perceived", "SMTH1(adopters, perception_time)");
  model.add_auxiliary("gap", "IF perceived > 0.5 * market THEN market - perceived ELSE 0");
  model.add_auxiliary("delayed adoption", "DELAY3(adoption, perception_time)");
  model.add_auxiliary("half market", "market / 2");  // constants only: must not be folded away
  model.add_auxiliary("spread", "SQRT(adopters * price + 1)");  // correctly rounded in every lane
  // Builtins with memory or time dependence, read by nothing (so they do not disturb
  // the adaptive methods), but reported and compared lane by lane.
  model.add_auxiliary("initial reach", "INIT(potential + adopters) / market");
  model.add_auxiliary("previous adoption", "PREVIOUS(adoption, 0)");
  model.add_auxiliary("adoption trend", "TREND(adoption, perception_time, 0)");
  model.add_auxiliary("policy", "STEP(price * 0.1, 5) + PULSE(q, 3, 2) + RAMP(p, 2, 8)");
  model.add_auxiliary("guarded", "SAFEDIV(adopters, potential - market, -1) + TIME MOD 3");
  return model;
}

h2sim::ParameterTable varied_parameters(int lanes) {
  h2sim::ParameterTable table;
  table.names = {"p", "q", "price", "perception time", "market"};
  table.values.resize(lanes, 5);
  for (int i = 0; i < lanes; ++i) {
    table.values(i, 0) = 0.01 + 0.005 * i;
    table.values(i, 1) = 0.2 + 0.013 * i;
    table.values(i, 2) = 20 + 3 * i;  // beyond the lookup's x range for the last lanes
    table.values(i, 3) = 1 + 0.25 * (i % 5);
    table.values(i, 4) = 1000 + 50 * i;  // also the initial value of `potential`
  }
  return table;
}

std::vector<std::pair<std::string, double>> overrides_of(const h2sim::ParameterTable& table,
                                                         int lane) {
  std::vector<std::pair<std::string, double>> overrides;
  for (std::size_t j = 0; j < table.names.size(); ++j) {
    overrides.emplace_back(table.names[j], table.values(lane, static_cast<Eigen::Index>(j)));
  }
  return overrides;
}

// Bit for bit: -0 is not 0 here (1 / -0 is -infinity), and NaN would be itself.
bool same_bits(double a, double b) {
  return std::bit_cast<std::uint64_t>(a) == std::bit_cast<std::uint64_t>(b);
}

// Every number of every lane equals the single run with that lane's parameters.
void require_batch_equals_single_runs(const h2sim::Program& program,
                                      const h2sim::ParameterTable& table,
                                      const h2sim::SimulationOptions& options) {
  const auto lanes = static_cast<int>(table.values.rows());
  const auto batch = h2sim::simulate_batch(program, table, options);
  REQUIRE(batch.lanes == static_cast<std::size_t>(lanes));
  REQUIRE(batch.values.size() ==
          batch.lanes * static_cast<std::size_t>(batch.times.size()) * batch.names.size());
  for (int lane = 0; lane < lanes; ++lane) {
    INFO("lane " << lane << " of " << lanes);
    const auto single = h2sim::simulate(program, options, overrides_of(table, lane));
    REQUIRE(single.names == batch.names);
    REQUIRE(single.times.size() == batch.times.size());
    for (std::size_t row = 0; row < single.times.size(); ++row) {
      REQUIRE(single.times[row] == batch.times[row]);
    }
    const auto lane_view = batch.lane(static_cast<std::size_t>(lane));
    REQUIRE(lane_view.rows() == static_cast<Eigen::Index>(single.times.size()));
    REQUIRE(lane_view.cols() == static_cast<Eigen::Index>(single.names.size()));
    int mismatches = 0;
    for (Eigen::Index row = 0; row < static_cast<Eigen::Index>(single.times.size()); ++row) {
      for (Eigen::Index column = 0; column < static_cast<Eigen::Index>(single.names.size());
           ++column) {
        const double expected =
            single.at(static_cast<std::size_t>(row), static_cast<std::size_t>(column));
        const double got = batch.at(static_cast<std::size_t>(lane), static_cast<std::size_t>(row),
                                    static_cast<std::size_t>(column));
        if (!same_bits(got, expected) || !same_bits(lane_view(row, column), expected)) {
          if (++mismatches <= 5) {
            INFO("t = " << single.times[row] << ", "
                        << single.names[static_cast<std::size_t>(column)] << ": single "
                        << describe(expected) << ", batch " << describe(got) << ", lane view "
                        << describe(lane_view(row, column)));
            CHECK(got == expected);
            CHECK(lane_view(row, column) == expected);
          }
        }
      }
    }
    INFO(mismatches << " numbers differ");
    REQUIRE(mismatches == 0);
  }
}

}  // namespace

TEST_CASE("a batch equals single runs bit for bit", "[lanes]") {
  const auto program = h2sim::compile_model(adoption_model());
  INFO("lane block width " << h2sim::lane_block_width());
  REQUIRE(h2sim::lane_block_width() >= 1);
  for (const Method method : {Method::Euler, Method::RK4, Method::Dopri5, Method::Rosenbrock4}) {
    for (const int lanes : {1, 3, 8, 9, 37}) {
      INFO("method " << h2sim::to_string(method) << ", " << lanes << " lanes");
      auto options = with_method(method);
      options.threads = 1;
      require_batch_equals_single_runs(program, varied_parameters(lanes), options);
    }
  }
}

// Each function on its own, in blocks of lanes. Two used to differ: Eigen computes the square
// root on AVX-512 with an approximation (rsqrt and Newton steps) under its default fast math,
// so that a batch's SQRT differed from a single run's in the last bit; and it negates a block
// as 0 - x, so that a batch's -0 was +0 (and 1 / -x then +infinity instead of -infinity).
TEST_CASE("every function gives the same bits in a batch as in single runs", "[lanes]") {
  auto model = make_model(0.0, 2.0, 0.25);
  model.add_constant("a", 1.5);
  model.add_stock("level", "a", {"inflow"}, {});
  model.add_flow("inflow", "SQRT(level) * 0.1 + EXP(-a) + LN(a) / 10 + a ^ 0.3 - level / 4");
  model.add_auxiliary("roots", "SQRT(a / 6) + SQRT(level + TIME)");
  model.add_auxiliary("logs", "LOG10(a) + EXP(a / 3) * LN(level + 1)");
  model.add_auxiliary("trigonometry", "SIN(a) + COS(level) + TAN(a / 4) + ARCTAN(a) + TANH(a)");
  model.add_auxiliary("rounding", "INTEGER(a * 7) + ROUND(a * 3) + MOD(a * 5, 0.7) + ABS(-a)");
  model.add_auxiliary("negative zero", "-(a - a) * level");
  h2sim::ParameterTable table;
  table.names = {"a"};
  table.values.resize(19, 1);
  for (int i = 0; i < 19; ++i) table.values(i, 0) = 0.1 + 0.37 * i;
  h2sim::SimulationOptions options;
  options.threads = 1;
  require_batch_equals_single_runs(h2sim::compile_model(model), table, options);
}

TEST_CASE("batch results do not depend on the number of threads", "[lanes]") {
  const auto program = h2sim::compile_model(adoption_model());
  const auto table = varied_parameters(37);
  for (const Method method : {Method::RK4, Method::Dopri5}) {
    INFO("method " << h2sim::to_string(method));
    auto options = with_method(method);
    options.threads = 1;
    const auto one = h2sim::simulate_batch(program, table, options);
    options.threads = 2;
    const auto two = h2sim::simulate_batch(program, table, options);
    options.threads = 0;
    const auto all = h2sim::simulate_batch(program, table, options);
    REQUIRE(one.values.size() == two.values.size());
    REQUIRE(one.values.size() == all.values.size());
    CHECK(one.values == two.values);
    CHECK(one.values == all.values);
  }
  SECTION("and the same batch on many threads matches single runs") {
    h2sim::SimulationOptions options;
    options.threads = 3;
    require_batch_equals_single_runs(program, table, options);
  }
}

TEST_CASE("lanes really differ: parameters reach every lane", "[lanes]") {
  const auto program = h2sim::compile_model(adoption_model());
  const auto table = varied_parameters(9);
  const auto batch = h2sim::simulate_batch(program, table);
  const int adopters = batch.find("adopters");
  REQUIRE(adopters >= 0);
  const auto last = static_cast<std::size_t>(batch.times.size() - 1);
  for (std::size_t lane = 1; lane < batch.lanes; ++lane) {
    INFO("lane " << lane);
    CHECK(batch.at(lane, last, static_cast<std::size_t>(adopters)) !=
          batch.at(lane - 1, last, static_cast<std::size_t>(adopters)));
  }
  // Lane 0 uses p = 0.01, the model uses p = 0.03: different from a plain run.
  const auto plain = h2sim::simulate(program);
  CHECK(plain.at(plain.times.size() - 1, plain.find("adopters")) !=
        batch.at(0, last, static_cast<std::size_t>(adopters)));
}

TEST_CASE("per-lane constants reach initial values and constant expressions", "[lanes]") {
  const auto program = h2sim::compile_model(adoption_model());
  const auto table = varied_parameters(9);
  const auto batch = h2sim::simulate_batch(program, table);
  const int potential = batch.find("potential");
  const int half_market = batch.find("half market");
  REQUIRE(potential >= 0);
  REQUIRE(half_market >= 0);
  for (std::size_t lane = 0; lane < batch.lanes; ++lane) {
    INFO("lane " << lane);
    const double market = table.values(static_cast<Eigen::Index>(lane), 4);
    CHECK(batch.at(lane, 0, static_cast<std::size_t>(potential)) == market);
    CHECK(batch.at(lane, 3, static_cast<std::size_t>(half_market)) == market / 2);
  }
}

TEST_CASE("parameters not named in the table keep the model's value", "[lanes]") {
  const auto program = h2sim::compile_model(adoption_model());
  h2sim::ParameterTable table;
  table.names = {"q"};
  table.values.resize(2, 1);
  table.values << 0.38, 0.5;
  const auto batch = h2sim::simulate_batch(program, table);
  const auto plain = h2sim::simulate(program);
  REQUIRE(batch.lanes == 2);
  const auto lane0 = batch.lane(0);
  REQUIRE(lane0.rows() == static_cast<Eigen::Index>(plain.times.size()));
  for (Eigen::Index row = 0; row < static_cast<Eigen::Index>(plain.times.size()); ++row) {
    for (Eigen::Index column = 0; column < static_cast<Eigen::Index>(plain.names.size());
         ++column) {
      REQUIRE(lane0(row, column) ==
              plain.at(static_cast<std::size_t>(row), static_cast<std::size_t>(column)));
    }
  }
}

TEST_CASE("overrides equal a model whose constants were changed", "[lanes][overrides]") {
  auto model = adoption_model();
  const auto program = h2sim::compile_model(model);
  const auto overridden = h2sim::simulate(program, {}, {{"q", 0.5}, {"Perception_Time", 3}});
  model.set_constant("q", 0.5);
  model.set_constant("perception time", 3);
  const auto recompiled = run(model);
  REQUIRE(overridden.names == recompiled.names);
  CHECK(overridden.values == recompiled.values);
  const auto original = h2sim::simulate(program);
  CHECK(!(original.values == overridden.values));
  // The program itself was not changed by the override.
  const int q = program.find_parameter("q");
  REQUIRE(q >= 0);
  CHECK(program.parameters()[static_cast<std::size_t>(q)].value == 0.38);
}

TEST_CASE("the progress callback reports every lane", "[lanes]") {
  const auto program = h2sim::compile_model(adoption_model());
  const auto table = varied_parameters(37);
  h2sim::SimulationOptions options;
  options.threads = 2;
  std::size_t calls = 0, last_done = 0, last_total = 0;
  bool monotonic = true;
  bool on_calling_thread = true;
  const auto caller = std::this_thread::get_id();
  options.progress = [&](std::size_t done, std::size_t total) {
    ++calls;
    if (std::this_thread::get_id() != caller) on_calling_thread = false;
    if (done < last_done) monotonic = false;
    last_done = done;
    last_total = total;
  };
  const auto batch = h2sim::simulate_batch(program, table, options);
  REQUIRE(batch.lanes == 37);
  CHECK(calls >= 1);
  CHECK(monotonic);
  CHECK(on_calling_thread);
  CHECK(last_done == 37);
  CHECK(last_total == 37);
}

TEST_CASE("a batch with an unknown parameter name is refused", "[lanes][errors]") {
  const auto program = h2sim::compile_model(adoption_model());
  h2sim::ParameterTable table;
  table.names = {"bogusknob"};
  table.values = Eigen::MatrixXd::Constant(3, 1, 1.0);
  const auto message = message_of<h2sim::Error>([&] { h2sim::simulate_batch(program, table); });
  CHECK_THAT(message, Catch::Contains("bogusknob", Catch::CaseSensitive::No));

  const auto single = message_of<h2sim::Error>([&] {
    h2sim::simulate(program, {}, {{"bogusknob", 1}});
  });
  CHECK_THAT(single, Catch::Contains("bogusknob", Catch::CaseSensitive::No));

  // Only constants are parameters: a stock or an auxiliary cannot be set per lane.
  table.names = {"adopters"};
  const auto stock = message_of<h2sim::Error>([&] { h2sim::simulate_batch(program, table); });
  CHECK_THAT(stock, Catch::Contains("adopters", Catch::CaseSensitive::No));
  const auto aux = message_of<h2sim::Error>([&] { h2sim::simulate(program, {}, {{"gap", 1}}); });
  CHECK_THAT(aux, Catch::Contains("gap", Catch::CaseSensitive::No));
}

TEST_CASE("one Program runs on many threads at once", "[lanes][threads]") {
  const auto program = h2sim::compile_model(adoption_model());
  const auto reference = h2sim::simulate(program, with_method(Method::RK4), {{"q", 0.45}});
  std::vector<h2sim::Result> results(4);
  std::vector<std::thread> threads;
  for (std::size_t i = 0; i < results.size(); ++i) {
    threads.emplace_back([&, i] {
      results[i] = h2sim::simulate(program, with_method(Method::RK4), {{"q", 0.45}});
    });
  }
  for (auto& thread : threads) thread.join();
  for (const auto& result : results) {
    REQUIRE(result.names == reference.names);
    CHECK(result.values == reference.values);
  }
}

TEST_CASE("a Model is a value: changing a copy leaves the original alone", "[lanes][model]") {
  const auto original = adoption_model();
  auto copy = original;
  copy.set_constant("q", 0.6);
  copy.set_equation("discard", "adopters / 5");
  copy.time().stop = 10;
  CHECK(original.time().stop == 20);
  CHECK(original.find("discard")->equation.text() == "adopters / 15");
  const auto original_result = run(original);
  const auto fresh_result = run(adoption_model());
  CHECK(original_result.values == fresh_result.values);
  const auto copy_result = run(copy);
  CHECK(final_time(copy_result) == 10.0);
  CHECK(value_at(copy_result, "adopters", 10.0) != value_at(original_result, "adopters", 10.0));
}
