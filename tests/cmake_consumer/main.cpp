// Built against an installed h2sim: exponential decay, stock' = -k stock, through the
// public API, compared with stock(0) e^{-kt}. Exits non-zero on any failure.
#include <cmath>
#include <cstdio>
#include <exception>
#include <h2sim/h2sim.hpp>

int main() try {
  h2sim::Model model("decay");
  model.add_constant("k", 0.5);
  model.add_stock("stock", "100", {}, {"decay"});
  model.add_flow("decay", "k * stock");
  model.time().stop = 4.0;
  model.time().dt = 0.125;
  model.time().method = h2sim::Method::RK4;

  const h2sim::Result result = h2sim::simulate(h2sim::compile_model(model));
  const Eigen::VectorXd stock = result.column("stock");
  const double last = stock[stock.size() - 1];
  const double exact = 100.0 * std::exp(-0.5 * 4.0);
  std::printf("h2sim %s: stock(4) = %.6f, closed form %.6f\n", h2sim::version, last, exact);
  return std::fabs(last - exact) < 1e-4 ? 0 : 1;
} catch (const std::exception& error) {
  std::fprintf(stderr, "consumer: %s\n", error.what());
  return 1;
}
