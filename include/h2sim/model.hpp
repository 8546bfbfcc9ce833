// h2sim::Model: the declarative stock-and-flow graph.
//
// A Model is a value. Equations are parsed once, when they are set; copying a
// Model shares the parsed equations, and changing a constant never re-parses.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "h2sim/equation.hpp"
#include "h2sim/error.hpp"
#include "h2sim/names.hpp"

namespace h2sim {

enum class VariableKind { Stock, Flow, Auxiliary, Constant };
// "stock", "flow", "auxiliary", "constant": the names the YAML format, the listings and the
// Python package use.
std::string to_string(VariableKind kind);

// How a graphical function reads between and beyond its points (XMILE 1.0, 3.1.4).
enum class Interpolation {
  Continuous,   // linear between points, held at the end values outside
  Extrapolate,  // linear between points, continued linearly outside
  Discrete,     // the value of the nearest point at or below x (a step function)
};

// "continuous", "extrapolate", "discrete": the names the YAML format and XMILE use.
std::string to_string(Interpolation interpolation);

struct GraphicalFunction {
  std::vector<double> x;  // strictly increasing
  std::vector<double> y;  // same length as x
  Interpolation interpolation = Interpolation::Continuous;
  std::string x_units;
  std::string y_units;

  double operator()(double input) const;
};

enum class Method { Euler, RK4, Dopri5, Rosenbrock4 };

// "euler", "rk4", "dopri5", "rosenbrock4" (case-insensitive; "runge-kutta-4" and
// "rk45" are accepted too). Throws ModelError for anything else.
Method parse_method(const std::string& name);
std::string to_string(Method method);

// Time settings a model carries (XMILE sim_specs); simulate() can override each.
struct TimeSettings {
  double start = 0.0;
  double stop = 10.0;
  double dt = 0.25;
  double save_every = 0.0;  // 0: every dt
  Method method = Method::Euler;
  std::string time_units = "year";
  // Where the settings were read (the file and line of `time:` or <sim_specs>): errors about
  // them, at load and at run time, point here.
  Location location = {};
};

// An equation for one element (or a tuple of elements) of an arrayed variable.
struct ElementEquation {
  std::vector<std::string> elements;  // one per dimension of the variable; "*" for all
  Equation equation;                  // empty in an array of lookup tables
  // The element's own graphical function (XMILE's <element><gf>, Vensim's table[A](...)):
  // its value is gf(equation); without an equation it is a lookup table called as
  // table[A](x). Unset: the variable's graphical function, if any, applies.
  std::optional<GraphicalFunction> graphical_function;
};

// What a constant may be in an uncertainty ensemble: a range or a distribution.
struct Uncertainty {
  enum class Kind { Uniform, Normal, Triangular, Lognormal } kind = Kind::Uniform;
  // Uniform: low, high. Normal: mean, sd (optional truncation low/high).
  // Triangular: low, mode, high. Lognormal: mean and sd of the log.
  double low = 0, high = 0, mode = 0, mean = 0, sd = 0;
};
// "uniform", "normal", "triangular", "lognormal".
std::string to_string(Uncertainty::Kind kind);

// A variable as a value: fill one in and Model::add it. Inside a Model it changes only
// through the Model (set_equation, set_constant, ..., VariableEditor), which keeps its name
// and index in step.
struct Variable {
  std::string name;  // as the user wrote it
  VariableKind kind = VariableKind::Auxiliary;

  // Stocks: the initial value. Flows and auxiliaries: the equation. Constants: the value.
  Equation equation;

  std::vector<std::string> dimensions;             // empty: scalar
  std::vector<ElementEquation> element_equations;  // per-element equations, override `equation`

  std::vector<std::string> inflows;   // stocks only
  std::vector<std::string> outflows;  // stocks only
  bool non_negative = false;          // stocks: clamped at zero; flows: uniflow, never negative

  // Auxiliaries and flows: when set, the value is gf(equation) (XMILE). A variable of
  // kind Auxiliary with a graphical function and no equation is a lookup table that
  // equations call as name(x).
  std::optional<GraphicalFunction> graphical_function;

  std::string units;
  std::string label;  // human name for charts and tables; empty: the name
  std::string description;
  std::string source;
  std::string basis;  // how a default was obtained: published, calibrated, assumption or ""

  // Constants: the uncertainty a study may sample, and whether it is a policy lever.
  std::optional<Uncertainty> uncertainty;
  bool lever = false;
  // A lever's values a policy study may choose from, when the model declares them
  // (`lever: {range: [low, high]}` or `lever: {options: [...]}`); both empty: any value.
  std::vector<double> lever_range;    // [low, high], low < high
  std::vector<double> lever_options;  // distinct values

  // Where the variable was defined (file, line, column), when it came from a file. Errors
  // about the variable, at load and at run time, point here.
  Location location;

  // A lookup table called as name(x), with no value of its own; or an array of them,
  // called as name[element](x), each element with its own graphical function.
  bool is_lookup_table() const {
    if (equation) return false;
    if (element_equations.empty()) return graphical_function.has_value();
    for (const ElementEquation& e : element_equations)
      if (e.equation || !(e.graphical_function || graphical_function)) return false;
    return true;
  }
};

// A mapping between two dimensions (Vensim's "DimA: a1, a2 -> DimB"): an equation
// arrayed by `target` may read a variable arrayed by the mapped dimension, and element
// k of the mapped dimension corresponds to element k of the target, or to
// `elements[k]` when the correspondence is listed.
struct DimensionMapping {
  std::string target;
  std::vector<std::string> elements;  // empty: by position
};

struct Dimension {
  std::string name;
  std::vector<std::string> elements;
  std::vector<DimensionMapping> mappings;  // dimensions this one maps to
  // A subrange (Vensim): the dimension that holds its elements. The dimension's name used
  // as a number is then the element's position in the parent, not in the subrange.
  std::string parent;
};

class Model;

// Returned by Model::add_*: sets the properties of the variable just added, so that
// `model.add_flow("sales", "p * market").with_units("vehicles/year")` reads well. It stays
// valid while the Model does, whatever is added after; it cannot rename the variable.
class VariableEditor {
 public:
  VariableEditor(Model& model, std::size_t index) : model_(&model), index_(index) {}

  VariableEditor& with_units(std::string units);
  VariableEditor& with_description(std::string description);
  VariableEditor& with_source(std::string source);
  VariableEditor& with_dimensions(std::vector<std::string> dimensions);
  VariableEditor& with_non_negative(bool on = true);
  // Parses `text` for the elements named (one per dimension, "*" for all).
  VariableEditor& with_element_equation(std::vector<std::string> elements, const std::string& text);
  VariableEditor& with_graphical_function(GraphicalFunction gf);
  VariableEditor& with_inflow(std::string flow);   // stocks
  VariableEditor& with_outflow(std::string flow);  // stocks
  VariableEditor& with_uncertainty(Uncertainty uncertainty);
  VariableEditor& as_lever(bool on = true);
  // The values a policy study may give the lever: [low, high], or a list of options.
  VariableEditor& with_lever_range(std::vector<double> range);
  VariableEditor& with_lever_options(std::vector<double> options);
  VariableEditor& defined_at(Location where);

  const Variable& operator*() const;
  const Variable* operator->() const { return &**this; }

 private:
  Variable& variable();
  Model* model_;
  std::size_t index_;
};

class Model {
 public:
  Model() = default;
  explicit Model(std::string name) : name_(std::move(name)) {}

  const std::string& name() const { return name_; }

  TimeSettings& time() { return time_; }
  const TimeSettings& time() const { return time_; }

  // --- building -----------------------------------------------------------------------
  // Throws ModelError for an empty name, a name used twice, or an element listed twice.
  const Dimension& add_dimension(const std::string& name, std::vector<std::string> elements);
  // The same for a dimension with mappings or a subrange parent (Vensim).
  const Dimension& add_dimension(Dimension dimension);

  // Adds a variable as it is. Throws ModelError (located at v.location) when the name is
  // empty or already used.
  VariableEditor add(Variable v);

  // Stocks integrate inflows minus outflows from `initial`. The add_* functions parse the
  // equation (ParseError labelled with the variable on a syntax error).
  VariableEditor add_stock(const std::string& name, const std::string& initial,
                           std::vector<std::string> inflows = {},
                           std::vector<std::string> outflows = {});
  VariableEditor add_flow(const std::string& name, const std::string& equation);
  VariableEditor add_auxiliary(const std::string& name, const std::string& equation);
  VariableEditor add_constant(const std::string& name, double value);
  // A lookup table that equations call as `name(x)` or LOOKUP(name, x).
  VariableEditor add_lookup(const std::string& name, GraphicalFunction gf);

  // --- changing -----------------------------------------------------------------------
  // The variable of this name, for setting its properties. Throws ModelError when none.
  VariableEditor edit(const std::string& name);
  // Replaces the variable with v's name by `v`, in its place. Throws ModelError when none.
  void replace(Variable v);

  // Replaces a variable's (apply-to-all) equation; a text is parsed now, and errors say
  // which variable. A constant becomes an auxiliary.
  void set_equation(const std::string& name, const std::string& equation);
  void set_equation(const std::string& name, Equation equation);
  // Replaces the elements of a dimension (a scenario's own list of cities, say).
  // Per-element equations that name an element no longer there are dropped; returns
  // the names of the variables that lost some, which need new per-element values.
  std::vector<std::string> set_dimension_elements(const std::string& name,
                                                  std::vector<std::string> elements);

  // Makes a constant follow a schedule over time: the variable becomes
  // `schedule(TIME)`. Nothing is parsed.
  void set_time_schedule(const std::string& name, GraphicalFunction schedule);
  // Sets a constant's value without parsing anything. Arrayed constants: every element,
  // or the one named by `elements`.
  void set_constant(const std::string& name, double value,
                    const std::vector<std::string>& elements = {});

  // --- reading ------------------------------------------------------------------------
  const std::vector<Variable>& variables() const { return variables_; }
  const std::vector<Dimension>& dimensions() const { return dimensions_; }
  const Variable* find(const std::string& name) const;
  const Dimension* find_dimension(const std::string& name) const;

 private:
  friend class VariableEditor;
  Variable& at(const std::string& name, const std::string& what);

  std::string name_;
  TimeSettings time_;
  std::vector<Variable> variables_;
  std::vector<Dimension> dimensions_;
  std::map<std::string, std::size_t> index_;            // canonical name -> position in variables_
  std::map<std::string, std::size_t> dimension_index_;  // canonical name -> in dimensions_
  std::size_t dimension_elements_ = 0;  // of all dimensions together, against the limit
};

// Whether a scenario or a run may set `v` to a number or a schedule (`parameters:`,
// `levers:`, Python's with_params): a constant, an auxiliary whose equation is a number, or
// a constant that a schedule already drives. Anything computed by an equation may not be.
bool is_settable_constant(const Variable& v);

// Whether `subscript`, as a per-element equation names it, stands for `element` of a
// variable's dimension: "*", the element itself, or a dimension (a subrange) that holds it.
bool subscript_covers(const Model& model, const std::string& subscript, const std::string& element);

}  // namespace h2sim
