// exp, log and pow with the same bits at every lane width.
//
// A batch must equal single runs bit for bit, so lane i of a block must compute exactly what a
// single run computes. The C library has only scalar exp/log/pow, which made every lane of a
// block call them one by one. SLEEF's deterministic functions ("finz" with FMA, "cinz"
// without) give the same bits for one value and for a vector of eight, whichever vector unit
// computes them: single runs call the one-value function, blocks the eight-value one. The
// family is chosen once, at run time, from the processor: with FMA (every x86-64 processor
// since 2013) results are the same on every machine, whatever flags h2sim was built with.
#pragma once

#include "program/native_abi.h"

namespace h2sim::detail {

// The functions for this processor, chosen on first use.
const h2sim_math& math_functions();
// Which SLEEF family and vector unit they use, for the benchmarks' notes.
const char* math_functions_name();

}  // namespace h2sim::detail
