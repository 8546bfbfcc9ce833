// XMILE 1.0 model files (the OASIS system-dynamics interchange format) -> Model.
//
// Read: sim_specs (start, stop, dt with reciprocal="true", a save interval, Euler or
// RK4), stocks (initial value, inflows, outflows, non_negative), flows (non_negative:
// uniflow), auxiliaries, graphical functions (inside a variable, or standalone and
// called as name(x)), units, doc, behavior (non_negative defaults), dimensions and
// arrayed variables (apply-to-all, per-element <element subscript="...">, and the
// number lists "1, 2, 3" / "1, 2; 3, 4" that Vensim's translator writes), and modules
// with <connect> (inlined into one Model: a variable `x` of module instance `m` is
// named "m.x"). Names follow XMILE: case-insensitive, spaces and underscores alike,
// "\n" in a name is a space.
//
// Anything else that could change the results (macros, conveyors, queues, data
// imports, unknown variable kinds, unknown elements inside a variable, ...) is refused
// with an error naming the element and its line. Vendor extensions (isee:...) and
// display elements (views, styles, ranges) are skipped; other unknown elements at the
// top level or in a <model> are skipped with a warning, as XMILE asks. A returned Model compiles:
// errors that only compile_model() can see (unknown names or functions, dimension mismatches,
// algebraic loops) are reported at load time, with the file and the line of the
// variable's definition.
#pragma once

#include <string>
#include <vector>

#include "h2sim/model.hpp"

namespace h2sim {

// Reads an .xmile file. Errors (h2sim::ParseError for XML and equation syntax,
// h2sim::ModelError for structure) carry the file and line.
// Elements the reader does not know at the top level or in a <model> (vendor and
// display blocks such as Stella's <default_format/>) are skipped; when `warnings` is
// given, each skipped element adds a line there ("file:line: ignored <tag>").
Model load_xmile(const std::string& path, std::vector<std::string>* warnings = nullptr);

// The same, from XMILE text; `file_label` names the text in error messages.
Model parse_xmile(const std::string& text, const std::string& file_label = "<xmile>",
                  std::vector<std::string>* warnings = nullptr);

// Writes any Model as XMILE 1.0 that Stella users can open and load_xmile reads back
// to the same results. Component variables keep their dotted names ("vehicles.fleet"),
// which a Stella user sees as flat variables. Adaptive and stiff methods are written
// as Euler (XMILE knows Euler and RK4 only).
std::string to_xmile(const Model& model);
// Same, to a file; written through a temporary file, never half-written.
void save_xmile(const Model& model, const std::string& path);

}  // namespace h2sim
