// What each fuzz target does with one input, shared by the libFuzzer targets (fuzz_*.cpp)
// and by the regression test that replays every input a campaign ever found
// (tests/cpp/test_fuzz_findings.cpp). The rule every input must follow: h2sim either
// succeeds or throws an h2sim::Error. Anything else (another exception, a crash, a hang,
// a sanitizer report) is a finding.
#pragma once

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <h2sim/h2sim.hpp>
#include <h2sim/native.hpp>
#include <optional>
#include <string>

namespace h2fuzz {

// The repository root (for the YAML target: scenarios name their model and components
// relative to their own file, so the input is read as if it were one of the examples).
#ifndef H2SIM_SOURCE_DIR
#define H2SIM_SOURCE_DIR "."
#endif

inline std::string as_text(const std::uint8_t* data, std::size_t size) {
  return std::string(reinterpret_cast<const char*>(data), size);
}

// A few steps of a run: enough to execute every instruction, bounded in time.
inline void run_briefly(const h2sim::Program& program) {
  h2sim::SimulationOptions options;
  const double start = std::isfinite(program.time().start) ? program.time().start : 0.0;
  options.start = start;
  options.stop =
      start + 4 * (program.time().dt > 0 && program.time().dt < 1e6 ? program.time().dt : 1.0);
  options.dt = program.time().dt > 0 && program.time().dt < 1e6 ? program.time().dt : 1.0;
  options.save_every = options.dt;
  (void)h2sim::simulate(program, options);
}

// The compiled backend's C for a program the compiler made: the code generator must write
// every program (it refusing one is a finding, not an input error). Not compiled here: a C
// compiler per input is too slow for fuzzing; tests/cpp/test_native.cpp compiles and
// compares every operator, conformance model and hydrogen scenario.
inline void generate_c(const h2sim::Program& program) {
  try {
    (void)h2sim::native_source(program, false);
    (void)h2sim::native_source(program, true, "fuzz */ title");
  } catch (const h2sim::Error& e) {
    std::fprintf(stderr, "the code generator refused a compiled program: %s\n", e.what());
    std::abort();
  }
}

// A small model with `text` as the equation of its one auxiliary, x.
inline h2sim::Model equation_model(const std::string& text) {
  h2sim::Model model("fuzz");
  model.time() = {.start = 0, .stop = 2, .dt = 0.5};
  model.add_dimension("d", {"a", "b"});
  model.add_constant("c", 2);
  model.add_constant("v", 3).with_dimensions({"d"});
  h2sim::GraphicalFunction table;
  table.x = {0, 1, 2};
  table.y = {0, 1, 4};
  model.add_lookup("table", table);
  model.add_stock("s", "1", {"f"});
  model.add_flow("f", "0.1 * s");
  model.add_auxiliary("x", text);
  return model;
}

// An equation: parse, print, check in its small model, compile, run.
inline void equation(const std::uint8_t* data, std::size_t size) {
  const std::string text = as_text(data, size);
  try {
    const h2sim::Equation parsed(text);
    // The printed form of the tree parses again.
    const h2sim::Equation again(h2sim::Equation::from_tree(parsed.tree()).text());
    const h2sim::CheckResult checked = h2sim::check_model(equation_model(text));
    if (checked.program) run_briefly(*checked.program);
  } catch (const h2sim::Error&) {
  }
}

// An equation's small model, compiled and written as C (a target of its own: writing the C
// takes longer than the rest, and would slow the equation target fivefold).
inline void codegen(const std::uint8_t* data, std::size_t size) {
  std::optional<h2sim::Program> program;
  try {
    const h2sim::CheckResult checked = h2sim::check_model(equation_model(as_text(data, size)));
    if (!checked.program) return;
    program = *checked.program;
  } catch (const h2sim::Error&) {
    return;
  }
  generate_c(*program);
}

// A unit string: parse, print, parse the print, convert.
inline void units(const std::uint8_t* data, std::size_t size) {
  try {
    const h2sim::Unit unit = h2sim::parse_unit(as_text(data, size));
    if (!unit.specified) return;
    const h2sim::Unit again = h2sim::parse_unit(h2sim::format_unit(unit));
    (void)h2sim::conversion_factor(unit, again);
  } catch (const h2sim::Error&) {
  }
}

// A model file's text: read, check, and run a few steps.
template <class Load>
void model_text(const std::uint8_t* data, std::size_t size, Load load) {
  try {
    const h2sim::Program program = load(as_text(data, size));
    run_briefly(program);
  } catch (const h2sim::Error&) {
  }
}

inline void yaml(const std::uint8_t* data, std::size_t size) {
  model_text(data, size, [](const std::string& text) {
    const h2sim::Scenario s =
        h2sim::parse_scenario(text, H2SIM_SOURCE_DIR "/scenarios/examples/fuzz.yaml");
    return s.program ? *s.program : h2sim::compile_model(s.model);
  });
}

inline void xmile(const std::uint8_t* data, std::size_t size) {
  model_text(data, size, [](const std::string& text) {
    return h2sim::compile_model(h2sim::parse_xmile(text, "fuzz.xmile"));
  });
}

inline void vensim(const std::uint8_t* data, std::size_t size) {
  model_text(data, size, [](const std::string& text) {
    return h2sim::compile_model(h2sim::parse_vensim(text, "fuzz.mdl"));
  });
}

}  // namespace h2fuzz
