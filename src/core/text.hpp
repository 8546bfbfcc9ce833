// Small text helpers shared by the stages that suggest names ("did you mean ...?").
#pragma once

#include <cstddef>
#include <string>

namespace h2sim::detail {

// Levenshtein distance: insertions, deletions and substitutions each cost 1.
std::size_t edit_distance(const std::string& a, const std::string& b);

}  // namespace h2sim::detail
