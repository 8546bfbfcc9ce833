// Everything a C++ user of h2sim needs: #include <h2sim/h2sim.hpp>
#pragma once

#include "h2sim/check.hpp"
#include "h2sim/compile.hpp"
#include "h2sim/error.hpp"
#include "h2sim/functions.hpp"
#include "h2sim/inspect.hpp"
#include "h2sim/limits.hpp"
#include "h2sim/model.hpp"
#include "h2sim/names.hpp"
#include "h2sim/native.hpp"
#include "h2sim/program.hpp"
#include "h2sim/scenario.hpp"
#include "h2sim/simulate.hpp"
#include "h2sim/units.hpp"
#include "h2sim/vensim.hpp"
#include "h2sim/version.hpp"
#include "h2sim/xmile.hpp"
