// The Zhejiang baseline (scenarios/zhejiang/baseline.yaml, about 6,200 instructions per
// evaluation, 2,688 Euler steps): single runs against batches on one core.
#include <benchmark/benchmark.h>

#include <h2sim/h2sim.hpp>

namespace {

const h2sim::Program& program() {
  static const h2sim::Program p = h2sim::compile_model(
      h2sim::load_scenario(H2SIM_SOURCE_DIR "/scenarios/zhejiang/baseline.yaml").model);
  return p;
}

h2sim::SimulationOptions options() {
  h2sim::SimulationOptions o;
  o.outputs = {"fcev_fleet_total", "stations_operating_total"};
  o.threads = 1;
  return o;
}

double evaluations(const h2sim::Program& p, std::size_t lanes) {
  const double steps = (p.time().stop - p.time().start) / p.time().dt;
  return static_cast<double>(p.instruction_count()) * steps * static_cast<double>(lanes);
}

void BM_HydrogenSingleRun(benchmark::State& state) {
  const h2sim::Program& p = program();
  for (auto _ : state) benchmark::DoNotOptimize(h2sim::simulate(p, options()));
  state.counters["equations/s"] =
      benchmark::Counter(evaluations(p, 1), benchmark::Counter::kIsIterationInvariantRate);
  state.counters["instructions"] = static_cast<double>(p.instruction_count());
}

void BM_HydrogenBatch(benchmark::State& state) {
  const h2sim::Program& p = program();
  const auto lanes = static_cast<Eigen::Index>(state.range(0));
  h2sim::ParameterTable table;
  table.names = {"learning.learning_rate", "marketing"};
  table.values.resize(lanes, 2);
  for (Eigen::Index i = 0; i < lanes; ++i) {
    table.values(i, 0) = 0.17 + 0.08 * static_cast<double>(i) / static_cast<double>(lanes);
    table.values(i, 1) = 0.01 + 0.03 * static_cast<double>(i % 7) / 7.0;
  }
  for (auto _ : state) benchmark::DoNotOptimize(h2sim::simulate_batch(p, table, options()));
  state.counters["equations/s"] =
      benchmark::Counter(evaluations(p, static_cast<std::size_t>(lanes)),
                         benchmark::Counter::kIsIterationInvariantRate);
  state.counters["runs/s"] =
      benchmark::Counter(static_cast<double>(lanes), benchmark::Counter::kIsIterationInvariantRate);
}

}  // namespace

BENCHMARK(BM_HydrogenSingleRun)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_HydrogenBatch)->Arg(8)->Arg(64)->Arg(512)->Unit(benchmark::kMillisecond);
