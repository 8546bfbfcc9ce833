// Times runs of one scenario: single runs, or batches of lanes, on a chosen number of threads.
// Prints CPU time and wall time per run with the load average beside them, since wall time
// on a shared machine says little. Small and deterministic, so that
//   valgrind --tool=callgrind ./build/benchmarks/h2sim_run_scenario SCENARIO --runs 1
// counts the instructions one run costs (repeatable where timings are not).
//
//   h2sim_run_scenario SCENARIO [--runs N] [--lanes L] [--threads T] [--backend NAME]
//                      [--outputs A,B]
//     --runs N      single runs (simulate), default 10; with --lanes, batches
//     --lanes L     run batches of L lanes (simulate_batch) instead of single runs
//     --threads T   worker threads of a batch (default 1)
//     --backend B   interpreter (default) or compiled
//     --outputs A,B the outputs kept (default: the model's; an ensemble keeps a few)
// SCENARIO is a YAML scenario or an XMILE or Vensim model.
#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <h2sim/h2sim.hpp>
#include <string>
#include <vector>

namespace {

double cpu_seconds() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return static_cast<double>(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) +
         1e-6 * static_cast<double>(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec);
}

std::string load_average() {
  std::ifstream in("/proc/loadavg");
  std::string one;
  in >> one;
  return one.empty() ? "?" : one;
}

int usage() {
  std::fprintf(stderr,
               "usage: h2sim_run_scenario SCENARIO [--runs N] [--lanes L] [--threads T] "
               "[--backend interpreter|compiled] [--outputs A,B]\n");
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) return usage();
  const std::string scenario = argv[1];
  long runs = 10;
  long lanes = 0;
  unsigned threads = 1;
  std::string backend = "interpreter";
  std::vector<std::string> outputs;
  for (int i = 2; i < argc; ++i) {
    const std::string arg = argv[i];
    if (i + 1 >= argc) return usage();
    const char* value = argv[++i];
    if (arg == "--runs") {
      runs = std::atol(value);
    } else if (arg == "--lanes") {
      lanes = std::atol(value);
    } else if (arg == "--threads") {
      threads = static_cast<unsigned>(std::atol(value));
    } else if (arg == "--backend") {
      backend = value;
    } else if (arg == "--outputs") {
      std::string list = value;
      for (std::size_t from = 0; from <= list.size();) {
        const std::size_t comma = std::min(list.find(',', from), list.size());
        if (comma > from) outputs.push_back(list.substr(from, comma - from));
        from = comma + 1;
      }
    } else {
      return usage();
    }
  }
  try {
    h2sim::Program program = *h2sim::load_scenario(scenario).program;
    if (backend == "compiled") {
      const auto start = std::chrono::steady_clock::now();
      const h2sim::NativeBuild build = h2sim::build_native(program);
      const double seconds =
          std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
      if (!build.compiled) {
        std::fprintf(stderr, "h2sim_run_scenario: not compiled: %s\n", build.reason.c_str());
        return 1;
      }
      std::printf("compiled in %.2f s (%s)\n", seconds,
                  build.from_cache ? "from the cache" : "built now");
      program = build.program;
    } else if (backend != "interpreter") {
      return usage();
    }
    h2sim::SimulationOptions options;
    options.threads = threads;
    options.outputs = outputs;
    const h2sim::TimeSettings& time = program.time();
    const double steps = (time.stop - time.start) / time.dt;
    std::printf("%s: %zu instructions a step, %.0f steps, backend %s\n", scenario.c_str(),
                program.instruction_count(), steps, program.backend().c_str());
    const double cpu0 = cpu_seconds();
    const auto wall0 = std::chrono::steady_clock::now();
    double checksum = 0;
    long total = 0;
    for (long r = 0; r < runs; ++r) {
      if (lanes > 0) {
        h2sim::ParameterTable table;
        const auto& parameters = program.parameters();
        const std::string name = parameters.empty() ? "" : parameters.front().name;
        if (!name.empty()) {
          table.names = {name};
          table.values.resize(lanes, 1);
          for (long l = 0; l < lanes; ++l)
            table.values(l, 0) =
                parameters.front().value * (1.0 + 0.01 * static_cast<double>(l % 7));
        } else {
          table.values.resize(lanes, 0);
        }
        const h2sim::BatchResult result = h2sim::simulate_batch(program, table, options);
        checksum += result.values.back();
        total += lanes;
      } else {
        const h2sim::Result result = h2sim::simulate(program, options);
        checksum += result.values.back();
        total += 1;
      }
    }
    const double cpu = cpu_seconds() - cpu0;
    const double wall =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - wall0).count();
    std::printf(
        "%ld runs: CPU %.4f ms a run, wall %.4f ms a run (%.1f ns CPU a step, %.3f ns CPU an "
        "instruction), load average %s, checksum %.17g\n",
        total, 1e3 * cpu / static_cast<double>(total), 1e3 * wall / static_cast<double>(total),
        1e9 * cpu / (static_cast<double>(total) * steps),
        1e9 * cpu /
            (static_cast<double>(total) * steps * static_cast<double>(program.instruction_count())),
        load_average().c_str(), checksum);
  } catch (const std::exception& error) {
    std::fprintf(stderr, "h2sim_run_scenario: %s\n", error.what());
    return 1;
  }
  return 0;
}
