// The compiled backend's code generator: a Program as C source.
//
// Each instruction becomes one C statement that performs the same IEEE operation on the same
// operands, in the same order, as the interpreter (src/program/kernel.hpp); the instructions
// that are more than one operation call the very rules the kernel calls (kernel_rules.h and
// interpolation_rule.h, pasted in), and exp, log and pow are the library's own functions,
// lent to the code when it is loaded (native_abi.h). Built with -ffp-contract=off, the code
// then gives the interpreter's results bit for bit.
#pragma once

#include <sstream>
#include <string>

#include "program/program_data.hpp"

namespace h2sim::detail {

// The kernel of a program as a C file: four functions (initialisation and one evaluation, for
// one lane and for a block of H2SIM_LANES) and the entry point native_abi.h names. The
// lookup tables' points are read at run time, so a changed schedule of the same length
// needs no new build.
std::string backend_source(const ProgramData& program);

// A standalone C file for embedding in another program: the one-lane kernel, the lookup
// tables, the names and default values of parameters and outputs, and a driver that runs
// the model with Euler or RK4 as the simulator does. `title` goes into its header comment.
// Throws ModelError for a program whose method is adaptive (Dopri5, Rosenbrock4).
std::string standalone_source(const ProgramData& program, const std::string& title);

// What the two share (codegen.cpp): a double as a C literal that reads back to the same bits;
// a string as a C string literal; the rules, vector type and lent functions every file starts
// with; the kernel's functions (h2sim_init1, h2sim_step1 and, with `blocks`, h2sim_init8 and
// h2sim_step8).
std::string c_number(double v);
std::string c_string(const std::string& s);
void write_rules(std::ostringstream& out);
void write_kernel(const ProgramData& program, std::ostringstream& out, bool blocks);

}  // namespace h2sim::detail
