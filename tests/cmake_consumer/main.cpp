// Built against an installed h2sim: exponential decay, stock' = -k stock, through the
// public API, compared with stock(0) e^{-kt}. Exits non-zero on any failure.
//
// This program is built without -march=native and without any EIGEN_* definition, while
// the library may be built for a wider vector unit: results, batches and parameter tables
// are made, copied and destroyed on both sides here, which used to double-free when the two
// disagreed on Eigen's alignment.
#include <cmath>
#include <cstdio>
#include <exception>
#include <h2sim/h2sim.hpp>
#include <vector>

int main() try {
  h2sim::Model model("decay");
  model.add_constant("k", 0.5);
  model.add_stock("stock", "100", {}, {"decay"});
  model.add_flow("decay", "k * stock");
  model.time().stop = 4.0;
  model.time().dt = 0.125;
  model.time().method = h2sim::Method::RK4;

  const h2sim::Program program = h2sim::compile_model(model);
  std::vector<h2sim::Result> results;
  for (int i = 0; i < 8; ++i) results.push_back(h2sim::simulate(program));
  const h2sim::Result result = results.back();
  results.clear();
  const Eigen::VectorXd stock = result.column("stock");
  const double last = stock[stock.size() - 1];
  const double exact = 100.0 * std::exp(-0.5 * 4.0);

  h2sim::ParameterTable table;
  table.names = {"k"};
  table.values = Eigen::VectorXd::LinSpaced(20, 0.1, 1.0);
  h2sim::BatchResult batch = h2sim::simulate_batch(program, table);
  const Eigen::MatrixXd lane = batch.lane(19);  // k = 1.0
  batch = h2sim::BatchResult();
  const double last_lane = lane(lane.rows() - 1, result.find("stock"));
  const double exact_lane = 100.0 * std::exp(-1.0 * 4.0);

  std::printf("h2sim %s: stock(4) = %.6f, closed form %.6f; k = 1: %.6f, closed form %.6f\n",
              h2sim::version, last, exact, last_lane, exact_lane);
  return std::fabs(last - exact) < 1e-4 && std::fabs(last_lane - exact_lane) < 1e-4 ? 0 : 1;
} catch (const std::exception& error) {
  std::fprintf(stderr, "consumer: %s\n", error.what());
  return 1;
}
