// Shared helpers for the h2sim Catch2 tests: build small models, read results at a
// given time, compare numbers with a printed explanation when they differ.
#pragma once

#include <catch2/catch.hpp>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <h2sim/h2sim.hpp>
#include <iomanip>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

namespace h2test {

// A scratch folder, removed when the test ends.
struct Folder {
  std::filesystem::path path;
  explicit Folder(const std::string& name)
      : path(std::filesystem::temp_directory_path() / ("h2sim_hardening_" + name)) {
    std::filesystem::remove_all(path);
    std::filesystem::create_directories(path);
  }
  ~Folder() { std::filesystem::remove_all(path); }
  Folder(const Folder&) = delete;
  Folder& operator=(const Folder&) = delete;
  std::filesystem::path write(const std::string& name, const std::string& text) const {
    const std::filesystem::path file = path / name;
    std::ofstream(file, std::ios::binary) << text;
    return file;
  }
};

// A model with the given clock. Every test sets its clock explicitly so that no
// test depends on the library's defaults.
inline h2sim::Model make_model(double start, double stop, double dt,
                               h2sim::Method method = h2sim::Method::Euler,
                               double save_every = 0.0) {
  h2sim::Model model("test");
  model.time().start = start;
  model.time().stop = stop;
  model.time().dt = dt;
  model.time().save_every = save_every;
  model.time().method = method;
  return model;
}

inline h2sim::Result run(const h2sim::Model& model, const h2sim::SimulationOptions& options = {},
                         const std::vector<std::pair<std::string, double>>& overrides = {}) {
  return h2sim::simulate(h2sim::compile_model(model), options, overrides);
}

inline h2sim::SimulationOptions with_method(h2sim::Method method) {
  h2sim::SimulationOptions options;
  options.method = method;
  return options;
}

// Row of the saved time `t` (within 1e-9); fails the test when there is none.
inline Eigen::Index row_at(const h2sim::Result& result, double t) {
  for (std::size_t i = 0; i < result.times.size(); ++i) {
    if (std::abs(result.times[i] - t) < 1e-9) return i;
  }
  FAIL("no saved time " << t << " (first " << result.times[0] << ", last "
                        << result.times[result.times.size() - 1] << ", " << result.times.size()
                        << " rows)");
  return -1;
}

inline int column_of(const h2sim::Result& result, const std::string& name) {
  const int column = result.find(name);
  INFO("output '" << name << "'");
  REQUIRE(column >= 0);
  return column;
}

inline double value_at(const h2sim::Result& result, const std::string& name, double t) {
  return result.at(row_at(result, t), column_of(result, name));
}

inline double final_value(const h2sim::Result& result, const std::string& name) {
  REQUIRE(result.times.size() > 0);
  return result.at(result.times.size() - 1, column_of(result, name));
}

inline double final_time(const h2sim::Result& result) {
  REQUIRE(result.times.size() > 0);
  return result.times[result.times.size() - 1];
}

inline std::string describe(double x) {
  std::ostringstream out;
  out << std::setprecision(17) << x;
  return out.str();
}

// Runs `action`, requires that it throws exactly `E` (or a subclass), returns what().
template <class E, class F>
std::string message_of(F&& action) {
  try {
    action();
  } catch (const E& error) {
    return error.what();
  } catch (const std::exception& error) {
    FAIL("threw the wrong exception type; what(): " << error.what());
  }
  FAIL("no exception thrown");
  return {};
}

}  // namespace h2test

// |actual - expected| <= tolerance, printing both with 17 digits when it fails
// (a NaN never passes).
#define H2_CHECK_NEAR(actual, expected, tolerance)                                           \
  do {                                                                                       \
    const double h2_actual_ = (actual);                                                      \
    const double h2_expected_ = (expected);                                                  \
    const double h2_tolerance_ = (tolerance);                                                \
    INFO(#actual << " = " << h2test::describe(h2_actual_) << ", expected "                   \
                 << h2test::describe(h2_expected_) << " +- " << h2_tolerance_ << " (off by " \
                 << h2test::describe(h2_actual_ - h2_expected_) << ")");                     \
    CHECK(std::abs(h2_actual_ - h2_expected_) <= h2_tolerance_);                             \
  } while (false)

// Relative comparison: |actual - expected| <= tolerance * |expected|.
#define H2_CHECK_REL(actual, expected, tolerance)                                \
  do {                                                                           \
    const double h2_expected_r_ = (expected);                                    \
    H2_CHECK_NEAR(actual, h2_expected_r_, (tolerance)*std::abs(h2_expected_r_)); \
  } while (false)
