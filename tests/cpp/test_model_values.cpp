// Setting values on a Model: a number set after a schedule replaces the schedule
// (it used to leave the schedule's graphical function in place, so the "constant"
// became gf(number)).
#include "test_support.hpp"

TEST_CASE("model values: set_constant replaces a time schedule", "[model]") {
  h2sim::Model model("lever");
  model.add_constant("subsidy", 5);
  model.add_auxiliary("paid", "subsidy * 2");
  model.time().start = 2020;
  model.time().stop = 2030;
  model.time().dt = 1;

  h2sim::GraphicalFunction schedule;
  schedule.x = {2020, 2025};
  schedule.y = {100, 0};
  schedule.interpolation = h2sim::Interpolation::Discrete;
  model.set_time_schedule("subsidy", schedule);
  h2sim::Result scheduled = h2sim::simulate(h2sim::compile_model(model));
  REQUIRE(scheduled.column("paid")(0) == 200.0);  // 2020: 100
  REQUIRE(scheduled.column("paid")(6) == 0.0);    // 2026: 0

  model.set_constant("subsidy", 7);
  REQUIRE_FALSE(model.find("subsidy")->graphical_function.has_value());
  REQUIRE(model.find("subsidy")->kind == h2sim::VariableKind::Constant);
  h2sim::Result constant = h2sim::simulate(h2sim::compile_model(model));
  for (std::size_t i = 0; i < constant.times.size(); ++i)
    REQUIRE(constant.column("paid")(i) == 14.0);
  // And it is a per-run parameter again.
  REQUIRE(h2sim::compile_model(model).find_parameter("subsidy") >= 0);
}
