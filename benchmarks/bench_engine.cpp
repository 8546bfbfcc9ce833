// Speed of the h2sim engine: equation evaluations per second per core, for one run and
// for batches of lanes. See README.md for how to run it and what the counters mean.
//
// The model is built in code: a chain of `kSegments` segments (a stock, its inflow and
// outflow, and three auxiliaries with EXP, LN, MAX, ^, SIN and a graphical function),
// so 6 equations per segment, 300 in all, plus 6 constants that batches vary per lane.
#include <benchmark/benchmark.h>

#include <cmath>
#include <h2sim/h2sim.hpp>
#include <string>
#include <vector>

namespace {

constexpr int kSegments = 50;
constexpr double kStop = 10.0;
constexpr double kDt = 1.0 / 16;

std::string indexed(const char* base, int i) { return std::string(base) + "_" + std::to_string(i); }

h2sim::Model chain_model() {
  h2sim::Model model("benchmark chain");
  model.time().start = 0;
  model.time().stop = kStop;
  model.time().dt = kDt;
  model.time().save_every = 1.0;
  model.time().method = h2sim::Method::Euler;

  model.add_constant("source", 5);
  model.add_constant("capacity", 40);
  model.add_constant("residence", 2);
  model.add_constant("base cost", 100);
  model.add_constant("learning", 0.3);
  model.add_constant("transfer share", 0.9);
  h2sim::GraphicalFunction saturation;
  saturation.x = {0, 0.5, 1, 1.5, 2};
  saturation.y = {1, 0.95, 0.7, 0.3, 0.1};
  model.add_lookup("saturation", saturation);

  for (int i = 0; i < kSegments; ++i) {
    const auto stock = indexed("stock", i);
    model.add_stock(stock, "10", {indexed("inflow", i)}, {indexed("outflow", i)});
    if (i == 0) {
      model.add_flow(indexed("inflow", i), "source * (1 + 0.1 * SIN(TIME))");
    } else {
      model.add_flow(indexed("inflow", i),
                     indexed("outflow", i - 1) + " * transfer_share * " + indexed("effect", i));
    }
    model.add_flow(indexed("outflow", i),
                   stock + " / residence * (1 + 0.05 * LN(1 + " + stock + "))");
    model.add_auxiliary(indexed("pressure", i), stock + " / capacity");
    model.add_auxiliary(indexed("effect", i), "saturation(" + indexed("pressure", i) + ")");
    model.add_auxiliary(indexed("cost", i), "base_cost * EXP(-learning * " + stock +
                                                " / 100) + MAX(0, " + indexed("pressure", i) +
                                                " - 1) ^ 2");
  }
  return model;
}

std::size_t equation_count(const h2sim::Model& model) {
  std::size_t count = 0;
  for (const auto& variable : model.variables()) {
    if (variable.kind != h2sim::VariableKind::Constant && !variable.equation.empty()) ++count;
  }
  return count;
}

const h2sim::Model& shared_model() {
  static const h2sim::Model model = chain_model();
  return model;
}

const h2sim::Program& shared_program() {
  static const h2sim::Program program = h2sim::compile_model(shared_model());
  return program;
}

h2sim::Method method_of(int64_t index) {
  switch (index) {
    case 0:
      return h2sim::Method::Euler;
    case 1:
      return h2sim::Method::RK4;
    default:
      return h2sim::Method::Dopri5;
  }
}

int stages_of(h2sim::Method method) { return method == h2sim::Method::RK4 ? 4 : 1; }

h2sim::SimulationOptions options_for(h2sim::Method method) {
  h2sim::SimulationOptions options;
  options.method = method;
  // Per-core numbers: with one thread simulate_batch works on the calling thread, so
  // the rates below are per CPU second of this thread (Google Benchmark's default),
  // which stays meaningful on a shared, loaded machine.
  options.threads = 1;
  options.outputs = {indexed("stock", kSegments - 1), indexed("cost", kSegments - 1)};
  return options;
}

// Right-hand side evaluations of one run at fixed dt: steps x stages.
double rhs_calls(h2sim::Method method) { return std::round(kStop / kDt) * stages_of(method); }

void set_counters(benchmark::State& state, h2sim::Method method, double lanes) {
  const auto& program = shared_program();
  const double calls = rhs_calls(method) * lanes;
  using benchmark::Counter;
  state.counters["instructions"] = static_cast<double>(program.instruction_count());
  state.counters["model_equations"] = static_cast<double>(equation_count(shared_model()));
  state.counters["lanes"] = lanes;
  // Equation evaluations per second: instructions per right-hand side x right-hand
  // sides per second.
  state.counters["equations/s"] = Counter(static_cast<double>(program.instruction_count()) * calls,
                                          Counter::kIsIterationInvariantRate);
  state.counters["model_equations/s"] =
      Counter(static_cast<double>(equation_count(shared_model())) * calls,
              Counter::kIsIterationInvariantRate);
  state.counters["lane_steps/s"] =
      Counter(std::round(kStop / kDt) * lanes, Counter::kIsIterationInvariantRate);
}

void BM_Compile(benchmark::State& state) {
  const auto& model = shared_model();
  for (auto _ : state) {
    auto program = h2sim::compile_model(model);
    benchmark::DoNotOptimize(program);
  }
  state.counters["model_equations"] = static_cast<double>(equation_count(model));
}
BENCHMARK(BM_Compile)->Unit(benchmark::kMillisecond);

// One run through simulate(): arg 0 = Euler, 1 = RK4, 2 = Dopri5 (no equation counter:
// its number of right-hand sides depends on the step control).
void BM_SingleRun(benchmark::State& state) {
  const auto method = method_of(state.range(0));
  const auto& program = shared_program();
  const auto options = options_for(method);
  for (auto _ : state) {
    auto result = h2sim::simulate(program, options);
    benchmark::DoNotOptimize(result.values.data());
  }
  if (method != h2sim::Method::Dopri5) set_counters(state, method, 1);
  state.SetLabel(h2sim::to_string(method));
}
BENCHMARK(BM_SingleRun)->Arg(0)->Arg(1)->Arg(2)->Unit(benchmark::kMillisecond);

// simulate_batch on one thread: args (lanes, method 0 = Euler / 1 = RK4).
void BM_Batch(benchmark::State& state) {
  const auto lanes = static_cast<int>(state.range(0));
  const auto method = method_of(state.range(1));
  const auto& program = shared_program();
  const auto options = options_for(method);
  h2sim::ParameterTable table;
  table.names = {"source", "capacity", "residence", "learning"};
  table.values.resize(lanes, 4);
  for (int lane = 0; lane < lanes; ++lane) {
    const double u = (lane % 97) / 97.0;
    table.values(lane, 0) = 4 + 2 * u;
    table.values(lane, 1) = 30 + 20 * u;
    table.values(lane, 2) = 1.5 + u;
    table.values(lane, 3) = 0.2 + 0.2 * u;
  }
  for (auto _ : state) {
    auto batch = h2sim::simulate_batch(program, table, options);
    benchmark::DoNotOptimize(batch.values.data());
  }
  set_counters(state, method, lanes);
  state.SetLabel(h2sim::to_string(method));
}
BENCHMARK(BM_Batch)
    ->ArgsProduct({{1, 8, 64, 512, 4096}, {0, 1}})
    ->ArgNames({"lanes", "method"})
    ->Unit(benchmark::kMillisecond);

// Shares of n elements, share[d] = weight[d] / SUM(weight[*]): compile_model, and one Euler
// run of 100 steps. The SUM reads nothing of the element, so it is computed once a step (it
// was unrolled per element: n^2 terms, 20 s and 3.2 GiB to compile n = 3,000).
h2sim::Model shares_model(int n) {
  h2sim::Model model("shares");
  model.time() = {.start = 0, .stop = 100, .dt = 1, .method = h2sim::Method::Euler};
  std::vector<std::string> elements;
  for (int i = 0; i < n; ++i) elements.push_back(indexed("e", i));
  model.add_dimension("d", elements);
  model.add_constant("weight", 1).with_dimensions({"d"});
  model.add_stock("stock", "weight", {"growth"}).with_dimensions({"d"});
  model.add_flow("growth", "0.01 * stock").with_dimensions({"d"});
  model.add_auxiliary("share", "stock / SUM(stock[*])").with_dimensions({"d"});
  return model;
}

void BM_CompileShares(benchmark::State& state) {
  const auto model = shares_model(static_cast<int>(state.range(0)));
  for (auto _ : state) {
    auto program = h2sim::compile_model(model);
    benchmark::DoNotOptimize(program);
  }
  state.counters["instructions"] =
      static_cast<double>(h2sim::compile_model(model).instruction_count());
}
BENCHMARK(BM_CompileShares)->Arg(1000)->Arg(3000)->Arg(30000)->Unit(benchmark::kMillisecond);

void BM_RunShares(benchmark::State& state) {
  const auto program = h2sim::compile_model(shares_model(static_cast<int>(state.range(0))));
  h2sim::SimulationOptions options;
  options.threads = 1;
  options.outputs = {"share"};
  for (auto _ : state) {
    auto result = h2sim::simulate(program, options);
    benchmark::DoNotOptimize(result.values.data());
  }
}
BENCHMARK(BM_RunShares)->Arg(1000)->Arg(3000)->Arg(30000)->Unit(benchmark::kMillisecond);

}  // namespace
