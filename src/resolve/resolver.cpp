// resolve(): Model -> ResolvedModel. Looks up every name once, in this order:
//   1. dimensions, and each graphical function's points;
//   2. each variable's dimensions, the elements its per-element equations name, and that
//      every element has an equation;
//   3. each variable's equations (the apply-to-all one, then the per-element ones), then a
//      stock's inflows and outflows.
// The first problem is thrown as a ModelError at the variable's definition.
#include <algorithm>
#include <map>

#include "builtins/registry.hpp"
#include "core/counting.hpp"
#include "core/text.hpp"
#include "h2sim/error.hpp"
#include "h2sim/limits.hpp"
#include "resolve/resolved_model.hpp"

namespace h2sim::detail {

namespace {

std::string upper(std::string s) {
  for (char& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return s;
}

class Resolver {
 public:
  explicit Resolver(const Model& model) { out_.model = &model; }

  ResolvedModel run() {
    const Model& model = *out_.model;
    for (const Dimension& d : model.dimensions()) add_dimension(d);
    link_parents();
    for (const Variable& v : model.variables()) add_variable(v);
    for (ResolvedVariable& v : out_.variables) check_table(v);
    for (ResolvedVariable& v : out_.variables) resolve_shape(v);
    for (ResolvedVariable& v : out_.variables) resolve_equations(v);
    return std::move(out_);
  }

 private:
  // --- errors ---------------------------------------------------------------------------
  [[noreturn]] void fail(const std::string& message, int column = 0) const {
    Location where = out_.location(*current_, current_->name());
    where.equation = equation_;
    where.column = column;
    throw ModelError(message, where);
  }

  std::string variable_suggestion(const std::string& name) const {
    std::vector<std::string> names;
    for (const ResolvedVariable& v : out_.variables) names.push_back(v.name());
    const std::string best = closest_name(name, names);
    return best.empty() ? std::string() : " (did you mean '" + best + "'?)";
  }

  // --- 1. dimensions, variables, graphical functions --------------------------------------
  void add_dimension(const Dimension& d) {
    ResolvedDimension r;
    r.name = d.name;
    r.key = canonical_name(d.name);
    r.elements = d.elements;
    for (const auto& e : d.elements) {
      r.element_keys.push_back(canonical_name(e));
      r.positions.emplace(r.element_keys.back(), static_cast<int>(r.element_keys.size()) - 1);
    }
    r.mappings = d.mappings;
    out_.dimension_index[r.key] = static_cast<int>(out_.dimensions.size());
    out_.dimensions.push_back(std::move(r));
  }

  // Subrange parents, once every dimension has its index.
  void link_parents() {
    const auto& dims = out_.model->dimensions();
    for (std::size_t i = 0; i < dims.size(); ++i)
      if (!dims[i].parent.empty())
        out_.dimensions[i].parent = out_.find_dimension(canonical_name(dims[i].parent));
  }

  void add_variable(const Variable& v) {
    ResolvedVariable r;
    r.source = &v;
    r.key = canonical_name(v.name);
    r.kind = v.kind;
    r.lookup_only = v.is_lookup_table();
    out_.variable_index[r.key] = static_cast<int>(out_.variables.size());
    out_.variables.push_back(std::move(r));
  }

  void check_table(ResolvedVariable& v) {
    if (!v.source->graphical_function) return;
    current_ = &v;
    equation_.clear();
    v.table = add_table(*v.source->graphical_function);
  }

  int add_table(const GraphicalFunction& gf) {
    if (gf.x.size() != gf.y.size() || gf.x.empty())
      fail("a graphical function needs as many x points as y points, and at least one");
    // A repeated x is a jump (the later point holds from there on), which a lever trajectory
    // written back into a model needs; extrapolating from a jump has no slope.
    for (std::size_t i = 1; i < gf.x.size(); ++i) {
      if (!(gf.x[i] >= gf.x[i - 1])) fail("graphical function x points must increase");
      if (gf.x[i] == gf.x[i - 1] && gf.interpolation == Interpolation::Extrapolate)
        fail("graphical function x points must increase (an extrapolated one cannot repeat an x)");
    }
    out_.tables.push_back(&gf);
    return static_cast<int>(out_.tables.size()) - 1;
  }

  // --- 2. dimensions and elements of each variable ----------------------------------------
  void resolve_shape(ResolvedVariable& v) {
    if (v.lookup_only && v.source->element_equations.empty()) return;
    current_ = &v;
    equation_.clear();
    for (const std::string& d : v.source->dimensions) {
      const int index = out_.find_dimension(canonical_name(d));
      if (index < 0) {
        std::vector<std::string> known;
        for (const auto& k : out_.dimensions) known.push_back(k.name);
        fail("unknown dimension '" + d + "'" +
             (known.empty() ? std::string(" (the model defines none)")
                            : " (known: " + join(known) + ")"));
      }
      v.dimensions.push_back(index);
      v.element_count = saturating_product(v.element_count,
                                           out_.dimensions[static_cast<std::size_t>(index)].size());
    }
    // Capped before anything is expanded: a product of dimensions cannot wrap around.
    total_elements_ = saturating_sum(total_elements_, v.element_count);
    if (total_elements_ > limit(Limit::Elements))
      fail(limit_message(
          Limit::Elements,
          v.element_count > limit(Limit::Elements)
              ? "its dimensions make " +
                    (v.element_count == SIZE_MAX ? std::string("more than 2^64")
                                                 : std::to_string(v.element_count)) +
                    " elements"
              : "with it the model has " + std::to_string(total_elements_) + " elements in all"));
    for (const ElementEquation& eq : v.source->element_equations) {
      equation_ = eq.equation.text();
      if (eq.elements.size() != v.dimensions.size())
        fail("a per-element equation names " + std::to_string(eq.elements.size()) +
             " elements but the variable has " + std::to_string(v.dimensions.size()) +
             " dimensions");
      ResolvedEquation r;
      r.text = eq.equation.text();
      std::size_t count = 1;
      for (std::size_t i = 0; i < v.dimensions.size(); ++i) {
        const ResolvedDimension& dim = out_.dimensions[static_cast<std::size_t>(v.dimensions[i])];
        const std::vector<int> covers = covered(dim, eq.elements[i]);
        if (covers.empty())
          fail("'" + eq.elements[i] + "' is not an element of dimension '" + dim.name + "'");
        const int named =
            eq.elements[i] == "*" ? -1 : out_.find_dimension(canonical_name(eq.elements[i]));
        count = saturating_product(count, covers.size());
        r.covers.push_back(covers);
        r.subranges.push_back(named == v.dimensions[i] ? -1 : named);
      }
      if (eq.graphical_function) r.table = add_table(*eq.graphical_function);
      // Equations for "*" written a million times would take a million passes.
      covered_ = saturating_sum(covered_, count);
      if (covered_ > limit(Limit::Elements))
        fail(limit_message(Limit::Elements, "the model's per-element equations name more than " +
                                                std::to_string(limit(Limit::Elements)) +
                                                " elements in all"));
      v.per_element.push_back(std::move(r));
    }
    if (v.source->equation) {
      ResolvedEquation all;
      all.text = v.source->equation.text();
      for (int d : v.dimensions) {
        std::vector<int> every(out_.dimensions[static_cast<std::size_t>(d)].size());
        for (std::size_t k = 0; k < every.size(); ++k) every[k] = static_cast<int>(k);
        all.covers.push_back(std::move(every));
        all.subranges.push_back(-1);
      }
      v.equation = std::move(all);
    }
    equation_.clear();
    std::vector<std::size_t> sizes;
    for (int d : v.dimensions) sizes.push_back(out_.dimensions[static_cast<std::size_t>(d)].size());
    v.shape = sizes;
    index_equations(v);
    for_each_element(sizes, [&](const std::vector<int>& element) {
      if (v.lookup_only ? v.table_for(element) < 0 : v.equation_for(element) == nullptr)
        fail(std::string(v.lookup_only ? "has no graphical function" : "has no equation") +
             std::string(v.dimensions.empty()
                             ? ""
                             : " for element " +
                                   out_.element_label(v, element).substr(v.name().size())));
    });
  }

  // The positions of the elements of `dim` that a per-element equation's subscript stands for:
  // "*", an element, or a dimension (a subrange, or the variable's own) holding some. Empty
  // when none.
  std::vector<int> covered(const ResolvedDimension& dim, const std::string& subscript) const {
    std::vector<int> out;
    if (subscript == "*") {
      out.resize(dim.size());
      for (std::size_t k = 0; k < out.size(); ++k) out[k] = static_cast<int>(k);
      return out;
    }
    const std::string key = canonical_name(subscript);
    if (const int k = dim.find_element(key); k >= 0) return {k};
    const int named = out_.find_dimension(key);
    if (named < 0) return out;
    for (const std::string& e : out_.dimensions[static_cast<std::size_t>(named)].element_keys)
      if (const int k = dim.find_element(e); k >= 0) out.push_back(k);
    std::sort(out.begin(), out.end());
    out.erase(std::unique(out.begin(), out.end()), out.end());
    return out;
  }

  // Which per-element equation gives each element: the first that covers it. Filled from the
  // last equation to the first, so that earlier ones overwrite later ones.
  static void index_equations(ResolvedVariable& v) {
    if (v.per_element.empty()) return;
    v.equation_index.assign(v.element_count, -1);
    for (std::size_t k = v.per_element.size(); k-- > 0;) {
      const auto& covers = v.per_element[k].covers;
      std::vector<std::size_t> sizes;
      for (const auto& c : covers) sizes.push_back(c.size());
      for_each_element(sizes, [&](const std::vector<int>& at) {
        std::size_t linear = 0;
        for (std::size_t d = 0; d < covers.size(); ++d)
          linear = linear * v.shape[d] +
                   static_cast<std::size_t>(covers[d][static_cast<std::size_t>(at[d])]);
        v.equation_index[linear] = static_cast<std::int32_t>(k);
      });
    }
  }

  // --- 3. equations ---------------------------------------------------------------------------
  void resolve_equations(ResolvedVariable& v) {
    if (v.lookup_only) return;
    current_ = &v;
    if (v.equation) {
      equation_ = v.equation->text;
      v.equation->expr = resolve(*v.source->equation.tree());
    }
    for (std::size_t k = 0; k < v.per_element.size(); ++k) {
      equation_ = v.per_element[k].text;
      v.per_element[k].expr = resolve(*v.source->element_equations[k].equation.tree());
    }
    if (v.kind != VariableKind::Stock) return;
    for (const auto& f : v.source->inflows) v.inflows.push_back(flow(f, true));
    for (const auto& f : v.source->outflows) v.outflows.push_back(flow(f, false));
    // A flow named twice (as two inflows, or as an inflow and an outflow) would count twice
    // or cancel out: a slip in the model, never what the modeller meant.
    std::vector<int> seen;
    for (const auto* list : {&v.inflows, &v.outflows})
      for (std::size_t k = 0; k < list->size(); ++k) {
        const int f = (*list)[k];
        if (std::find(seen.begin(), seen.end(), f) != seen.end()) {
          const bool in = list == &v.inflows;
          const auto& names = in ? v.source->inflows : v.source->outflows;
          equation_ = (in ? "inflow " : "outflow ") + names[k];
          fail("the flow '" + out_.variables[static_cast<std::size_t>(f)].name() +
               "' is listed twice among the stock's inflows and outflows (list each flow "
               "once: a flow fills or drains a stock once)");
        }
        seen.push_back(f);
      }
  }

  int flow(const std::string& name, bool inflow) {
    equation_ = (inflow ? "inflow " : "outflow ") + name;
    const int index = out_.find_variable(canonical_name(name));
    if (index < 0)
      fail("unknown " + std::string(inflow ? "inflow" : "outflow") + " '" + name + "'" +
           variable_suggestion(name));
    // The same rule for every reader: a stock's inflows and outflows are flows.
    const VariableKind kind = out_.variables[static_cast<std::size_t>(index)].kind;
    if (kind != VariableKind::Flow)
      fail("'" + name + "' is " + (kind == VariableKind::Auxiliary ? "an " : "a ") +
           to_string(kind) + ", not a flow");
    return index;
  }

  ResolvedPtr resolve(const Expr& e) {
    auto r = std::make_shared<ResolvedExpr>();
    r->column = e.column;
    r->name = e.name;
    switch (e.kind) {
      case ExprKind::Number:
        r->kind = ResolvedExpr::Kind::Number;
        r->number = e.number;
        break;
      case ExprKind::Name:
        resolve_name(e, *r);
        break;
      case ExprKind::Unary:
        r->kind = ResolvedExpr::Kind::Unary;
        r->unary = e.unary;
        break;
      case ExprKind::Binary:
        r->kind = ResolvedExpr::Kind::Binary;
        r->binary = e.binary;
        break;
      case ExprKind::If:
        r->kind = ResolvedExpr::Kind::If;
        break;
      case ExprKind::Call:
        return resolve_call(e, r);
    }
    for (const auto& a : e.args) r->args.push_back(resolve(*a));
    return r;
  }

  void resolve_name(const Expr& e, ResolvedExpr& r) {
    int index = out_.find_variable(e.name);
    // SELF: the variable being defined (XMILE: PREVIOUS(SELF, 0), SIZE(SELF)).
    if (index < 0 && e.name == "self") index = out_.find_variable(current_->key);
    if (index >= 0 && !out_.variables[static_cast<std::size_t>(index)].lookup_only) {
      r.kind = ResolvedExpr::Kind::Variable;
      r.variable = index;
      resolve_subscripts(e, r);
      return;
    }
    if (index >= 0) {
      const std::string& name = out_.variables[static_cast<std::size_t>(index)].name();
      fail("'" + name + "' is a graphical function; call it as " + name + "(x)", e.column);
    }
    if (e.subscripts.empty()) {
      if (const Builtin* b = find_builtin(e.name); b != nullptr && b->bare) {
        r.kind = ResolvedExpr::Kind::Call;
        r.builtin = b;
        return;
      }
    }
    // A dimension name used as a value: the position of its current element, which only an
    // equation arrayed by the dimension has (the compiler checks that).
    if (const int d = out_.find_dimension(e.name); d >= 0 && e.subscripts.empty()) {
      r.kind = ResolvedExpr::Kind::DimensionPosition;
      r.dimension = d;
      return;
    }
    // Dim.Element (XMILE): the element's position in its dimension, from 1.
    if (const int position = qualified_element(e.name); position > 0 && e.subscripts.empty()) {
      r.kind = ResolvedExpr::Kind::Number;
      r.number = position;
      return;
    }
    fail("unknown variable '" + e.name + "'" + variable_suggestion(e.name), e.column);
  }

  // The position (from 1) of `name` written as Dim.Element; 0 when it is not one.
  int qualified_element(const std::string& name) const {
    const auto dot = name.rfind('.');
    if (dot == std::string::npos || dot == 0) return 0;
    const int d = out_.find_dimension(name.substr(0, dot));
    if (d < 0) return 0;
    return out_.dimensions[static_cast<std::size_t>(d)].find_element(name.substr(dot + 1)) + 1;
  }

  void resolve_subscripts(const Expr& e, ResolvedExpr& r) {
    if (e.subscripts.empty()) return;
    const ResolvedVariable& target = out_.variables[static_cast<std::size_t>(r.variable)];
    const std::size_t rank = target.dimensions.size();
    if (e.subscripts.size() != rank)
      fail("'" + e.name + "' has " + std::to_string(rank) + " dimension" + (rank == 1 ? "" : "s") +
               " but is subscripted with " + std::to_string(e.subscripts.size()),
           e.column);
    for (std::size_t k = 0; k < rank; ++k) {
      const int own = target.dimensions[k];
      const ResolvedDimension& dim = out_.dimensions[static_cast<std::size_t>(own)];
      const Subscript& s = e.subscripts[k];
      ResolvedSubscript rs;
      rs.text = s.name;
      switch (s.kind) {
        case Subscript::Kind::Index:
          if (s.index > static_cast<int>(dim.size()))
            fail("subscript " + std::to_string(s.index) + " is beyond the " +
                     std::to_string(dim.size()) + " elements of '" + dim.name + "'",
                 e.column);
          rs.element = s.index - 1;
          break;
        case Subscript::Kind::Wildcard:
          rs.kind = ResolvedSubscript::Kind::Wildcard;
          rs.dimension = s.name.empty() ? own : out_.find_dimension(s.name);
          if (rs.dimension < 0 && !s.name.empty())
            fail("'" + s.name + "' in '*:" + s.name + "' is not a dimension", e.column);
          break;
        case Subscript::Kind::Expression:
          rs.kind = ResolvedSubscript::Kind::Computed;
          rs.expr = resolve(*s.expr);
          break;
        case Subscript::Kind::Name: {
          rs.element = dim.find_element(s.name);
          if (rs.element >= 0) break;
          rs.dimension = out_.find_dimension(s.name);
          if (rs.dimension >= 0) {
            rs.kind = ResolvedSubscript::Kind::Dimension;
            break;
          }
          // Dim.Element: that element, by name in this dimension, else by its position.
          if (const int position = qualified_element(s.name); position > 0) {
            const auto dot = s.name.rfind('.');
            rs.element = dim.find_element(s.name.substr(dot + 1));
            if (rs.element < 0 && position <= static_cast<int>(dim.size()))
              rs.element = position - 1;
            if (rs.element >= 0) break;
          }
          // A variable holding the position: x[i].
          const int holder = out_.find_variable(s.name);
          if (holder >= 0 && !out_.variables[static_cast<std::size_t>(holder)].lookup_only) {
            Expr name;
            name.kind = ExprKind::Name;
            name.name = s.name;
            name.column = e.column;
            rs.kind = ResolvedSubscript::Kind::Computed;
            rs.expr = resolve(name);
            break;
          }
          fail("'" + s.name + "' is not an element of dimension '" + dim.name +
                   "' (elements: " + join(dim.elements) + ")",
               e.column);
        }
      }
      r.subscripts.push_back(std::move(rs));
    }
  }

  // Functions of Vensim and Stella that h2sim knows of but does not run, with the reason, so
  // that a converted model is refused for what it is rather than for an unknown name.
  void refuse_unsupported(const std::string& f, int column) {
    static const std::map<std::string, const char*> kReasons = {
        {"allocate_available",
         "ALLOCATE AVAILABLE shares a supply among requests by priority curves, solved by a "
         "search at every step; h2sim does not run it (write the allocation as equations)"},
        {"allocate",
         "ALLOCATE (Stella) shares a supply among requests by priority curves, solved by a "
         "search at every step; h2sim does not run it (write the allocation as equations)"},
        {"allocate_by_priority",
         "ALLOCATE BY PRIORITY shares a supply by priority order; h2sim does not run it (write "
         "the allocation as equations)"},
        {"invert_matrix", "INVERT MATRIX is not supported"},
    };
    if (const auto it = kReasons.find(f); it != kReasons.end()) fail(it->second, column);
  }

  ResolvedPtr resolve_call(const Expr& e, std::shared_ptr<ResolvedExpr> r) {
    const std::string& f = e.name;
    const int argc = static_cast<int>(e.args.size());
    // A model's own graphical function wins over a builtin of the same name.
    if (const int index = out_.find_variable(f); index >= 0 && has_tables(index)) {
      if (argc != 1)
        fail("graphical function '" + f + "' takes one argument, not " + std::to_string(argc),
             e.column);
      r->kind = ResolvedExpr::Kind::Lookup;
      r->variable = index;
      resolve_subscripts(e, *r);
      for (const ResolvedSubscript& sub : r->subscripts)
        if (sub.kind == ResolvedSubscript::Kind::Computed ||
            sub.kind == ResolvedSubscript::Kind::Wildcard)
          fail("a graphical function's subscripts must name an element or a dimension", e.column);
      r->args.push_back(resolve(*e.args[0]));
      return r;
    }
    if (!e.subscripts.empty())
      fail("'" + f + "' is called with subscripts, but it is not a lookup table", e.column);
    const Builtin* b = find_builtin(f);
    if (b == nullptr) {
      refuse_unsupported(f, e.column);
      const std::string best = closest_name(f, builtin_names());
      fail("unknown function '" + f + "'" + (best.empty() ? "" : " (did you mean " + best + "?)"),
           e.column);
    }
    if (argc < b->min_args || argc > b->max_args)
      fail(f + " takes " + argument_count_text(*b) + " argument" + (b->max_args == 1 ? "" : "s") +
               ", not " + std::to_string(argc),
           e.column);
    r->kind = ResolvedExpr::Kind::Call;
    r->builtin = b;
    for (int i = 0; i < argc; ++i) {
      const Expr& a = *e.args[static_cast<std::size_t>(i)];
      r->args.push_back(i == 0 && b->table_argument ? table(a, f) : resolve(a));
    }
    return r;
  }

  // A variable with a graphical function of its own or per element.
  bool has_tables(int index) const {
    const ResolvedVariable& v = out_.variables[static_cast<std::size_t>(index)];
    if (v.table >= 0) return true;
    return std::any_of(v.source->element_equations.begin(), v.source->element_equations.end(),
                       [](const ElementEquation& e) { return e.graphical_function.has_value(); });
  }

  // LOOKUP's first argument: a graphical function, or one element of an array of them
  // (LOOKUP(table[dim], x)).
  ResolvedPtr table(const Expr& a, const std::string& function) {
    const int index = a.kind == ExprKind::Name ? out_.find_variable(a.name) : -1;
    if (index < 0 || !has_tables(index))
      fail(upper(function) + "'s first argument must name a graphical function", a.column);
    auto r = std::make_shared<ResolvedExpr>();
    r->kind = ResolvedExpr::Kind::Table;
    r->column = a.column;
    r->name = a.name;
    r->variable = index;
    resolve_subscripts(a, *r);
    return r;
  }

  ResolvedModel out_;
  const ResolvedVariable* current_ = nullptr;
  std::string equation_;            // the equation being resolved, for messages
  std::size_t total_elements_ = 0;  // elements of every variable resolved so far
  std::size_t covered_ = 0;         // elements the per-element equations name, in all
};

void collect_open(const ResolvedModel& model, const ResolvedExpr& e, const std::vector<bool>& bound,
                  std::vector<int>& out) {
  auto add = [&](int d) {
    if (d >= 0 && std::find(out.begin(), out.end(), d) == out.end()) out.push_back(d);
  };
  auto is_bound = [&](int d) {
    return d >= 0 && static_cast<std::size_t>(d) < bound.size() &&
           bound[static_cast<std::size_t>(d)];
  };
  if (e.kind == ResolvedExpr::Kind::Variable) {
    const auto& dims = model.variables[static_cast<std::size_t>(e.variable)].dimensions;
    if (e.subscripts.empty()) {
      for (int d : dims)
        if (!is_bound(d)) add(d);
    } else {
      for (std::size_t k = 0; k < e.subscripts.size() && k < dims.size(); ++k) {
        const ResolvedSubscript& s = e.subscripts[k];
        if (s.kind == ResolvedSubscript::Kind::Wildcard)
          add(s.dimension >= 0 ? s.dimension : dims[k]);
        else if (s.kind == ResolvedSubscript::Kind::Dimension && !is_bound(s.dimension))
          add(s.dimension);  // SUM(x[dim]) ranges over dim, as SUM(x[*]) does
      }
    }
  }
  for (std::size_t i = 0; i < e.args.size(); ++i) {
    // SUM(v[*] + SUM(w[*])): w's dimension belongs to the inner SUM, not to the outer one.
    if (e.kind == ResolvedExpr::Kind::Call && e.builtin != nullptr &&
        e.builtin->ranges_over != nullptr && e.builtin->ranges_over(e.args.size(), i))
      continue;
    collect_open(model, *e.args[i], bound, out);
  }
}

}  // namespace

int ResolvedDimension::find_element(const std::string& canonical) const {
  const auto it = positions.find(canonical);
  return it == positions.end() ? -1 : it->second;
}

int ResolvedVariable::table_for(const std::vector<int>& element) const {
  if (!equation_index.empty() && element.size() == shape.size()) {
    std::size_t linear = 0;
    for (std::size_t d = 0; d < shape.size(); ++d)
      linear = linear * shape[d] + static_cast<std::size_t>(element[d]);
    const std::int32_t k = equation_index[linear];
    if (k >= 0) {
      const ResolvedEquation& eq = per_element[static_cast<std::size_t>(k)];
      return eq.table >= 0 ? eq.table : table;
    }
  }
  return table;
}

const ResolvedEquation* ResolvedVariable::equation_for(const std::vector<int>& element) const {
  if (!equation_index.empty() && element.size() == shape.size()) {
    std::size_t linear = 0;
    for (std::size_t d = 0; d < shape.size(); ++d)
      linear = linear * shape[d] + static_cast<std::size_t>(element[d]);
    const std::int32_t k = equation_index[linear];
    if (k >= 0) return &per_element[static_cast<std::size_t>(k)];
  }
  return equation ? &*equation : nullptr;
}

int ResolvedModel::find_variable(const std::string& canonical) const {
  const auto it = variable_index.find(canonical);
  return it == variable_index.end() ? -1 : it->second;
}

int ResolvedModel::find_dimension(const std::string& canonical) const {
  const auto it = dimension_index.find(canonical);
  return it == dimension_index.end() ? -1 : it->second;
}

std::string ResolvedModel::element_label(const ResolvedVariable& v,
                                         const std::vector<int>& element) const {
  if (v.dimensions.empty()) return v.name();
  std::string s = v.name() + "[";
  for (std::size_t i = 0; i < v.dimensions.size(); ++i)
    s += (i ? "," : "") + dimensions[static_cast<std::size_t>(v.dimensions[i])]
                              .elements[static_cast<std::size_t>(element[i])];
  return s + "]";
}

Location ResolvedModel::location(const ResolvedVariable& v, const std::string& label) const {
  Location where = v.source->location;
  where.variable = label;
  where.equation.clear();
  return where;
}

ResolvedModel resolve(const Model& model) { return Resolver(model).run(); }

void for_each_element(const std::vector<std::size_t>& sizes,
                      const std::function<void(const std::vector<int>&)>& visit) {
  std::vector<int> index(sizes.size(), 0);
  for (;;) {
    visit(index);
    std::size_t k = sizes.size();
    while (k > 0 && static_cast<std::size_t>(++index[k - 1]) == sizes[k - 1]) index[--k] = 0;
    if (k == 0) return;
  }
}

std::vector<int> open_dimensions(const ResolvedModel& model, const ResolvedExpr& e,
                                 const std::vector<bool>& bound) {
  std::vector<int> out;
  collect_open(model, e, bound, out);
  return out;
}

void referenced_variables(const ResolvedExpr& e, std::vector<int>& out) {
  if (e.kind == ResolvedExpr::Kind::Variable || e.kind == ResolvedExpr::Kind::Lookup ||
      e.kind == ResolvedExpr::Kind::Table)
    out.push_back(e.variable);
  for (const auto& s : e.subscripts)
    if (s.expr) referenced_variables(*s.expr, out);
  for (const auto& a : e.args) referenced_variables(*a, out);
}

}  // namespace h2sim::detail
