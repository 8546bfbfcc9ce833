// The units checker, on a resolved model (check_units(Model) resolves first).
#pragma once

#include <vector>

#include "h2sim/check.hpp"
#include "resolve/resolved_model.hpp"

namespace h2sim::detail {

std::vector<UnitIssue> check_units(const ResolvedModel& model);

}  // namespace h2sim::detail
