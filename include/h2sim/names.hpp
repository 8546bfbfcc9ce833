// Canonical names: how h2sim compares the names of variables, dimensions and elements.
#pragma once

#include <string>

namespace h2sim {

// Canonical form of a variable, dimension or element name: lower case, spaces and
// underscores the same, surrounding quotes and whitespace removed (XMILE rules).
std::string canonical_name(const std::string& name);
// The same for a name with elements: "Fleet [ Heavy Truck ]" -> "fleet[heavy_truck]".
std::string canonical_element_name(const std::string& name);

}  // namespace h2sim
