// The readers: each turns a file's text into a Model or a Scenario, and reports what the
// format itself shows (syntax, unknown keys, values of the wrong type) at file:line. They
// only translate: what the equations mean (names, dimensions, units, loops) is checked
// afterwards by check_model, which the public load_* functions (src/load/) run.
//
// A new input format plugs in here: a read_FORMAT(text, file) returning a Model whose
// variables carry their Location, and a line in src/load/load.cpp that picks it.
#pragma once

#include <string>
#include <vector>

#include "core/encoding.hpp"
#include "h2sim/model.hpp"
#include "h2sim/scenario.hpp"

namespace h2sim::detail {

// A YAML scenario or model file, or an XMILE model, as a Scenario (levers and parameters
// applied, nothing compiled).
Scenario read_scenario(const std::string& text, const std::string& file);

// An XMILE 1.0 model (include/h2sim/xmile.hpp says what is read and what is refused).
// Elements skipped as XMILE allows are noted in `warnings`, when given.
Model read_xmile(const std::string& text, const std::string& file,
                 std::vector<std::string>* warnings = nullptr);

// A Vensim .mdl model (include/h2sim/vensim.hpp); data files are looked up beside `file`.
Model read_vensim(const std::string& text, const std::string& file);

// A file's whole text, decoded by the one rule of core/encoding.hpp (with the fallback its
// extension allows: text_fallback); ScenarioError when it cannot be read, is a folder or is
// larger than the limit, ParseError when it is not text.
std::string read_file(const std::string& path);
TextFallback text_fallback(const std::string& path);

}  // namespace h2sim::detail
