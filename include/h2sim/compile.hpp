// compile_model: Model -> Program.
#pragma once

#include "h2sim/model.hpp"
#include "h2sim/program.hpp"

namespace h2sim {

// Resolves names, expands arrays and SMTH/DELAY/TREND into internal stocks, orders
// auxiliaries, folds constants. Throws ModelError (unknown names, dimension
// mismatches, algebraic loops with the variables of the loop, bad arguments), located at
// the variable's definition.
Program compile_model(const Model& model);

}  // namespace h2sim
