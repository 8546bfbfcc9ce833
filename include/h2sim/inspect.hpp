// Readable views of a model: every equation, and the dependency graph.
#pragma once

#include <string>

#include "h2sim/model.hpp"

namespace h2sim {

// Every equation a model expands to, after components and arrays, with units and
// sources: a readable plain-text listing. Throws ModelError when a name does not resolve.
std::string list_equations(const Model& model);

// The dependency graph (stocks, flows, auxiliaries, constants) as Graphviz DOT: an edge from
// every variable (or lookup table) an equation reads, bold blue edges for material flows.
std::string dependency_graph_dot(const Model& model);

}  // namespace h2sim
