// Step 2 of the compiler, continued: which element of an array a reference means. One set of
// rules for every reader (XMILE, Vensim and YAML alike):
//   - a subscript that names an element (or Dim.Element), or its position from 1;
//   - a dimension the equation is arrayed by: its current element;
//   - a dimension related to one the equation is arrayed by: a subrange or superrange (the
//     same element names), a mapping (Vensim's `->`, by position or listed), and, for a
//     dimension of the same size that shares none of them, the element at the same position
//     (XMILE's positional matching);
//   - `*`, `*:SubRange` and `dim!` inside a reduction (SUM, MEAN, ...): the element the
//     reduction is at, by name in the variable's dimension (or by position);
//   - a position computed while the model runs (`x[INT(TIME MOD 5) + 1]`): a selection among
//     the elements, NaN (a run-time error that names the variable) outside them.
// An unsubscripted arrayed name reads as if each of its dimensions were named.
#include <algorithm>
#include <cmath>
#include <limits>
#include <sstream>

#include "compile/compiler.hpp"
#include "core/text.hpp"
#include "h2sim/error.hpp"

namespace h2sim::detail {

namespace {

// Whether `entry` of a listed mapping stands for the element `key` of dimension `in`: the
// element itself, or a subrange that holds it (Vensim: `DimB: B1, B2 -> (DimA: SubA, A3)`).
bool mapping_entry_covers(const ResolvedModel& model, const std::string& entry,
                          const std::string& key) {
  const std::string e = canonical_name(entry);
  if (e == key) return true;
  const int d = model.find_dimension(e);
  return d >= 0 && model.dimensions[static_cast<std::size_t>(d)].find_element(key) >= 0;
}

}  // namespace

// The position in `to` of element `position` of `from`: the same element by name, else
// through a mapping either way; -1 when the two are not related.
int Compiler::map_element(int from, int position, int to) const {
  if (from == to) return position;
  const ResolvedDimension& f = model_.dimensions[static_cast<std::size_t>(from)];
  const ResolvedDimension& t = model_.dimensions[static_cast<std::size_t>(to)];
  const std::string& key = f.element_keys[static_cast<std::size_t>(position)];
  if (const int k = t.find_element(key); k >= 0) return k;
  const auto p = static_cast<std::size_t>(position);
  for (const DimensionMapping& m : f.mappings) {  // from -> to
    if (canonical_name(m.target) != t.key) continue;
    if (m.elements.empty()) return p < t.size() ? position : -1;
    if (p < m.elements.size()) return t.find_element(canonical_name(m.elements[p]));
  }
  for (const DimensionMapping& m : t.mappings) {  // to -> from
    if (canonical_name(m.target) != f.key) continue;
    if (m.elements.empty()) return p < t.size() ? position : -1;
    for (std::size_t k = 0; k < m.elements.size(); ++k)
      if (mapping_entry_covers(model_, m.elements[k], key)) return static_cast<int>(k);
  }
  return -1;
}

// A dimension's name as a value: the (1-based) position of its current element, in the
// parent for a subrange that has one.
LoweredPtr Compiler::lower_dimension_position(const ResolvedExpr& e, const Context& ctx,
                                              const Site& site) {
  const ResolvedDimension& dim = model_.dimensions[static_cast<std::size_t>(e.dimension)];
  const int own = ctx[static_cast<std::size_t>(e.dimension)];
  if (own >= 0 && dim.parent < 0) return number(own + 1);
  const std::string element = context_element(e.dimension, ctx);
  if (!element.empty()) {
    const ResolvedDimension& in =
        dim.parent >= 0 ? model_.dimensions[static_cast<std::size_t>(dim.parent)] : dim;
    const int k = in.find_element(canonical_name(element));
    if (k >= 0) return number(k + 1);
  }
  std::vector<int> used;
  if (const int k = positional_element(e.dimension, ctx, used); k >= 0) return number(k + 1);
  fail("'" + e.name + "' is a dimension, but this equation is not arrayed by it (nor by a " +
           "dimension that maps to it, shares its elements or has as many elements)",
       site, e.column);
}

// The element that dimension `s` stands for in `ctx` (Vensim's subranges and mappings): its
// own entry; else, through a mapping, the element that corresponds to the current element of
// a dimension in `ctx`; else the current element of a dimension in `ctx` that `s` contains
// (a subrange or a superrange). Empty when none. Bound dimensions are tried in the order of
// their canonical names.
std::string Compiler::context_element(int s_index, const Context& ctx) const {
  const ResolvedDimension& s = model_.dimensions[static_cast<std::size_t>(s_index)];
  auto at = [&](int d) { return ctx[static_cast<std::size_t>(d)]; };
  auto dim = [&](int d) -> const ResolvedDimension& {
    return model_.dimensions[static_cast<std::size_t>(d)];
  };
  std::vector<int> bound;
  for (const auto& [key, index] : model_.dimension_index)
    if (at(index) >= 0) bound.push_back(index);
  if (at(s_index) >= 0) return s.elements[static_cast<std::size_t>(at(s_index))];
  // s maps to a dimension in ctx: element k of s is its element k (or the listed one).
  for (const DimensionMapping& m : s.mappings) {
    const int t = model_.find_dimension(canonical_name(m.target));
    if (t < 0 || at(t) < 0) continue;
    if (m.elements.empty()) {
      if (at(t) < static_cast<int>(s.size())) return s.elements[static_cast<std::size_t>(at(t))];
      continue;
    }
    const std::string& current = dim(t).element_keys[static_cast<std::size_t>(at(t))];
    for (std::size_t k = 0; k < m.elements.size(); ++k)
      if (mapping_entry_covers(model_, m.elements[k], current)) return s.elements[k];
  }
  // s maps to a dimension that holds the current element of a dimension in ctx (the
  // equation was written for that subrange).
  for (const DimensionMapping& m : s.mappings) {
    const int target = model_.find_dimension(canonical_name(m.target));
    if (target < 0) continue;
    for (int t : bound) {
      const std::string& current = dim(t).element_keys[static_cast<std::size_t>(at(t))];
      const int k = dim(target).find_element(current);
      if (k < 0) continue;
      if (m.elements.empty()) {
        if (k < static_cast<int>(s.size())) return s.elements[static_cast<std::size_t>(k)];
        continue;
      }
      for (std::size_t j = 0; j < m.elements.size(); ++j)
        if (mapping_entry_covers(model_, m.elements[j], current)) return s.elements[j];
    }
  }
  // A dimension in ctx maps to s.
  for (int t : bound)
    for (const DimensionMapping& m : dim(t).mappings) {
      if (canonical_name(m.target) != s.key) continue;
      const auto index = static_cast<std::size_t>(at(t));
      if (m.elements.empty() && index < s.size()) return s.elements[index];
      if (!m.elements.empty() && index < m.elements.size()) {
        const int k = s.find_element(canonical_name(m.elements[index]));
        if (k >= 0) return s.elements[static_cast<std::size_t>(k)];
      }
    }
  for (int t : bound) {
    const std::size_t index = static_cast<std::size_t>(at(t));
    if (s.find_element(dim(t).element_keys[index]) >= 0) return dim(t).elements[index];
  }
  return {};
}

bool Compiler::positional_match(int a, int b) const {
  if (a == b) return true;
  const auto cached = positional_matches_.find({a, b});
  if (cached != positional_matches_.end()) return cached->second;
  const ResolvedDimension& x = model_.dimensions[static_cast<std::size_t>(a)];
  const ResolvedDimension& y = model_.dimensions[static_cast<std::size_t>(b)];
  bool match = x.size() == y.size();
  if (match && x.element_keys != y.element_keys)
    for (const std::string& key : x.element_keys)
      if (y.find_element(key) >= 0) {
        match = false;  // some names shared, others not (or reordered): by position is a guess
        break;
      }
  positional_matches_[{a, b}] = match;
  positional_matches_[{b, a}] = match;
  return match;
}

// XMILE's positional matching: the position of the current element of the first dimension of
// the variable being defined that matches `s` by position (positional_match), is bound in `ctx`
// and is not in `used` (which it joins); -1 when there is none.
int Compiler::positional_element(int s, const Context& ctx, std::vector<int>& used) const {
  if (current_variable_ < 0) return -1;
  const std::size_t size = model_.dimensions[static_cast<std::size_t>(s)].size();
  for (int d : model_.variables[static_cast<std::size_t>(current_variable_)].dimensions) {
    const int at = ctx[static_cast<std::size_t>(d)];
    if (at < 0 || model_.dimensions[static_cast<std::size_t>(d)].size() != size) continue;
    if (!positional_match(d, s)) continue;
    if (std::find(used.begin(), used.end(), d) != used.end()) continue;
    used.push_back(d);
    return at;
  }
  return -1;
}

// The element of `own` (a dimension of the variable referred to) that dimension `s`, written
// as its subscript, stands for in `ctx`; -1 when none.
int Compiler::element_in_context(int s, int own, const Context& ctx, std::vector<int>& used) const {
  const int at = ctx[static_cast<std::size_t>(s)];
  if (at >= 0) {
    used.push_back(s);
    const int k = map_element(s, at, own);
    if (k >= 0) return k;
    return positional_match(s, own) ? at : -1;  // the same position
  }
  const std::string named = context_element(s, ctx);
  if (!named.empty())
    return model_.dimensions[static_cast<std::size_t>(own)].find_element(canonical_name(named));
  const int position = positional_element(s, ctx, used);
  if (position < 0) return -1;
  // s at that position; then s's element in own.
  const int k = map_element(s, position, own);
  if (k >= 0) return k;
  return positional_match(s, own) ? position : -1;
}

// The element of `v` that `subscripts` (or, when there are none, the context) name, one
// position per dimension; dimensions whose position is computed while running are left at 0
// and listed in `computed` with their lowered position (from 1).
std::vector<int> Compiler::referenced_element(
    const ResolvedVariable& v, const std::vector<ResolvedSubscript>& subscripts,
    const ResolvedExpr& e, const Context& ctx, const Site& site,
    std::vector<std::pair<std::size_t, LoweredPtr>>* computed) {
  const std::size_t rank = v.dimensions.size();
  std::vector<int> element(rank, 0);
  std::vector<int> used;
  for (std::size_t k = 0; k < rank; ++k) {
    const int own = v.dimensions[k];
    const ResolvedDimension& dim = model_.dimensions[static_cast<std::size_t>(own)];
    if (subscripts.empty()) {
      element[k] = element_in_context(own, own, ctx, used);
      if (element[k] < 0)
        fail("'" + e.name + "' is arrayed by '" + dim.name + "': name an element (" + e.name + "[" +
                 dim.elements[0] + "]) or use an array function such as SUM(" + e.name + "[*])",
             site, e.column);
      continue;
    }
    const ResolvedSubscript& s = subscripts[k];
    switch (s.kind) {
      case ResolvedSubscript::Kind::Element:
        element[k] = s.element;
        break;
      case ResolvedSubscript::Kind::Wildcard: {
        const int w = s.dimension >= 0 ? s.dimension : own;
        const int at = ctx[static_cast<std::size_t>(w)];
        if (at < 0 || !in_reduction_)
          fail("'" + e.name + "[*]' stands for every element of '" + dim.name +
                   "': use it inside SUM, MEAN, MIN, MAX or PROD",
               site, e.column);
        element[k] = map_element(w, at, own);
        const ResolvedDimension& wd = model_.dimensions[static_cast<std::size_t>(w)];
        if (element[k] < 0 && positional_match(w, own)) element[k] = at;
        if (element[k] < 0)
          fail("element '" + wd.elements[static_cast<std::size_t>(at)] + "' of '" + wd.name +
                   "' is not an element of '" + dim.name + "'",
               site, e.column);
        break;
      }
      case ResolvedSubscript::Kind::Dimension:
        element[k] = element_in_context(s.dimension, own, ctx, used);
        if (const int at = ctx[static_cast<std::size_t>(s.dimension)]; element[k] < 0 && at >= 0) {
          const ResolvedDimension& sd = model_.dimensions[static_cast<std::size_t>(s.dimension)];
          fail("element '" + sd.elements[static_cast<std::size_t>(at)] + "' of '" + sd.name +
                   "' has no counterpart in '" + dim.name + "', the dimension of '" + e.name +
                   "' (" + std::to_string(dim.size()) + " elements): it is not an element of it "
                   "or mapped to it, and elements match by position only between dimensions "
                   "of one size that share no element names",
               site, e.column);
        }
        if (element[k] < 0)
          fail("subscript '" + s.text +
                   "' is a dimension, but this equation is not arrayed by it (nor by a "
                   "dimension that maps to it, shares its elements or has as many elements)",
               site, e.column);
        break;
      case ResolvedSubscript::Kind::Computed:
        if (computed == nullptr)
          fail("the subscripts of '" + e.name + "' must name elements or dimensions here", site,
               e.column);
        computed->emplace_back(k, lower(*s.expr, ctx, site));
        break;
    }
  }
  return element;
}

int Compiler::linear_index(const ResolvedVariable& v, const std::vector<int>& element) const {
  int linear = 0;
  for (std::size_t k = 0; k < v.dimensions.size(); ++k)
    linear = linear * static_cast<int>(
                          model_.dimensions[static_cast<std::size_t>(v.dimensions[k])].size()) +
             element[k];
  return linear;
}

LoweredPtr Compiler::lower_variable(const ResolvedExpr& e, const Context& ctx, const Site& site) {
  const ResolvedVariable& v = model_.variables[static_cast<std::size_t>(e.variable)];
  std::vector<std::pair<std::size_t, LoweredPtr>> computed;
  std::vector<int> element = referenced_element(v, e.subscripts, e, ctx, site, &computed);
  const int first = first_node_[static_cast<std::size_t>(e.variable)];
  if (computed.empty()) return ref(first + linear_index(v, element));
  // Positions computed while running: a selection among the elements of those dimensions,
  // each position read once (floored, as INT does) from a node of its own.
  std::vector<LoweredPtr> positions;
  for (const auto& [k, position] : computed) {
    // A position known now (c[-1], c[2 * 3]) outside the array is an error now, as c[0] is,
    // not a NaN when the run starts.
    const std::size_t size =
        model_.dimensions[static_cast<std::size_t>(v.dimensions[k])].size();
    if (position->kind == Lowered::Kind::Number &&
        !(std::floor(position->number) >= 1 &&
          std::floor(position->number) <= static_cast<double>(size))) {
      std::ostringstream value;
      value << position->number;
      fail("subscript " + std::to_string(k + 1) + " of '" + e.name + "' is " + value.str() +
               ": a position must be a whole number from 1 to " +
               std::to_string(size) + " (the elements of '" +
               model_.dimensions[static_cast<std::size_t>(v.dimensions[k])].name + "')",
           site, e.column);
    }
    positions.push_back(ref(as_node(apply(Op::Floor, {position}), "subscript")));
  }
  const LoweredPtr outside = number(std::numeric_limits<double>::quiet_NaN());
  std::function<LoweredPtr(std::size_t)> select = [&](std::size_t c) -> LoweredPtr {
    if (c == computed.size()) return ref(first + linear_index(v, element));
    const std::size_t k = computed[c].first;
    const int size =
        static_cast<int>(model_.dimensions[static_cast<std::size_t>(v.dimensions[k])].size());
    LoweredPtr chosen = outside;
    for (int j = size - 1; j >= 0; --j) {
      element[k] = j;
      chosen =
          apply(Op::Select, {apply(Op::Eq, {positions[c], number(j + 1)}), select(c + 1), chosen});
    }
    return chosen;
  };
  return select(0);
}

int Compiler::table_of(const ResolvedExpr& e, const Context& ctx, const Site& site) {
  const ResolvedVariable& v = model_.variables[static_cast<std::size_t>(e.variable)];
  int table = v.table;
  if (!v.dimensions.empty() && (!e.subscripts.empty() || v.table < 0)) {
    const std::vector<int> element = referenced_element(v, e.subscripts, e, ctx, site, nullptr);
    table = v.table_for(element);
  }
  if (table < 0)
    fail("'" + e.name + "' has no graphical function for this element", site, e.column);
  return table;
}

// A call of a graphical function: name(x), or name[element](x) for an array of them.
LoweredPtr Compiler::lower_lookup(const ResolvedExpr& e, const Context& ctx, const Site& site) {
  auto l = std::make_shared<Lowered>();
  l->kind = Lowered::Kind::Lookup;
  l->table = table_of(e, ctx, site);
  l->args = {lower(*e.args[0], ctx, site)};
  return l;
}

}  // namespace h2sim::detail
