#include "h2sim/model.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <sstream>
#include <unordered_set>

#include "expr/ast.hpp"
#include "h2sim/error.hpp"
#include "h2sim/limits.hpp"
#include "model/interpolation.hpp"

namespace h2sim {

double GraphicalFunction::operator()(double input) const {
  return detail::interpolate(x.data(), y.data(), std::min(x.size(), y.size()), interpolation,
                             input);
}

std::string to_string(VariableKind kind) {
  switch (kind) {
    case VariableKind::Stock:
      return "stock";
    case VariableKind::Flow:
      return "flow";
    case VariableKind::Auxiliary:
      return "auxiliary";
    case VariableKind::Constant:
      return "constant";
  }
  return "auxiliary";
}

std::string to_string(Interpolation interpolation) {
  switch (interpolation) {
    case Interpolation::Continuous:
      return "continuous";
    case Interpolation::Extrapolate:
      return "extrapolate";
    case Interpolation::Discrete:
      return "discrete";
  }
  return "continuous";
}

Method parse_method(const std::string& name) {
  std::string n;
  for (char c : name)
    if (std::isalnum(static_cast<unsigned char>(c))) n += static_cast<char>(std::tolower(c));
  if (n == "euler") return Method::Euler;
  if (n == "rk4" || n == "rungekutta4" || n == "runge" || n == "rungekutta") return Method::RK4;
  if (n == "dopri5" || n == "rk45" || n == "adaptive") return Method::Dopri5;
  if (n == "rosenbrock4" || n == "rosenbrock" || n == "stiff") return Method::Rosenbrock4;
  throw ModelError("unknown integration method '" + name +
                   "': expected euler, rk4, dopri5 or rosenbrock4");
}

std::string to_string(Method method) {
  switch (method) {
    case Method::Euler:
      return "euler";
    case Method::RK4:
      return "rk4";
    case Method::Dopri5:
      return "dopri5";
    case Method::Rosenbrock4:
      return "rosenbrock4";
  }
  return "euler";
}

std::string to_string(Uncertainty::Kind kind) {
  switch (kind) {
    case Uncertainty::Kind::Uniform:
      return "uniform";
    case Uncertainty::Kind::Normal:
      return "normal";
    case Uncertainty::Kind::Triangular:
      return "triangular";
    case Uncertainty::Kind::Lognormal:
      return "lognormal";
  }
  return "uniform";
}

// --- VariableEditor -----------------------------------------------------------------------

Variable& VariableEditor::variable() { return model_->variables_[index_]; }
const Variable& VariableEditor::operator*() const { return model_->variables_[index_]; }

VariableEditor& VariableEditor::with_units(std::string units) {
  variable().units = std::move(units);
  return *this;
}
VariableEditor& VariableEditor::with_description(std::string description) {
  variable().description = std::move(description);
  return *this;
}
VariableEditor& VariableEditor::with_source(std::string source) {
  variable().source = std::move(source);
  return *this;
}
VariableEditor& VariableEditor::with_dimensions(std::vector<std::string> dimensions) {
  variable().dimensions = std::move(dimensions);
  return *this;
}
VariableEditor& VariableEditor::with_non_negative(bool on) {
  variable().non_negative = on;
  return *this;
}
VariableEditor& VariableEditor::with_element_equation(std::vector<std::string> elements,
                                                      const std::string& text) {
  Location where = variable().location;
  where.variable = variable().name;
  variable().element_equations.push_back(
      {std::move(elements), Equation(text, where), std::nullopt});
  return *this;
}
VariableEditor& VariableEditor::with_graphical_function(GraphicalFunction gf) {
  variable().graphical_function = std::move(gf);
  return *this;
}
VariableEditor& VariableEditor::with_inflow(std::string flow) {
  variable().inflows.push_back(std::move(flow));
  return *this;
}
VariableEditor& VariableEditor::with_outflow(std::string flow) {
  variable().outflows.push_back(std::move(flow));
  return *this;
}
VariableEditor& VariableEditor::with_uncertainty(Uncertainty uncertainty) {
  variable().uncertainty = uncertainty;
  return *this;
}
VariableEditor& VariableEditor::as_lever(bool on) {
  variable().lever = on;
  return *this;
}
VariableEditor& VariableEditor::with_lever_range(std::vector<double> range) {
  variable().lever_range = std::move(range);
  return *this;
}
VariableEditor& VariableEditor::with_lever_options(std::vector<double> options) {
  variable().lever_options = std::move(options);
  return *this;
}
VariableEditor& VariableEditor::defined_at(Location where) {
  variable().location = std::move(where);
  return *this;
}

// --- Model --------------------------------------------------------------------------------

namespace {

Location labelled(const std::string& name) {
  Location where;
  where.variable = name;
  return where;
}

// A dimension's elements: some, each named once, within the element limit alone and together
// with `other_elements` of the model's other dimensions (each within the limit, many together
// would still be gigabytes of names).
void check_elements(const Dimension& d, std::size_t other_elements) {
  const std::string& name = d.name;
  if (d.elements.empty()) throw ModelError("dimension '" + name + "' has no elements");
  if (d.elements.size() > limit(Limit::Elements))
    throw ModelError(limit_message(
        Limit::Elements,
        "dimension '" + name + "' has " + std::to_string(d.elements.size()) + " elements"));
  if (other_elements + d.elements.size() > limit(Limit::Elements))
    throw ModelError(limit_message(Limit::Elements,
                                   "with dimension '" + name + "', the model's dimensions have " +
                                       std::to_string(other_elements + d.elements.size()) +
                                       " elements in all"));
  std::unordered_set<std::string> seen;
  seen.reserve(d.elements.size());
  for (const std::string& element : d.elements) {
    const std::string key = canonical_name(element);
    if (key.empty()) throw ModelError("dimension '" + name + "' has an element with no name");
    if (!seen.insert(key).second)
      throw ModelError("dimension '" + name + "' lists element '" + element + "' twice");
  }
}

}  // namespace

const Dimension& Model::add_dimension(const std::string& name, std::vector<std::string> elements) {
  Dimension d;
  d.name = name;
  d.elements = std::move(elements);
  return add_dimension(std::move(d));
}

const Dimension& Model::add_dimension(Dimension d) {
  const std::string name_key = canonical_name(d.name);
  if (name_key.empty()) throw ModelError("a dimension needs a name");
  if (dimension_index_.count(name_key) != 0)
    throw ModelError("dimension '" + d.name + "' is defined twice");
  check_elements(d, dimension_elements_);
  dimension_elements_ += d.elements.size();
  dimension_index_[name_key] = dimensions_.size();
  dimensions_.push_back(std::move(d));
  return dimensions_.back();
}

VariableEditor Model::add(Variable v) {
  const std::string key = canonical_name(v.name);
  if (key.empty()) throw ModelError("a variable needs a name", v.location);
  if (index_.count(key) != 0) {
    Location where = v.location;
    where.variable = v.name;
    throw ModelError("a variable with this name is already defined", where);
  }
  if (variables_.size() >= limit(Limit::Variables))
    throw ModelError(
        limit_message(Limit::Variables, "the model has more than " +
                                            std::to_string(variables_.size()) + " variables"),
        v.location);
  index_[key] = variables_.size();
  variables_.push_back(std::move(v));
  return VariableEditor(*this, variables_.size() - 1);
}

VariableEditor Model::add_stock(const std::string& name, const std::string& initial,
                                std::vector<std::string> inflows,
                                std::vector<std::string> outflows) {
  Variable v;
  v.name = name;
  v.kind = VariableKind::Stock;
  v.equation = Equation(initial, labelled(name));
  v.inflows = std::move(inflows);
  v.outflows = std::move(outflows);
  return add(std::move(v));
}

VariableEditor Model::add_flow(const std::string& name, const std::string& equation) {
  Variable v;
  v.name = name;
  v.kind = VariableKind::Flow;
  v.equation = Equation(equation, labelled(name));
  return add(std::move(v));
}

VariableEditor Model::add_auxiliary(const std::string& name, const std::string& equation) {
  Variable v;
  v.name = name;
  v.kind = VariableKind::Auxiliary;
  v.equation = Equation(equation, labelled(name));
  return add(std::move(v));
}

VariableEditor Model::add_constant(const std::string& name, double value) {
  Variable v;
  v.name = name;
  v.kind = VariableKind::Constant;
  v.equation = Equation::number(value);
  return add(std::move(v));
}

VariableEditor Model::add_lookup(const std::string& name, GraphicalFunction gf) {
  Variable v;
  v.name = name;
  v.kind = VariableKind::Auxiliary;
  v.graphical_function = std::move(gf);
  return add(std::move(v));
}

// The variable `name`; "no <what>" when there is none.
Variable& Model::at(const std::string& name, const std::string& what) {
  const auto it = index_.find(canonical_name(name));
  if (it == index_.end()) throw ModelError("no " + what);
  return variables_[it->second];
}

VariableEditor Model::edit(const std::string& name) {
  at(name, "variable named '" + name + "'");
  return VariableEditor(*this, index_.at(canonical_name(name)));
}

void Model::replace(Variable v) {
  Variable& old = at(v.name, "variable named '" + v.name + "' to replace");
  old = std::move(v);
}

void Model::set_equation(const std::string& name, const std::string& equation) {
  Variable& v = at(name, "variable named '" + name + "' to set an equation for");
  Location where = v.location;
  where.variable = v.name;
  set_equation(name, Equation(equation, where));
}

void Model::set_equation(const std::string& name, Equation equation) {
  Variable& v = at(name, "variable named '" + name + "' to set an equation for");
  v.equation = std::move(equation);
  if (v.kind == VariableKind::Constant) v.kind = VariableKind::Auxiliary;
}

void Model::set_constant(const std::string& name, double value,
                         const std::vector<std::string>& elements) {
  Variable& v = at(name, "constant named '" + name + "'");
  if (!elements.empty()) {
    Location where = v.location;
    where.variable = v.name;
    if (elements.size() != v.dimensions.size())
      throw ModelError("names " + std::to_string(elements.size()) +
                           " element(s), but the variable has " +
                           std::to_string(v.dimensions.size()) + " dimension(s)",
                       where);
    for (std::size_t i = 0; i < elements.size(); ++i) {
      const Dimension* d = find_dimension(v.dimensions[i]);
      const std::string key = canonical_name(elements[i]);
      if (d != nullptr && elements[i] != "*" &&
          std::none_of(d->elements.begin(), d->elements.end(),
                       [&](const std::string& e) { return canonical_name(e) == key; }))
        throw ModelError("'" + elements[i] + "' is not an element of '" + d->name + "'", where);
    }
  }
  if (elements.empty()) {
    v.equation = Equation::number(value);
    v.element_equations.clear();
    v.graphical_function.reset();  // a value replaces a schedule set earlier
    if (v.kind == VariableKind::Auxiliary) v.kind = VariableKind::Constant;
    return;
  }
  for (auto& eq : v.element_equations) {
    bool same = eq.elements.size() == elements.size();
    for (std::size_t i = 0; same && i < elements.size(); ++i)
      same = canonical_name(eq.elements[i]) == canonical_name(elements[i]);
    if (same) {
      eq.equation = Equation::number(value);
      eq.graphical_function.reset();
      return;
    }
  }
  v.element_equations.push_back({elements, Equation::number(value), std::nullopt});
}

std::vector<std::string> Model::set_dimension_elements(const std::string& name,
                                                       std::vector<std::string> elements) {
  const auto found = dimension_index_.find(canonical_name(name));
  if (found == dimension_index_.end()) throw ModelError("no dimension named '" + name + "'");
  Dimension updated = dimensions_[found->second];  // keeps its mappings and parent
  updated.elements = std::move(elements);
  const std::string dim_name = updated.name;
  // Checked before anything changes (on an error, the old one stays); then moved to the end,
  // as a dimension defined anew.
  const std::size_t old_size = dimensions_[found->second].elements.size();
  check_elements(updated, dimension_elements_ - old_size);
  dimension_elements_ = dimension_elements_ - old_size + updated.elements.size();
  dimensions_.erase(dimensions_.begin() + static_cast<std::ptrdiff_t>(found->second));
  dimensions_.push_back(std::move(updated));
  dimension_index_.clear();
  for (std::size_t i = 0; i < dimensions_.size(); ++i)
    dimension_index_[canonical_name(dimensions_[i].name)] = i;
  const Dimension& replaced = *find_dimension(dim_name);
  auto kept = [&](const std::string& element) {
    return element == "*" || std::any_of(replaced.elements.begin(), replaced.elements.end(),
                                         [&](const std::string& e) {
                                           return canonical_name(e) == canonical_name(element);
                                         });
  };
  std::vector<std::string> emptied;
  for (Variable& v : variables_) {
    for (std::size_t p = 0; p < v.dimensions.size(); ++p) {
      if (canonical_name(v.dimensions[p]) != canonical_name(dim_name)) continue;
      // Equations for every element ("*") or for elements still there stay.
      const auto before = v.element_equations.size();
      std::erase_if(v.element_equations, [&](const ElementEquation& eq) {
        return p < eq.elements.size() && !kept(eq.elements[p]);
      });
      if (v.element_equations.size() != before) emptied.push_back(v.name);
    }
  }
  return emptied;
}

void Model::set_time_schedule(const std::string& name, GraphicalFunction schedule) {
  Variable& v = at(name, "constant named '" + name + "' to schedule");
  if (v.kind == VariableKind::Stock || v.kind == VariableKind::Flow) {
    Location where = v.location;
    where.variable = v.name;
    throw ModelError("only constants and auxiliaries can follow a schedule", where);
  }
  v.kind = VariableKind::Auxiliary;
  v.equation = Equation("TIME");
  v.element_equations.clear();
  if (schedule.x_units.empty()) schedule.x_units = time_.time_units;
  if (schedule.y_units.empty()) schedule.y_units = v.units;
  v.graphical_function = std::move(schedule);
}

const Variable* Model::find(const std::string& name) const {
  const auto it = index_.find(canonical_name(name));
  return it == index_.end() ? nullptr : &variables_[it->second];
}

const Dimension* Model::find_dimension(const std::string& name) const {
  const auto found = dimension_index_.find(canonical_name(name));
  return found == dimension_index_.end() ? nullptr : &dimensions_[found->second];
}

bool is_settable_constant(const Variable& v) {
  if (v.kind == VariableKind::Constant) return true;
  if (v.kind != VariableKind::Auxiliary || !v.equation) return false;
  const detail::Expr& e = *v.equation.tree();
  if (e.kind == detail::ExprKind::Number) return !v.graphical_function;
  // A schedule set earlier: the constant became schedule(TIME).
  return v.graphical_function.has_value() && v.element_equations.empty() &&
         e.kind == detail::ExprKind::Name && e.name == "time" && e.subscripts.empty();
}

bool subscript_covers(const Model& model, const std::string& subscript,
                      const std::string& element) {
  if (subscript == "*") return true;
  const std::string key = canonical_name(subscript);
  if (key == canonical_name(element)) return true;
  const Dimension* d = model.find_dimension(key);
  if (d == nullptr) return false;
  return std::any_of(d->elements.begin(), d->elements.end(), [&](const std::string& e) {
    return canonical_name(e) == canonical_name(element);
  });
}

}  // namespace h2sim
