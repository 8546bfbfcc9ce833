// The compiled backend: a Program turned into machine code by the system's C compiler.
//
//   h2sim::NativeBuild build = h2sim::build_native(program);    // seconds the first time,
//   h2sim::simulate(build.program);                             // then from the cache
//
// The code runs through the same simulator (every method, batches, threads) and gives the
// interpreter's results bit for bit. It is built once per program, compiler and processor,
// and kept in a cache folder; where no compiler is found (or compiling fails), build_native
// returns the interpreted Program with the reason, so a caller can always go on.
// docs/compiled.md has the whole story.
#pragma once

#include <string>

#include "h2sim/program.hpp"

namespace h2sim {

struct NativeOptions {
  // The C compiler to run (a path, or a name looked up on PATH). Empty: $H2SIM_CC, else $CC,
  // else the first of cc, gcc and clang on PATH.
  std::string compiler;
  // Where built models are kept. Empty: $H2SIM_CACHE_DIR, else $XDG_CACHE_HOME/h2sim, else
  // ~/.cache/h2sim. Safe to share between processes, which may build the same model at once.
  std::string cache_dir;
};

struct NativeBuild {
  explicit NativeBuild(Program p) : program(std::move(p)) {}
  Program program;          // runs the machine code, or (compiled false) the interpreter
  bool compiled = false;    // the machine code is in use
  bool from_cache = false;  // it was built before (by this process or another)
  bool failed = false;      // a compiler was found but building or loading failed (a bug)
  std::string reason;       // why it was not compiled: no compiler, or the compiler's message
  std::string library;      // the shared library's path
  std::string compiler;     // the compiler that built it, with its version
  double seconds = 0;       // generating, compiling and loading, wall clock
};

// The program as machine code, built now or found in the cache; never throws for a missing
// or failing compiler (see NativeBuild::reason).
NativeBuild build_native(const Program& program, const NativeOptions& options = {});

// The program's C source as the backend compiles it (for reading), or, `standalone`, a file
// to embed in another program: the model with its tables, names, default values and a driver
// that runs it with Euler or RK4 as simulate() does (docs/compiled.md shows its interface).
// A standalone file needs a fixed-step method: it throws ModelError for Dopri5 and
// Rosenbrock4.
std::string native_source(const Program& program, bool standalone = true,
                          const std::string& title = "");

// exp, log and pow in every run (interpreted or compiled) are SLEEF's deterministic
// functions; which family and vector unit this processor uses, in words.
std::string math_functions_in_use();

}  // namespace h2sim
