// Errors: each kind of mistake raises the right exception, and what() says where.
#include "test_support.hpp"

using h2sim::Method;
using namespace h2test;
using Catch::CaseSensitive;
using Catch::Contains;

namespace {

h2sim::Model small_model() {
  auto model = make_model(0.0, 5.0, 0.25, Method::Euler);
  model.add_stock("inventory", "10", {"production"}, {"sales"});
  model.add_flow("production", "2");
  model.add_flow("sales", "inventory / 4");
  return model;
}

std::string compile_error(const h2sim::Model& model) {
  return message_of<h2sim::ModelError>([&] { h2sim::compile_model(model); });
}

}  // namespace

TEST_CASE("syntax errors are ParseErrors with the column", "[errors][parser]") {
  struct Case {
    std::string equation;
    int column;  // 1-based column of the offending character
  };
  for (const Case& c : std::vector<Case>{
           {"1 + * 2", 5}, {"2 * (3 + )", 10}, {"price $ 2", 7}, {"MAX(1, 2))", 10}}) {
    INFO("equation '" << c.equation << "'");
    try {
      h2sim::parse_equation(c.equation, "broken");
      FAIL("no ParseError");
    } catch (const h2sim::ParseError& error) {
      CHECK(error.kind() == h2sim::ErrorKind::Parse);
      CHECK(error.where().column == c.column);
      CHECK(error.where().variable == "broken");
      CHECK_THAT(error.what(), Contains("broken"));
    }
  }
}

TEST_CASE("incomplete equations are ParseErrors", "[errors][parser]") {
  for (const char* equation : {"", "3 +", "(1 + 2", "MAX(1, 2", "IF 1 > 2 THEN 3", "1 2",
                               "IF THEN 1 ELSE 2", "*", "2 * * 3"}) {
    INFO("equation '" << equation << "'");
    const auto message =
        message_of<h2sim::ParseError>([&] { h2sim::parse_equation(equation, "broken"); });
    CHECK_THAT(message, Contains("broken"));
  }
}

TEST_CASE("a bad equation is refused when it is set, naming the variable", "[errors][parser]") {
  auto model = small_model();
  const auto message =
      message_of<h2sim::ParseError>([&] { model.add_auxiliary("shipping cost", "3 * / 4"); });
  CHECK_THAT(message, Contains("shipping cost", CaseSensitive::No));
  // what() shows the equation with a caret under the column.
  CHECK_THAT(message, Contains("3 * / 4"));
  CHECK_THAT(message, Contains("^"));

  const auto replaced =
      message_of<h2sim::ParseError>([&] { model.set_equation("sales", "inventory /"); });
  CHECK_THAT(replaced, Contains("sales", CaseSensitive::No));
}

TEST_CASE("unknown names are ModelErrors naming the variable and the name", "[errors]") {
  auto model = small_model();
  model.add_auxiliary("revenue", "sales * unit_prize");
  const auto message = compile_error(model);
  CHECK_THAT(message, Contains("revenue", CaseSensitive::No));
  CHECK_THAT(message, Contains("unit", CaseSensitive::No));
  CHECK_THAT(message, Contains("prize", CaseSensitive::No));

  SECTION("an unknown flow in a stock's flow list") {
    auto other = small_model();
    other.add_stock("backlog", "0", {"orderz"});
    const auto flow_message = compile_error(other);
    CHECK_THAT(flow_message, Contains("orderz", CaseSensitive::No));
  }
  SECTION("an unknown function") {
    auto other = small_model();
    other.add_auxiliary("smoothed", "SMOOTHIFY(sales, 3)");
    const auto function_message = message_of<h2sim::Error>([&] { h2sim::compile_model(other); });
    CHECK_THAT(function_message, Contains("smoothify", CaseSensitive::No));
  }
  SECTION("an unknown element") {
    auto other = small_model();
    other.add_dimension("vehicle", {"car", "bus"});
    other.add_constant("price", 3).with_dimensions({"vehicle"});
    other.add_auxiliary("plane price", "price[plane]");
    const auto element_message = compile_error(other);
    CHECK_THAT(element_message, Contains("plane", CaseSensitive::No));
  }
}

TEST_CASE("wrong argument counts are ModelErrors naming the function", "[errors]") {
  for (const char* equation : {"SMTH1(sales)", "STEP(1)", "DELAY3(sales, 1, 2, 3, 4)", "MOD(sales)",
                               "SQRT(sales, 2)", "SAFEDIV(sales)"}) {
    INFO("equation '" << equation << "'");
    const auto message = message_of<h2sim::ModelError>([&] {
      auto model = small_model();
      model.add_auxiliary("miscounted", equation);
      h2sim::compile_model(model);
    });
    CHECK_THAT(message, Contains("miscounted", CaseSensitive::No));
    const std::string function = std::string(equation).substr(0, std::string(equation).find('('));
    CHECK_THAT(message, Contains(function, CaseSensitive::No));
  }
}

TEST_CASE("dimension mismatches are ModelErrors", "[errors][arrays]") {
  auto model = small_model();
  model.add_dimension("vehicle", {"car", "bus", "truck"});
  model.add_dimension("region", {"north", "south"});
  model.add_constant("fleet size", 1).with_dimensions({"vehicle"});
  model.add_constant("population", 1).with_dimensions({"region"});

  SECTION("an apply-to-all equation over another dimension") {
    model.add_auxiliary("mismatched", "fleet_size + population").with_dimensions({"vehicle"});
    CHECK_THAT(compile_error(model), Contains("mismatched", CaseSensitive::No));
  }
  SECTION("an arrayed value assigned to a scalar") {
    model.add_auxiliary("scalar from array", "fleet_size * 2");
    CHECK_THAT(compile_error(model), Contains("scalar from array", CaseSensitive::No));
  }
  SECTION("an element equation for an element that does not exist") {
    model.add_auxiliary("per element", "0")
        .with_dimensions({"vehicle"})
        .with_element_equation({"plane"}, "3");
    CHECK_THAT(compile_error(model), Contains("plane", CaseSensitive::No));
  }
  SECTION("too many subscripts") {
    model.add_auxiliary("overindexed", "fleet_size[bus, north]");
    CHECK_THAT(compile_error(model), Contains("overindexed", CaseSensitive::No));
  }
  SECTION("an unknown dimension") {
    model.add_auxiliary("undimensioned", "1").with_dimensions({"city"});
    CHECK_THAT(compile_error(model), Contains("city", CaseSensitive::No));
  }
}

TEST_CASE("algebraic loops are ModelErrors listing the loop", "[errors]") {
  auto model = small_model();
  model.add_auxiliary("alpha", "beta + 1");
  model.add_auxiliary("beta", "gamma * 2");
  model.add_auxiliary("gamma", "alpha - 3 + sales");
  model.add_auxiliary("downstream", "alpha * 2");
  const auto message = compile_error(model);
  CHECK_THAT(message, Contains("loop", CaseSensitive::No));
  CHECK_THAT(message, Contains("alpha", CaseSensitive::No));
  CHECK_THAT(message, Contains("beta", CaseSensitive::No));
  CHECK_THAT(message, Contains("gamma", CaseSensitive::No));
  // Only the loop: neither a variable that merely reads it nor one it reads.
  CHECK_THAT(message, !Contains("downstream", CaseSensitive::No));
  CHECK_THAT(message, !Contains("inventory", CaseSensitive::No));

  SECTION("a variable that refers to itself") {
    auto self = small_model();
    self.add_auxiliary("echo", "echo + 1");
    CHECK_THAT(compile_error(self), Contains("echo", CaseSensitive::No));
  }
}

TEST_CASE("a loop through initial values is a ModelError", "[errors]") {
  // A stock that starts at a value computed from itself.
  auto model = small_model();
  model.add_stock("reservoir", "start_level", {}, {"release"});
  model.add_flow("release", "reservoir / 10");
  model.add_auxiliary("start level", "reservoir * 2");
  const auto message = compile_error(model);
  CHECK_THAT(message, Contains("reservoir", CaseSensitive::No));
  CHECK_THAT(message, Contains("start level", CaseSensitive::No));
}

TEST_CASE("feedback through a stock, a SMTH or a DELAY is not an algebraic loop", "[errors]") {
  auto model = small_model();
  model.add_auxiliary("perceived sales", "SMTH1(target, 2, 5)");
  model.add_auxiliary("target", "perceived_sales * 1.1 + 1");
  model.add_auxiliary("late target", "DELAY3(late_target_input, 2, 1)");
  model.add_auxiliary("late target input", "late_target + inventory");
  model.add_flow("restocking", "inventory_gap / 2");
  model.add_auxiliary("inventory gap", "12 - inventory");
  model.edit("inventory").with_inflow("restocking");
  const auto program = h2sim::compile_model(model);
  const auto result = h2sim::simulate(program);
  H2_CHECK_NEAR(value_at(result, "target", 0.0), 6.5, 1e-12);
  H2_CHECK_NEAR(value_at(result, "late target input", 0.0), 11.0, 1e-12);
  H2_CHECK_NEAR(value_at(result, "restocking", 0.0), 1.0, 1e-12);
  // inventory' = 2 + (12 - inventory) / 2 - inventory / 4: one Euler step from 10.
  H2_CHECK_NEAR(value_at(result, "inventory", 0.25), 10 + 0.25 * (2 + 1 - 2.5), 1e-12);
}

TEST_CASE("non-finite values are SimulationErrors naming the variable and the time",
          "[errors][simulation]") {
  SECTION("an auxiliary") {
    auto model = small_model();
    model.add_auxiliary("root", "SQRT(2 - TIME)");  // NaN from t = 2.25
    const auto program = h2sim::compile_model(model);
    const auto message = message_of<h2sim::SimulationError>([&] { h2sim::simulate(program); });
    CHECK_THAT(message, Contains("root"));
    CHECK_THAT(message, Contains("2.25"));
  }
  SECTION("a division by zero in a flow") {
    auto model = small_model();
    model.add_flow("spoilage", "inventory / (TIME - 3.5)");
    model.edit("inventory").with_outflow("spoilage");
    const auto program = h2sim::compile_model(model);
    const auto message = message_of<h2sim::SimulationError>([&] { h2sim::simulate(program); });
    // The flow is infinite at t = 3.5; the stock it drains becomes non-finite one step
    // later. Naming either, with its time, tells the user where to look.
    const bool names_flow =
        message.find("spoilage") != std::string::npos && message.find("3.5") != std::string::npos;
    const bool names_stock =
        message.find("inventory") != std::string::npos && message.find("3.75") != std::string::npos;
    INFO(message);
    CHECK((names_flow || names_stock));
  }
  SECTION("a stock that overflows") {
    auto model = small_model();
    model.add_stock("runaway", "1", {"explosion"});
    model.add_flow("explosion", "runaway ^ 2");
    h2sim::SimulationOptions options;
    options.stop = 100;
    const auto program = h2sim::compile_model(model);
    const auto message =
        message_of<h2sim::SimulationError>([&] { h2sim::simulate(program, options); });
    INFO(message);
    CHECK((message.find("runaway") != std::string::npos ||
           message.find("explosion") != std::string::npos));
  }
  SECTION("in one lane of a batch, naming the lane") {
    auto model = small_model();
    model.add_constant("divisor", 1);
    model.add_auxiliary("quotient", "1 / (divisor - TIME)");
    const auto program = h2sim::compile_model(model);
    h2sim::ParameterTable table;
    table.names = {"divisor"};
    table.values = Eigen::MatrixXd::Constant(37, 1, 100.0);
    table.values(23, 0) = 4.5;  // lane 23 divides by zero at t = 4.5
    const auto message =
        message_of<h2sim::SimulationError>([&] { h2sim::simulate_batch(program, table); });
    CHECK_THAT(message, Contains("quotient"));
    CHECK_THAT(message, Contains("23"));
    CHECK_THAT(message, Contains("4.5"));
  }
}

TEST_CASE("bad time settings are SimulationErrors", "[errors][simulation]") {
  const auto program = h2sim::compile_model(small_model());
  SECTION("save_every not a multiple of dt") {
    h2sim::SimulationOptions options;
    options.save_every = 0.3;
    message_of<h2sim::SimulationError>([&] { h2sim::simulate(program, options); });
  }
  SECTION("dt not positive") {
    h2sim::SimulationOptions options;
    options.dt = 0.0;
    message_of<h2sim::SimulationError>([&] { h2sim::simulate(program, options); });
    options.dt = -0.25;
    message_of<h2sim::SimulationError>([&] { h2sim::simulate(program, options); });
  }
  SECTION("stop before start") {
    h2sim::SimulationOptions options;
    options.start = 10;
    options.stop = 5;
    message_of<h2sim::SimulationError>([&] { h2sim::simulate(program, options); });
  }
}

TEST_CASE("asking for something that does not exist", "[errors]") {
  const auto program = h2sim::compile_model(small_model());
  const auto result = h2sim::simulate(program);
  CHECK(result.find("turnover") == -1);
  const auto column_message = message_of<h2sim::ModelError>([&] { result.column("turnover"); });
  CHECK_THAT(column_message, Contains("turnover"));
  CHECK(program.find_output("turnover") == -1);
  CHECK(program.find_parameter("turnover") == -1);

  h2sim::SimulationOptions options;
  options.outputs = {"turnover"};
  const auto output_message = message_of<h2sim::Error>([&] { h2sim::simulate(program, options); });
  CHECK_THAT(output_message, Contains("turnover"));

  CHECK_THROWS_AS(h2sim::parse_method("leapfrog"), h2sim::ModelError);
}

TEST_CASE("a name defined twice is a ModelError", "[errors]") {
  auto model = small_model();
  const auto message = message_of<h2sim::ModelError>([&] { model.add_constant("Sales", 3); });
  CHECK_THAT(message, Contains("sales", CaseSensitive::No));
}

TEST_CASE("errors share one hierarchy", "[errors]") {
  const h2sim::ParseError parse("bad", h2sim::Location{"model.yaml", 3, 7, "price", "1 +"});
  const h2sim::Error& base = parse;
  CHECK(base.kind() == h2sim::ErrorKind::Parse);
  CHECK(base.message() == "bad");
  CHECK(base.where().line == 3);
  const std::string what = base.what();
  CHECK_THAT(what, Contains("model.yaml"));
  CHECK_THAT(what, Contains("3"));
  CHECK_THAT(what, Contains("price"));
  CHECK_THAT(what, Contains("bad"));
  CHECK(h2sim::SimulationError("x").kind() == h2sim::ErrorKind::Simulation);
  CHECK(h2sim::ModelError("x").kind() == h2sim::ErrorKind::Model);
  CHECK(h2sim::ScenarioError("x").kind() == h2sim::ErrorKind::Scenario);
}

// Where several lanes of a batch fail, the error is the first failing block's, whichever
// thread reaches its failure first: the same message on one thread or many.
TEST_CASE("a batch with several failing lanes reports the same one on any number of threads",
          "[errors][lanes]") {
  auto model = make_model(0.0, 10.0, 0.0005);  // long enough that threads overlap
  model.add_constant("threshold", 100);
  model.add_stock("level", "1", {"growth"}, {});
  model.add_flow("growth", "LN(threshold - TIME) / 100");
  const h2sim::Program program = h2sim::compile_model(model);
  h2sim::ParameterTable table;
  table.names = {"threshold"};
  table.values = Eigen::MatrixXd::Constant(64, 1, 100.0);
  table.values(3, 0) = 9.999;  // fails near the end of the run: the first failing block
  table.values(9, 0) = -1;     // fails at once, in the next block
  for (const unsigned threads : {1u, 2u, 2u, 2u, 4u}) {
    h2sim::SimulationOptions options;
    options.threads = threads;
    const std::string message =
        message_of<h2sim::SimulationError>([&] { h2sim::simulate_batch(program, table, options); });
    INFO(threads << " threads: " << message);
    CHECK_THAT(message, Contains("in lane 3 "));
  }
}
