// Vensim .mdl model files -> Model (docs/vensim.md is the reference).
//
// Read: the equations (sketch information is skipped), with Vensim's operators and
// precedence (:AND:, :OR:, :NOT:, :NA:), names with spaces, quoted names and line
// continuations; INTEG stocks (their rates become inflows and outflows where they are
// sums of flows); constants, number lists and tables ("1, 2; 3, 4"); lookups (named,
// inline WITH LOOKUP); subscript ranges, subranges, numbered ranges "(a1-a9)",
// mappings "->", equivalences "<->", :EXCEPT:; macros (:MACRO:); units (the range in
// "[min, max]" is dropped) and comments (into the description); the control section
// (INITIAL TIME, FINAL TIME, TIME STEP, SAVEPER). Vensim's builtins are translated to
// h2sim's with Vensim's own semantics (INTEGER truncates toward zero, MODULO keeps the
// dividend's sign, PULSE is a unit pulse of a width, QUANTUM, SAMPLE IF TRUE, ...).
//
// What cannot be run as Vensim runs it (random numbers, the VECTOR and ALLOCATE
// functions, data read from .vdf files, ...) is refused with the file, the line and the
// construct, never dropped. A returned Model compiles.
#pragma once

#include <string>

#include "h2sim/model.hpp"

namespace h2sim {

// Reads a .mdl file. Errors (ParseError for syntax, ModelError for structure and
// unsupported constructs) carry the file and the line of the definition.
Model load_vensim(const std::string& path);

// The same, from the text of a .mdl file; `file_label` names the text in errors and
// data files (GET DIRECT ...) are looked up beside it.
Model parse_vensim(const std::string& text, const std::string& file_label = "<mdl>");

}  // namespace h2sim
