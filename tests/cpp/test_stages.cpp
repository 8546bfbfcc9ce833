// What the stages promise a C++ user: check_model lists problems as located diagnostics and
// returns the compiled Program; a Program is made only by the compiler; a run cannot change
// a constant that fixed the structure; run-time errors carry the variable's file and line;
// the builtin registry is what the documentation lists.
#include <algorithm>
#include <type_traits>

#include "test_support.hpp"

using Catch::Matchers::Contains;

namespace {

h2sim::Model units_model() {
  auto model = h2test::make_model(0.0, 1.0, 0.5);
  model.add_constant("a", 1).with_units("vehicles");
  model.add_constant("c", 1).with_units("year");
  model.add_auxiliary("b", "a + c").with_units("vehicles");
  model.add_auxiliary("d", "a * c").with_units("vehicles").defined_at({"m.yaml", 9, 3, "d", ""});
  return model;
}

}  // namespace

TEST_CASE("check_model lists every unit problem and keeps the Program", "[check]") {
  const h2sim::CheckResult lenient = h2sim::check_model(units_model());
  REQUIRE(lenient.ok());
  REQUIRE(lenient.diagnostics.size() == 2);
  CHECK_FALSE(lenient.diagnostics[0].is_error());
  CHECK(lenient.warnings().size() == 2);
  CHECK(h2sim::simulate(*lenient.program).find("b") >= 0);

  h2sim::CheckOptions strict;
  strict.strict_units = true;
  const h2sim::CheckResult errors = h2sim::check_model(units_model(), strict);
  CHECK_FALSE(errors.ok());
  REQUIRE(errors.diagnostics.size() == 2);
  CHECK(errors.diagnostics[0].where.variable == "b");
  CHECK(errors.diagnostics[1].where.variable == "d");
  CHECK(errors.diagnostics[1].where.file == "m.yaml");
  CHECK(errors.diagnostics[1].where.line == 9);
  CHECK_THAT(errors.diagnostics[1].text(), Contains("m.yaml:9") && Contains("units:"));
  CHECK_THROWS_AS(errors.throw_first_error(), h2sim::ScenarioError);
}

TEST_CASE("check_model reports a structural error as one diagnostic, located", "[check]") {
  auto model = h2test::make_model(0.0, 1.0, 0.5);
  model.add_auxiliary("b", "nope + 1").defined_at({"m.yaml", 4, 3, "b", ""});
  const h2sim::CheckResult result = h2sim::check_model(model);
  CHECK_FALSE(result.ok());
  REQUIRE(result.diagnostics.size() == 1);
  CHECK(result.diagnostics[0].kind == h2sim::ErrorKind::Model);
  CHECK(result.diagnostics[0].where.line == 4);
  CHECK_THAT(result.diagnostics[0].message, Contains("unknown variable 'nope'"));
  CHECK_THROWS_AS(result.throw_first_error(), h2sim::ModelError);
}

TEST_CASE("a Program is made only by the compiler", "[check]") {
  STATIC_REQUIRE_FALSE(std::is_default_constructible_v<h2sim::Program>);
  STATIC_REQUIRE_FALSE(
      std::is_constructible_v<h2sim::Program, std::shared_ptr<const h2sim::detail::ProgramData>>);
}

TEST_CASE("a run cannot change a constant that fixed the structure", "[check][lanes]") {
  auto model = h2test::make_model(0.0, 4.0, 0.25);
  model.add_constant("order", 2);
  model.add_auxiliary("smoothed", "SMTHN(TIME, 1, order)");
  const auto program = h2sim::compile_model(model);
  const auto& parameters = program.parameters();
  REQUIRE(parameters.size() == 1);
  CHECK(parameters[0].structural);
  CHECK_NOTHROW(h2sim::simulate(program, {}, {{"order", 2}}));  // the compiled value itself
  CHECK_THROWS_WITH(h2sim::simulate(program, {}, {{"order", 3}}),
                    Contains("order") && Contains("fixes the compiled structure"));
  h2sim::ParameterTable table;
  table.names = {"order"};
  table.values.resize(2, 1);
  table.values << 2, 3;
  CHECK_THROWS_AS(h2sim::simulate_batch(program, table), h2sim::ModelError);
}

TEST_CASE("a run-time error carries the file and line of the variable", "[check][errors]") {
  auto model = h2test::make_model(0.0, 2.0, 0.25);
  model.add_auxiliary("root", "SQRT(1 - TIME)").defined_at({"model.yaml", 12, 5, "root", ""});
  const auto program = h2sim::compile_model(model);
  try {
    h2sim::simulate(program);
    FAIL("no error");
  } catch (const h2sim::SimulationError& error) {
    CHECK(error.where().file == "model.yaml");
    CHECK(error.where().line == 12);
    CHECK(error.where().variable == "root");
    CHECK_THAT(error.what(), Contains("model.yaml:12:5: variable 'root': became NaN"));
  }
}

TEST_CASE("the builtin registry is the function reference", "[check][builtins]") {
  const auto functions = h2sim::builtin_functions();
  auto find = [&](const std::string& name) {
    return std::find_if(functions.begin(), functions.end(),
                        [&](const h2sim::FunctionInfo& f) { return f.name == name; });
  };
  REQUIRE(find("SMTH1") != functions.end());
  CHECK(find("SMTH1")->aliases == std::vector<std::string>{"SMOOTH", "SMOOTHI"});
  CHECK(find("MAX")->max_arguments == -1);
  CHECK(find("TIME")->bare);
  // Every function listed compiles with its fewest arguments (a table argument aside).
  for (const auto& f : functions) {
    if (f.name == "LOOKUP") continue;
    INFO(f.name);
    auto model = h2test::make_model(0.0, 1.0, 0.5);
    std::string call = f.name;
    if (!f.bare) {
      call += "(";
      for (int i = 0; i < f.min_arguments; ++i) call += (i ? ", " : "") + std::string("1");
      call += ")";
    }
    model.add_auxiliary("probe", call);
    CHECK_NOTHROW(h2sim::compile_model(model));
  }
}
