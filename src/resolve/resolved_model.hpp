// The resolved model: a Model with every name looked up once. Variables, dimensions and
// elements are indices; every call points at its builtin in the registry; subscripts say
// which element or dimension they mean. The units checker, the compiler and the readable
// views (list_equations, the dependency graph) read this, never the names in a Model.
//
// A ResolvedModel refers into the Model it was made from (names, units, locations): the
// Model must outlive it.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "expr/ast.hpp"
#include "h2sim/model.hpp"

namespace h2sim::detail {

struct Builtin;

struct ResolvedDimension {
  std::string name;                       // as declared
  std::string key;                        // canonical
  std::vector<std::string> elements;      // as declared
  std::vector<std::string> element_keys;  // canonical
  int parent = -1;  // a subrange (Vensim): the dimension that holds its elements, else -1
  std::vector<DimensionMapping> mappings;                // Vensim's "->": dimensions it maps to
  std::unordered_map<std::string, int> positions;        // canonical element -> its position
  int find_element(const std::string& canonical) const;  // -1 when there is none
  std::size_t size() const { return elements.size(); }
};

struct ResolvedExpr;
using ResolvedPtr = std::shared_ptr<const ResolvedExpr>;

// One subscript of a variable reference, after lookup.
struct ResolvedSubscript {
  enum class Kind {
    Element,    // a fixed element: fleet[bus], fleet[2]
    Wildcard,   // every element: fleet[*], fleet[segment!] (only inside SUM, MEAN, MIN, MAX, PROD)
    Dimension,  // the current element of a dimension named as a subscript: fleet[segment]
    Computed,   // a position (from 1) computed while the model runs: x[INT(TIME MOD 5) + 1]
  } kind = Kind::Element;
  int element = -1;    // Element: position in the referenced variable's own dimension
  int dimension = -1;  // Wildcard, Dimension: the dimension meant (-1: `dim!` of no dimension)
  std::string text;    // as written, canonical
  ResolvedPtr expr;    // Computed: the position
};

struct ResolvedExpr {
  enum class Kind {
    Number,
    Variable,           // a model variable, with its subscripts
    DimensionPosition,  // a dimension's name as a value: the 1-based position of its element
    Unary,
    Binary,
    If,      // args: condition, then, else
    Call,    // a builtin, args as written
    Lookup,  // a model's graphical function called as name(x) or name[element](x): args = {x}
    Table,   // a graphical function named as an argument (LOOKUP's first)
  } kind = Kind::Number;
  int column = 0;      // 1-based position in the equation text
  std::string name;    // canonical, as written (Variable, Call: the alias used, Lookup, Table, ...)
  double number = 0;   // Number
  int variable = -1;   // Variable, Lookup, Table: index into ResolvedModel::variables
  int dimension = -1;  // DimensionPosition: index into ResolvedModel::dimensions
  std::vector<ResolvedSubscript> subscripts;  // Variable; Lookup of an array of tables
  const Builtin* builtin = nullptr;           // Call
  BinaryOp binary = BinaryOp::Add;
  UnaryOp unary = UnaryOp::Neg;
  std::vector<ResolvedPtr> args;
};

struct ResolvedEquation {
  // Per dimension of the variable, the positions of the elements the equation is for, in
  // order: all of them for the apply-to-all equation and "*"; one; or those of a subrange
  // named there (Vensim). (Positions, not a flag per element: a dimension of 10^5 elements
  // with an equation for each would otherwise take 10^10 flags.)
  std::vector<std::vector<int>> covers;
  // Per dimension: the subrange named there, whose current element the equation then knows
  // too; -1 for none.
  std::vector<int> subranges;
  std::string text;
  ResolvedPtr expr;
  int table = -1;  // the element's own graphical function: into ResolvedModel::tables
};

struct ResolvedVariable {
  const Variable* source = nullptr;  // name, units, description, location, uncertainty, ...
  std::string key;                   // canonical name
  VariableKind kind = VariableKind::Auxiliary;
  std::vector<int> dimensions;                // into ResolvedModel::dimensions
  std::size_t element_count = 1;              // product of the dimensions' sizes
  std::optional<ResolvedEquation> equation;   // apply-to-all; none for a lookup table
  std::vector<ResolvedEquation> per_element;  // in the order given; the first match wins
  std::vector<std::size_t> shape;             // the size of each dimension
  // Per element (row-major), the per-element equation that gives it, -1 for the apply-to-all
  // one: equation_for looks it up instead of trying every per-element equation in turn.
  std::vector<std::int32_t> equation_index;
  std::vector<int> inflows, outflows;  // stocks: flow variables
  int table = -1;            // its graphical function, when it has one: into ResolvedModel::tables
  bool lookup_only = false;  // a lookup table (or an array of them) with no value of its own

  const std::string& name() const { return source->name; }
  // The equation of one element (index per dimension): its own, or the apply-to-all one.
  const ResolvedEquation* equation_for(const std::vector<int>& element) const;
  // The graphical function of one element: its own, else the variable's; -1 for none.
  int table_for(const std::vector<int>& element) const;
};

struct ResolvedModel {
  const Model* model = nullptr;
  std::vector<ResolvedDimension> dimensions;
  std::vector<ResolvedVariable> variables;       // in the Model's order
  std::vector<const GraphicalFunction*> tables;  // every graphical function, in the Model
  std::map<std::string, int> variable_index;     // canonical name -> variables
  std::map<std::string, int> dimension_index;    // canonical name -> dimensions

  const TimeSettings& time() const { return model->time(); }
  int find_variable(const std::string& canonical) const;   // -1 when there is none
  int find_dimension(const std::string& canonical) const;  // -1 when there is none
  // "fleet[bus,north]" for the element tuple of a variable ("fleet" for a scalar).
  std::string element_label(const ResolvedVariable& v, const std::vector<int>& element) const;
  // Where a variable was defined, labelled with `label` (the variable, or one element).
  Location location(const ResolvedVariable& v, const std::string& label) const;
};

// Looks up every name of `model`. Throws ModelError, at the variable's definition (file and
// line) with the equation and the column, for unknown variables, functions and dimensions,
// wrong argument counts, subscripts that name no element, graphical functions used as values,
// inflows and outflows that are not flows.
ResolvedModel resolve(const Model& model);

// Visits every element tuple of `dims` (sizes) in row-major order; none for no dimensions
// but the scalar's one empty tuple.
void for_each_element(const std::vector<std::size_t>& sizes,
                      const std::function<void(const std::vector<int>&)>& visit);

// The dimensions that `e` leaves open, in order of first appearance: those of `x[*]` or
// `x[dim!]`, of a dimension named as a subscript (`x[dim]`), and of an arrayed name without
// subscripts, unless `bound` (indexed by dimension) says the equation's context fixes them.
// SUM(x[*]) and the other reductions run over exactly these; PROD's unit is the element unit
// to the power of their size. Those of an array function inside `e` are its own, not `e`'s.
std::vector<int> open_dimensions(const ResolvedModel& model, const ResolvedExpr& e,
                                 const std::vector<bool>& bound);

// Every variable `e` reads (Variable, Lookup and Table references), in order of appearance.
void referenced_variables(const ResolvedExpr& e, std::vector<int>& out);

}  // namespace h2sim::detail
