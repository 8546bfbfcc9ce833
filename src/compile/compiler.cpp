// compile_model: Model -> Program.
//
// 1. Expand: every variable becomes one node per element (scalars: one node).
// 2. Lower: each equation is resolved against its element's context into a small
//    tree over node ids; array functions are unrolled, SMTH/DELAY/TREND/FORCST become
//    internal stock nodes, INIT/PREVIOUS/DELAY become held nodes, literals fold.
// 3. Order: initial values in dependency order over every node; time-varying
//    auxiliaries in dependency order (a cycle is an algebraic loop, reported by name).
// 4. Emit: slots for every node, then instructions for initialisation and for one
//    evaluation of the right-hand side.
#include <algorithm>
#include <cmath>
#include <cstring>
#include <functional>
#include <map>
#include <numbers>
#include <optional>
#include <set>
#include <sstream>

#include "core/text.hpp"
#include "expr/ast.hpp"
#include "h2sim/error.hpp"
#include "h2sim/program.hpp"
#include "program/kernel.hpp"
#include "program/program_data.hpp"

namespace h2sim {

namespace {

using detail::BinaryOp;
using detail::edit_distance;
using detail::Expr;
using detail::ExprKind;
using detail::Instruction;
using detail::Op;
using detail::ProgramData;
using detail::Subscript;
using detail::UnaryOp;

// --- lowered expressions -----------------------------------------------------
struct Lowered;
using LPtr = std::shared_ptr<const Lowered>;
struct Lowered {
  enum class Kind { Number, Ref, Apply, Lookup } kind = Kind::Number;
  double number = 0;
  int node = -1;     // Ref
  Op op = Op::Copy;  // Apply
  int table = -1;    // Lookup
  std::vector<LPtr> args;
};

LPtr number(double v) {
  auto l = std::make_shared<Lowered>();
  l->number = v;
  return l;
}
LPtr ref(int node) {
  auto l = std::make_shared<Lowered>();
  l->kind = Lowered::Kind::Ref;
  l->node = node;
  return l;
}

enum class NodeKind { Builtin, Constant, Auxiliary, Stock, Initial, Previous, Delay };

struct Node {
  NodeKind kind = NodeKind::Auxiliary;
  std::string name;      // display name, "fleet[bus]"; internal nodes: owner + suffix
  std::string variable;  // owning model variable (for errors and outputs)
  std::string units;
  bool internal = false;
  bool uniflow = false;
  bool non_negative = false;
  const Variable* var = nullptr;
  std::vector<int> elements;  // element index per dimension of var
  double constant = 0;        // Constant nodes
  LPtr value;                 // aux: equation; stock: initial; INIT/PREVIOUS/DELAY: initial
  LPtr initial_value;         // ACTIVE INITIAL: the value at initialisation, when not `value`
  LPtr derivative;            // stocks
  int source = -1;            // PREVIOUS: the node it remembers; DELAY: input node
  int delay_time = -1;        // DELAY: node of the delay time
  int slot = -1;
  int state_index = -1;
  bool dynamic = false;
};

constexpr int kTimeNode = 0;
constexpr int kDtNode = 1;
constexpr int kStartNode = 2;
constexpr int kStopNode = 3;

// The equation being lowered: for error locations.
struct Site {
  std::string variable;
  std::string equation;
};

using Context = std::map<std::string, int>;  // canonical dimension name -> element index

struct BuiltinSpec {
  int min_args;
  int max_args;
};

const std::map<std::string, BuiltinSpec>& builtin_functions() {
  static const std::map<std::string, BuiltinSpec> table = {
      {"abs", {1, 1}},      {"exp", {1, 1}},          {"ln", {1, 1}},
      {"log10", {1, 1}},    {"sqrt", {1, 1}},         {"sin", {1, 1}},
      {"cos", {1, 1}},      {"tan", {1, 1}},          {"arcsin", {1, 1}},
      {"arccos", {1, 1}},   {"arctan", {1, 1}},       {"int", {1, 1}},
      {"round", {1, 1}},    {"sinh", {1, 1}},         {"cosh", {1, 1}},
      {"tanh", {1, 1}},     {"mod", {2, 2}},          {"pi", {0, 0}},
      {"min", {1, 99}},     {"max", {1, 99}},         {"sum", {1, 1}},
      {"mean", {1, 99}},    {"prod", {1, 1}},         {"step", {2, 2}},
      {"ramp", {2, 3}},     {"pulse", {2, 3}},        {"safediv", {2, 3}},
      {"xidz", {3, 3}},     {"zidz", {2, 2}},         {"init", {1, 1}},
      {"previous", {1, 2}}, {"lookup", {2, 2}},       {"smth1", {2, 3}},
      {"smooth", {2, 3}},   {"smth3", {2, 3}},        {"smooth3", {2, 3}},
      {"smthn", {3, 4}},    {"delay1", {2, 3}},       {"delay3", {2, 3}},
      {"delayn", {3, 4}},   {"delay", {2, 3}},        {"trend", {2, 3}},
      {"forcst", {3, 4}},   {"if_then_else", {3, 3}}, {"time", {0, 0}},
      {"dt", {0, 0}},       {"starttime", {0, 0}},    {"stoptime", {0, 0}},
      {"integer", {1, 1}},  {"remainder", {2, 2}},    {"active_initial", {2, 2}},
  };
  return table;
}

class Compiler {
 public:
  explicit Compiler(const Model& model) : model_(model) {}

  Program run() {
    make_builtin_nodes();
    register_lookups();
    expand_variables();
    lower_all();
    order_initialisation();
    classify_dynamic();
    order_run();
    emit();
    return Program(std::make_shared<const ProgramData>(std::move(data_)));
  }

 private:
  // --- errors -------------------------------------------------------------------
  [[noreturn]] void fail(const std::string& message, const Site& site, int column = 0) const {
    Location where = defined_at(site.variable);
    where.variable = site.variable;
    where.equation = site.equation;
    where.column = column;
    throw ModelError(message, where);
  }

  // The file and line of the model variable behind a node name such as "fleet[bus]"
  // or "supply.demand.smooth1".
  Location defined_at(const std::string& node_name) const {
    std::string name = node_name.substr(0, node_name.find('['));
    for (;;) {
      if (const Variable* v = model_.find(name)) return v->location;
      const auto dot = name.rfind('.');
      if (dot == std::string::npos) return {};
      name.resize(dot);
    }
  }

  // --- nodes --------------------------------------------------------------------
  int add_node(Node n) {
    nodes_.push_back(std::move(n));
    return static_cast<int>(nodes_.size()) - 1;
  }

  void make_builtin_nodes() {
    for (const char* name : {"TIME", "DT", "STARTTIME", "STOPTIME"}) {
      Node n;
      n.kind = NodeKind::Builtin;
      n.name = name;
      n.internal = true;
      add_node(n);
    }
    nodes_[kTimeNode].slot = detail::kTimeSlot;
    nodes_[kDtNode].slot = detail::kDtSlot;
    nodes_[kStartNode].slot = detail::kStartSlot;
    nodes_[kStopNode].slot = detail::kStopSlot;
    nodes_[kTimeNode].dynamic = true;
  }

  static bool is_lookup_only(const Variable& v) {
    return v.graphical_function.has_value() && v.expr == nullptr && v.element_equations.empty();
  }

  void register_lookups() {
    for (const Variable& v : model_.variables()) {
      if (!v.graphical_function) continue;
      const GraphicalFunction& gf = *v.graphical_function;
      Site site{v.name, ""};
      if (gf.x.size() != gf.y.size() || gf.x.empty())
        fail("a graphical function needs as many x points as y points, and at least one", site);
      for (std::size_t i = 1; i < gf.x.size(); ++i)
        if (!(gf.x[i] > gf.x[i - 1])) fail("graphical function x points must increase", site);
      detail::LookupTable t;
      t.offset = static_cast<std::int32_t>(data_.lookup_x.size());
      t.count = static_cast<std::int32_t>(gf.x.size());
      t.interpolation = gf.interpolation;
      data_.lookup_x.insert(data_.lookup_x.end(), gf.x.begin(), gf.x.end());
      data_.lookup_y.insert(data_.lookup_y.end(), gf.y.begin(), gf.y.end());
      tables_[canonical_name(v.name)] = static_cast<int>(data_.lookups.size());
      data_.lookups.push_back(t);
    }
  }

  struct VariableNodes {
    int first = -1;
    std::vector<const Dimension*> dims;
  };

  std::vector<const Dimension*> dimensions_of(const Variable& v) {
    std::vector<const Dimension*> dims;
    for (const std::string& d : v.dimensions) {
      const Dimension* dim = model_.find_dimension(d);
      if (dim == nullptr) {
        std::string known;
        for (const auto& k : model_.dimensions()) known += (known.empty() ? "" : ", ") + k.name;
        fail("unknown dimension '" + d + "'" +
                 (known.empty() ? std::string(" (the model defines none)")
                                : " (known: " + known + ")"),
             Site{v.name, ""});
      }
      dims.push_back(dim);
    }
    return dims;
  }

  static std::string element_label(const std::vector<const Dimension*>& dims,
                                   const std::vector<int>& idx) {
    if (dims.empty()) return "";
    std::string s = "[";
    for (std::size_t i = 0; i < dims.size(); ++i)
      s += (i ? "," : "") + dims[i]->elements[static_cast<std::size_t>(idx[i])];
    return s + "]";
  }

  // Visits every element tuple of `dims` in row-major order.
  static void for_each_element(const std::vector<const Dimension*>& dims,
                               const std::function<void(const std::vector<int>&)>& f) {
    std::vector<int> idx(dims.size(), 0);
    for (;;) {
      f(idx);
      int k = static_cast<int>(dims.size()) - 1;
      while (k >= 0) {
        if (++idx[static_cast<std::size_t>(k)] <
            static_cast<int>(dims[static_cast<std::size_t>(k)]->elements.size()))
          break;
        idx[static_cast<std::size_t>(k)] = 0;
        --k;
      }
      if (k < 0) return;
    }
  }

  int element_node(const VariableNodes& vn, const std::vector<int>& idx) const {
    int linear = 0;
    for (std::size_t i = 0; i < vn.dims.size(); ++i)
      linear = linear * static_cast<int>(vn.dims[i]->elements.size()) + idx[i];
    return vn.first + linear;
  }

  // Whether `name` (as written in a per-element equation) stands for element `element`
  // of a variable's dimension: `*`, the element itself, or a dimension (the variable's
  // own or a subrange of it) that contains the element.
  bool covers(const std::string& name, const std::string& element) const {
    return subscript_covers(model_, name, element);
  }

  // The equation that defines one element: its own, or the apply-to-all one.
  const Expr* equation_for(const Variable& v, const std::vector<const Dimension*>& dims,
                           const std::vector<int>& idx, std::string* text,
                           const ElementEquation** matched = nullptr) const {
    for (const ElementEquation& eq : v.element_equations) {
      if (eq.elements.size() != dims.size()) continue;
      bool same = true;
      for (std::size_t i = 0; same && i < dims.size(); ++i)
        same = covers(eq.elements[i], dims[i]->elements[static_cast<std::size_t>(idx[i])]);
      if (same) {
        *text = eq.text;
        if (matched != nullptr) *matched = &eq;
        return eq.expr.get();
      }
    }
    *text = v.equation;
    return v.expr.get();
  }

  // Position of `element` in `dim`, or -1.
  static int position(const Dimension& dim, const std::string& element) {
    const std::string key = canonical_name(element);
    for (std::size_t k = 0; k < dim.elements.size(); ++k)
      if (canonical_name(dim.elements[k]) == key) return static_cast<int>(k);
    return -1;
  }

  // The element that dimension `name` stands for in `ctx`: its own entry; else, through
  // a mapping, the element that corresponds to the current element of a dimension in
  // `ctx`; else the current element of a dimension in `ctx` that `name` contains (a
  // subrange or a superrange). Empty when none.
  std::string context_element(const std::string& name, const Context& ctx) const {
    const Dimension* s = model_.find_dimension(name);
    if (s == nullptr) return {};
    const auto own = ctx.find(canonical_name(name));
    if (own != ctx.end()) return s->elements[static_cast<std::size_t>(own->second)];
    // s maps to a dimension in ctx: element k of s corresponds to its element k (or the
    // listed one).
    for (const DimensionMapping& m : s->mappings) {
      const auto t = ctx.find(canonical_name(m.target));
      const Dimension* target = model_.find_dimension(m.target);
      if (t == ctx.end() || target == nullptr) continue;
      if (m.elements.empty()) {
        if (t->second < static_cast<int>(s->elements.size()))
          return s->elements[static_cast<std::size_t>(t->second)];
        continue;
      }
      const std::string current = target->elements[static_cast<std::size_t>(t->second)];
      for (std::size_t k = 0; k < m.elements.size(); ++k)
        if (canonical_name(m.elements[k]) == canonical_name(current)) return s->elements[k];
    }
    // s maps to a dimension that holds the current element of a dimension in ctx (the
    // equation was written for that subrange).
    for (const DimensionMapping& m : s->mappings) {
      const Dimension* target = model_.find_dimension(m.target);
      if (target == nullptr) continue;
      for (const auto& [key, index] : ctx) {
        const Dimension* t = model_.find_dimension(key);
        if (t == nullptr) continue;
        const std::string& current = t->elements[static_cast<std::size_t>(index)];
        const int k = position(*target, current);
        if (k < 0) continue;
        if (m.elements.empty()) {
          if (k < static_cast<int>(s->elements.size()))
            return s->elements[static_cast<std::size_t>(k)];
          continue;
        }
        for (std::size_t j = 0; j < m.elements.size(); ++j)
          if (canonical_name(m.elements[j]) == canonical_name(current)) return s->elements[j];
      }
    }
    // A dimension in ctx maps to s.
    for (const auto& [key, index] : ctx) {
      const Dimension* t = model_.find_dimension(key);
      if (t == nullptr) continue;
      for (const DimensionMapping& m : t->mappings) {
        if (canonical_name(m.target) != canonical_name(name)) continue;
        if (m.elements.empty() && index < static_cast<int>(s->elements.size()))
          return s->elements[static_cast<std::size_t>(index)];
        if (!m.elements.empty()) return m.elements[static_cast<std::size_t>(index)];
      }
    }
    for (const auto& [key, index] : ctx) {
      const Dimension* t = model_.find_dimension(key);
      if (t == nullptr) continue;
      const std::string& current = t->elements[static_cast<std::size_t>(index)];
      if (position(*s, current) >= 0) return current;
    }
    return {};
  }

  void expand_variables() {
    for (const Variable& v : model_.variables()) {
      if (is_lookup_only(v)) continue;
      VariableNodes vn;
      vn.dims = dimensions_of(v);
      vn.first = static_cast<int>(nodes_.size());
      // Every per-element equation must name real elements.
      for (const ElementEquation& eq : v.element_equations) {
        Site site{v.name, eq.text};
        if (eq.elements.size() != vn.dims.size())
          fail("a per-element equation names " + std::to_string(eq.elements.size()) +
                   " elements but the variable has " + std::to_string(vn.dims.size()) +
                   " dimensions",
               site);
        for (std::size_t i = 0; i < vn.dims.size(); ++i) {
          const auto& els = vn.dims[i]->elements;
          const bool found = std::any_of(els.begin(), els.end(), [&](const std::string& e) {
            return covers(eq.elements[i], e);
          });
          if (!found)
            fail("'" + eq.elements[i] + "' is not an element of dimension '" + vn.dims[i]->name +
                     "'",
                 site);
        }
      }
      for_each_element(vn.dims, [&](const std::vector<int>& idx) {
        Node n;
        n.var = &v;
        n.variable = v.name;
        n.name = v.name + element_label(vn.dims, idx);
        n.elements = idx;
        n.units = v.units;
        std::string text;
        const Expr* e = equation_for(v, vn.dims, idx, &text);
        if (e == nullptr)
          fail("has no equation" + std::string(v.dimensions.empty()
                                                   ? ""
                                                   : " for element " + element_label(vn.dims, idx)),
               Site{v.name, ""});
        switch (v.kind) {
          case VariableKind::Stock:
            n.kind = NodeKind::Stock;
            n.non_negative = v.non_negative;
            break;
          case VariableKind::Flow:
            n.kind = NodeKind::Auxiliary;
            n.uniflow = v.non_negative;
            break;
          case VariableKind::Auxiliary:
          case VariableKind::Constant:
            n.kind = NodeKind::Auxiliary;
            if (e->kind == ExprKind::Number && !v.graphical_function) {
              n.kind = NodeKind::Constant;
              n.constant = e->number;
            } else if (e->kind == ExprKind::Unary && e->unary == UnaryOp::Neg &&
                       e->args[0]->kind == ExprKind::Number && !v.graphical_function) {
              n.kind = NodeKind::Constant;
              n.constant = -e->args[0]->number;
            }
            break;
        }
        add_node(std::move(n));
      });
      variables_[canonical_name(v.name)] = vn;
    }
    named_node_count_ = static_cast<int>(nodes_.size());
  }

  // --- lowering -------------------------------------------------------------------
  void lower_all() {
    for (int i = 0; i < named_node_count_; ++i) {
      if (nodes_[static_cast<std::size_t>(i)].kind == NodeKind::Builtin ||
          nodes_[static_cast<std::size_t>(i)].kind == NodeKind::Constant)
        continue;
      const Variable& v = *nodes_[static_cast<std::size_t>(i)].var;
      const VariableNodes& vn = variables_.at(canonical_name(v.name));
      Context ctx;
      for (std::size_t d = 0; d < vn.dims.size(); ++d)
        ctx[canonical_name(vn.dims[d]->name)] = nodes_[static_cast<std::size_t>(i)].elements[d];
      std::string text;
      const ElementEquation* matched = nullptr;
      const Expr* e =
          equation_for(v, vn.dims, nodes_[static_cast<std::size_t>(i)].elements, &text, &matched);
      // A per-element equation written for a subrange also reads that subrange's element.
      if (matched != nullptr)
        for (std::size_t d = 0; d < vn.dims.size(); ++d) {
          const Dimension* sub = model_.find_dimension(matched->elements[d]);
          if (sub == nullptr || sub == vn.dims[d]) continue;
          const int k = position(*sub, vn.dims[d]->elements[static_cast<std::size_t>(
                                           nodes_[static_cast<std::size_t>(i)].elements[d])]);
          if (k >= 0) ctx[canonical_name(sub->name)] = k;
        }
      Site site{nodes_[static_cast<std::size_t>(i)].name, text};
      current_owner_ = nodes_[static_cast<std::size_t>(i)].name;
      LPtr value = lower(*e, ctx, site);
      if (v.graphical_function && v.kind != VariableKind::Stock) {
        auto l = std::make_shared<Lowered>();
        l->kind = Lowered::Kind::Lookup;
        l->table = tables_.at(canonical_name(v.name));
        l->args = {value};
        value = l;
      }
      nodes_[static_cast<std::size_t>(i)].value = value;
      if (v.kind == VariableKind::Stock)
        nodes_[static_cast<std::size_t>(i)].derivative = stock_derivative(v, ctx, site);
    }
  }

  LPtr stock_derivative(const Variable& v, const Context& ctx, const Site& site) {
    LPtr sum;
    auto add_term = [&](const std::string& flow_name, bool inflow) {
      const Variable* f = model_.find(flow_name);
      Site flow_site{site.variable, (inflow ? "inflow " : "outflow ") + flow_name};
      if (f == nullptr)
        fail("unknown " + std::string(inflow ? "inflow" : "outflow") + " '" + flow_name + "'" +
                 suggestion(flow_name),
             flow_site);
      if (f->kind == VariableKind::Stock)
        fail("'" + flow_name + "' is a stock, not a flow", flow_site);
      Expr name_expr;
      name_expr.kind = ExprKind::Name;
      name_expr.name = canonical_name(flow_name);
      LPtr term = lower(name_expr, ctx, flow_site);
      if (!sum) {
        sum = inflow ? term : apply(Op::Neg, {term});
      } else {
        sum = apply(inflow ? Op::Add : Op::Sub, {sum, term});
      }
    };
    for (const auto& f : v.inflows) add_term(f, true);
    for (const auto& f : v.outflows) add_term(f, false);
    return sum ? sum : number(0.0);
  }

  std::string suggestion(const std::string& name) const {
    const std::string key = canonical_name(name);
    std::string best;
    std::size_t best_distance = 3;
    for (const Variable& v : model_.variables()) {
      const std::size_t d = edit_distance(key, canonical_name(v.name));
      if (d < best_distance) best_distance = d, best = v.name;
    }
    return best.empty() ? std::string() : " (did you mean '" + best + "'?)";
  }

  // Applies an operator, folding it when every argument is a number. Folding runs the
  // same kernel as a run, so folded and unfolded values agree to the bit.
  LPtr apply(Op op, std::vector<LPtr> args) {
    const bool time_dependent = op == Op::Step || op == Op::Ramp || op == Op::Pulse;
    const bool all_numbers = std::all_of(
        args.begin(), args.end(), [](const LPtr& a) { return a->kind == Lowered::Kind::Number; });
    if (all_numbers && !time_dependent) {
      detail::Block<1> slots[4];
      for (auto& s : slots) s[0] = 0;
      Instruction in;
      in.op = op;
      in.dst = 3;
      in.a = 0;
      in.b = args.size() > 1 ? 1 : 0;
      in.c = args.size() > 2 ? 2 : 0;
      for (std::size_t i = 0; i < args.size(); ++i) slots[i][0] = args[i]->number;
      detail::execute<1>(data_, &in, 1, slots);
      return number(slots[3][0]);
    }
    auto l = std::make_shared<Lowered>();
    l->kind = Lowered::Kind::Apply;
    l->op = op;
    l->args = std::move(args);
    return l;
  }

  LPtr lower(const Expr& e, const Context& ctx, const Site& site) {
    switch (e.kind) {
      case ExprKind::Number:
        return number(e.number);
      case ExprKind::Name:
        return lower_name(e, ctx, site);
      case ExprKind::Unary: {
        LPtr a = lower(*e.args[0], ctx, site);
        if (e.unary == UnaryOp::Plus) return a;
        return apply(e.unary == UnaryOp::Neg ? Op::Neg : Op::Not, {a});
      }
      case ExprKind::Binary: {
        static const std::map<BinaryOp, Op> ops = {
            {BinaryOp::Add, Op::Add}, {BinaryOp::Sub, Op::Sub}, {BinaryOp::Mul, Op::Mul},
            {BinaryOp::Div, Op::Div}, {BinaryOp::Pow, Op::Pow}, {BinaryOp::Lt, Op::Lt},
            {BinaryOp::Le, Op::Le},   {BinaryOp::Gt, Op::Gt},   {BinaryOp::Ge, Op::Ge},
            {BinaryOp::Eq, Op::Eq},   {BinaryOp::Ne, Op::Ne},   {BinaryOp::And, Op::And},
            {BinaryOp::Or, Op::Or},   {BinaryOp::Mod, Op::Mod}};
        LPtr a = lower(*e.args[0], ctx, site);
        LPtr b = lower(*e.args[1], ctx, site);
        return apply(ops.at(e.binary), {a, b});
      }
      case ExprKind::If: {
        LPtr c = lower(*e.args[0], ctx, site);
        LPtr a = lower(*e.args[1], ctx, site);
        LPtr b = lower(*e.args[2], ctx, site);
        if (c->kind == Lowered::Kind::Number) return c->number != 0 ? a : b;
        return apply(Op::Select, {c, a, b});
      }
      case ExprKind::Call:
        return lower_call(e, ctx, site);
    }
    fail("internal error: unknown expression", site, e.column);
  }

  LPtr lower_name(const Expr& e, const Context& ctx, const Site& site) {
    const auto it = variables_.find(e.name);
    if (it == variables_.end()) {
      const Variable* v = model_.find(e.name);
      if (v != nullptr && is_lookup_only(*v))
        fail("'" + v->name + "' is a graphical function; call it as " + v->name + "(x)", site,
             e.column);
      if (e.subscripts.empty()) {
        if (e.name == "time") return ref(kTimeNode);
        if (e.name == "dt" || e.name == "time_step") return ref(kDtNode);
        if (e.name == "starttime" || e.name == "initial_time") return ref(kStartNode);
        if (e.name == "stoptime" || e.name == "final_time") return ref(kStopNode);
        if (e.name == "pi") return number(std::numbers::pi);
      }
      if (const Dimension* dim = model_.find_dimension(e.name); dim != nullptr && !ctx.empty()) {
        // A dimension name used as a value: the (1-based) position of the current element
        // (in the parent, for a subrange that has one).
        const auto c = ctx.find(e.name);
        const Dimension* parent =
            dim->parent.empty() ? nullptr : model_.find_dimension(dim->parent);
        if (c != ctx.end() && parent == nullptr) return number(c->second + 1);
        const std::string element = context_element(e.name, ctx);
        if (!element.empty()) {
          const int k = position(parent != nullptr ? *parent : *dim, element);
          if (k >= 0) return number(k + 1);
        }
      }
      fail("unknown variable '" + e.name + "'" + suggestion(e.name), site, e.column);
    }
    const VariableNodes& vn = it->second;
    const std::size_t rank = vn.dims.size();
    std::vector<int> idx(rank, 0);
    if (e.subscripts.empty()) {
      for (std::size_t d = 0; d < rank; ++d) {
        const auto c = ctx.find(canonical_name(vn.dims[d]->name));
        if (c == ctx.end())
          fail("'" + e.name + "' is arrayed by '" + vn.dims[d]->name + "': name an element (" +
                   e.name + "[" + vn.dims[d]->elements[0] +
                   "]) or use an array function such as SUM(" + e.name + "[*])",
               site, e.column);
        idx[d] = c->second;
      }
    } else {
      if (e.subscripts.size() != rank)
        fail("'" + e.name + "' has " + std::to_string(rank) + " dimension" +
                 (rank == 1 ? "" : "s") + " but is subscripted with " +
                 std::to_string(e.subscripts.size()),
             site, e.column);
      for (std::size_t d = 0; d < rank; ++d) {
        const Dimension& dim = *vn.dims[d];
        const std::string dim_key = canonical_name(dim.name);
        const Subscript& s = e.subscripts[d];
        switch (s.kind) {
          case Subscript::Kind::Index:
            if (s.index > static_cast<int>(dim.elements.size()))
              fail("subscript " + std::to_string(s.index) + " is beyond the " +
                       std::to_string(dim.elements.size()) + " elements of '" + dim.name + "'",
                   site, e.column);
            idx[d] = s.index - 1;
            break;
          case Subscript::Kind::Wildcard: {
            const auto c = ctx.find(s.name.empty() ? dim_key : s.name);
            if (c == ctx.end() || !in_reduction_)
              fail("'" + e.name + "[*]' stands for every element of '" + dim.name +
                       "': use it inside SUM, MEAN, MIN, MAX or PROD",
                   site, e.column);
            idx[d] = c->second;
            break;
          }
          case Subscript::Kind::Name: {
            int found = -1;
            for (std::size_t k = 0; k < dim.elements.size(); ++k)
              if (canonical_name(dim.elements[k]) == s.name) found = static_cast<int>(k);
            if (found < 0 && (s.name == dim_key || model_.find_dimension(s.name) != nullptr)) {
              const auto c = ctx.find(s.name);
              const std::string element = context_element(s.name, ctx);
              if (element.empty())
                fail("subscript '" + s.name +
                         "' is a dimension, but this equation is not arrayed by it (nor by a "
                         "dimension that maps to it or shares its elements)",
                     site, e.column);
              // The same element by name (subranges, mappings); else by position.
              found = position(dim, element);
              if (found < 0 && c != ctx.end()) found = c->second;
              if (found < 0 || found >= static_cast<int>(dim.elements.size()))
                fail("element '" + element + "' of '" + s.name + "' is not an element of '" +
                         dim.name + "'",
                     site, e.column);
            }
            if (found < 0)
              fail("'" + s.name + "' is not an element of dimension '" + dim.name +
                       "' (elements: " + join(dim.elements) + ")",
                   site, e.column);
            idx[d] = found;
            break;
          }
        }
      }
    }
    return ref(element_node(vn, idx));
  }

  static std::string join(const std::vector<std::string>& v) {
    std::string s;
    for (const auto& x : v) s += (s.empty() ? "" : ", ") + x;
    return s;
  }

  // Dimensions that `*`, `dim!` or an unsubscripted arrayed name leave open in `e`.
  void open_dimensions(const Expr& e, const Context& ctx,
                       std::vector<const Dimension*>& out) const {
    auto add = [&](const Dimension* d) {
      if (std::find(out.begin(), out.end(), d) == out.end()) out.push_back(d);
    };
    if (e.kind == ExprKind::Name) {
      const auto it = variables_.find(e.name);
      if (it != variables_.end()) {
        const auto& dims = it->second.dims;
        if (e.subscripts.empty()) {
          for (const Dimension* d : dims)
            if (ctx.count(canonical_name(d->name)) == 0) add(d);
        } else {
          for (std::size_t k = 0; k < e.subscripts.size() && k < dims.size(); ++k)
            if (e.subscripts[k].kind == Subscript::Kind::Wildcard) {
              const Dimension* d = e.subscripts[k].name.empty()
                                       ? dims[k]
                                       : model_.find_dimension(e.subscripts[k].name);
              add(d != nullptr ? d : dims[k]);
            } else if (e.subscripts[k].kind == Subscript::Kind::Name &&
                       ctx.count(e.subscripts[k].name) == 0) {
              // A dimension named as a subscript outside an equation arrayed by it:
              // SUM(x[dim]) and MIN(x[dim]) range over it, as x[*] does.
              const auto& els = dims[k]->elements;
              const Dimension* d = model_.find_dimension(e.subscripts[k].name);
              const bool is_element =
                  std::any_of(els.begin(), els.end(), [&](const std::string& el) {
                    return canonical_name(el) == e.subscripts[k].name;
                  });
              if (d != nullptr && !is_element) add(d);
            }
        }
      }
    }
    for (const auto& a : e.args) open_dimensions(*a, ctx, out);
  }

  // SUM/MEAN/MIN/MAX/PROD over the open dimensions of `arg`: the terms, unrolled.
  std::vector<LPtr> reduction_terms(const Expr& arg, const Context& ctx, const Site& site) {
    std::vector<const Dimension*> open;
    open_dimensions(arg, ctx, open);
    std::vector<LPtr> terms;
    if (open.empty()) {
      terms.push_back(lower(arg, ctx, site));
      return terms;
    }
    const bool outer = in_reduction_;
    in_reduction_ = true;
    for_each_element(open, [&](const std::vector<int>& idx) {
      Context inner = ctx;
      for (std::size_t d = 0; d < open.size(); ++d) inner[canonical_name(open[d]->name)] = idx[d];
      terms.push_back(lower(arg, inner, site));
    });
    in_reduction_ = outer;
    return terms;
  }

  LPtr chain(Op op, const std::vector<LPtr>& terms) {
    LPtr acc = terms[0];
    for (std::size_t i = 1; i < terms.size(); ++i) acc = apply(op, {acc, terms[i]});
    return acc;
  }

  // An internal stock for SMTH/DELAY: created first so that its derivative can refer to it.
  int internal_stock(const std::string& label, LPtr initial) {
    Node n;
    n.kind = NodeKind::Stock;
    n.internal = true;
    n.name = current_owner_ + "." + label;
    n.variable = current_owner_;
    n.value = std::move(initial);
    return add_node(std::move(n));
  }

  // A node holding an expression, so that the simulator can read it from a slot.
  int as_node(const LPtr& l, const std::string& label) {
    if (l->kind == Lowered::Kind::Ref) return l->node;
    Node n;
    n.kind = NodeKind::Auxiliary;
    n.internal = true;
    n.name = current_owner_ + "." + label;
    n.variable = current_owner_;
    n.value = l;
    return add_node(std::move(n));
  }

  // The value `l` has at the start time, when it follows from numbers, constants and the
  // clock alone (STEP and RAMP included); nothing otherwise.
  std::optional<double> value_at_start(const LPtr& l, int depth = 0) const {
    if (depth > 100) return std::nullopt;
    switch (l->kind) {
      case Lowered::Kind::Number:
        return l->number;
      case Lowered::Kind::Ref: {
        const Node& n = nodes_[static_cast<std::size_t>(l->node)];
        if (l->node == kTimeNode || l->node == kStartNode) return model_.time().start;
        if (l->node == kDtNode) return model_.time().dt;
        if (l->node == kStopNode) return model_.time().stop;
        if (n.kind == NodeKind::Constant) return n.constant;
        if (n.kind == NodeKind::Auxiliary && n.value && !n.initial_value)
          return value_at_start(n.value, depth + 1);
        return std::nullopt;
      }
      case Lowered::Kind::Lookup: {
        const auto x = value_at_start(l->args[0], depth + 1);
        if (!x) return std::nullopt;
        return detail::lookup_value(data_, l->table, *x);
      }
      case Lowered::Kind::Apply: {
        detail::Block<1> slots[detail::kFixedSlots + 4];
        for (auto& s : slots) s[0] = 0;
        slots[detail::kTimeSlot][0] = slots[detail::kStepTimeSlot][0] = model_.time().start;
        slots[detail::kDtSlot][0] = model_.time().dt;
        slots[detail::kStartSlot][0] = model_.time().start;
        slots[detail::kStopSlot][0] = model_.time().stop;
        Instruction in;
        in.op = l->op;
        in.dst = detail::kFixedSlots + 3;
        in.a = detail::kFixedSlots;
        in.b = detail::kFixedSlots + (l->args.size() > 1 ? 1 : 0);
        in.c = l->args.size() > 2 ? detail::kFixedSlots + 2 : -1;
        for (std::size_t i = 0; i < l->args.size(); ++i) {
          const auto v = value_at_start(l->args[i], depth + 1);
          if (!v) return std::nullopt;
          slots[detail::kFixedSlots + i][0] = *v;
        }
        detail::execute<1>(data_, &in, 1, slots);
        return slots[detail::kFixedSlots + 3][0];
      }
    }
    return std::nullopt;
  }

  // The order fixes the structure (how many stages), so it is taken at the start time,
  // as Vensim does; lanes cannot change it.
  int order_argument(const LPtr& n, const char* function, const Site& site, int column) const {
    const auto v = value_at_start(n);
    if (!v)
      fail(std::string(function) +
               ": the order must follow from numbers and constants (it is fixed at the start)",
           site, column);
    return check_order(*v, function, site, column);
  }
  int check_order(double v, const char* function, const Site& site, int column) const {
    if (v < 1 || v != std::floor(v) || v > 1000)
      fail(std::string(function) + ": the order must be a whole number from 1 to 1000", site,
           column);
    return static_cast<int>(v);
  }

  // SMTHN: n first-order smooths in a chain, each with averaging time T/n.
  LPtr smooth_chain(LPtr input, LPtr time, int order, LPtr initial, const char* label) {
    const LPtr stage_time = order == 1 ? time : apply(Op::Div, {time, number(order)});
    LPtr upstream = input;
    int last = -1;
    for (int k = 1; k <= order; ++k) {
      last = internal_stock(std::string(label) + std::to_string(k), initial);
      nodes_[static_cast<std::size_t>(last)].derivative =
          apply(Op::Div, {apply(Op::Sub, {upstream, ref(last)}), stage_time});
      upstream = ref(last);
    }
    return ref(last);
  }

  // DELAYN: n first-order material delays in a chain, each with delay T/n.
  LPtr delay_chain(LPtr input, LPtr time, int order, LPtr initial, const char* label) {
    const LPtr stage_time = order == 1 ? time : apply(Op::Div, {time, number(order)});
    LPtr inflow = input;
    LPtr outflow;
    for (int k = 1; k <= order; ++k) {
      const int s = internal_stock(std::string(label) + std::to_string(k),
                                   apply(Op::Mul, {initial, stage_time}));
      outflow = apply(Op::Div, {ref(s), stage_time});
      nodes_[static_cast<std::size_t>(s)].derivative = apply(Op::Sub, {inflow, outflow});
      inflow = outflow;
    }
    return outflow;
  }

  LPtr trend(LPtr input, LPtr time, LPtr initial_trend) {
    // AVERAGE = SMTH1(input, T, input / (1 + initial trend * T));
    // TREND = (input - AVERAGE) / (T * |AVERAGE|), 0 while AVERAGE is 0.
    const LPtr average_initial =
        apply(Op::Div, {input, apply(Op::Add, {number(1), apply(Op::Mul, {initial_trend, time})})});
    const LPtr average = smooth_chain(input, time, 1, average_initial, "trend_average");
    return apply(Op::SafeDiv, {apply(Op::Sub, {input, average}),
                               apply(Op::Mul, {time, apply(Op::Abs, {average})}), number(0)});
  }

  LPtr lower_call(const Expr& e, const Context& ctx, const Site& site) {
    const std::string& f = e.name;
    const int argc = static_cast<int>(e.args.size());
    // A model's own graphical function wins over a builtin of the same name.
    const auto table = tables_.find(f);
    if (table != tables_.end()) {
      if (argc != 1)
        fail("graphical function '" + f + "' takes one argument, not " + std::to_string(argc), site,
             e.column);
      auto l = std::make_shared<Lowered>();
      l->kind = Lowered::Kind::Lookup;
      l->table = table->second;
      l->args = {lower(*e.args[0], ctx, site)};
      return l;
    }
    const auto& builtins = builtin_functions();
    const auto spec = builtins.find(f);
    if (spec == builtins.end()) {
      std::string best;
      std::size_t best_distance = 3;
      for (const auto& [name, s] : builtins) {
        const std::size_t d = edit_distance(f, name);
        if (d < best_distance) best_distance = d, best = name;
      }
      fail("unknown function '" + f + "'" + (best.empty() ? "" : " (did you mean " + best + "?)"),
           site, e.column);
    }
    if (argc < spec->second.min_args || argc > spec->second.max_args) {
      const auto& s = spec->second;
      const std::string expected =
          s.min_args == s.max_args ? std::to_string(s.min_args)
          : s.max_args == 99       ? "at least " + std::to_string(s.min_args)
                             : std::to_string(s.min_args) + " to " + std::to_string(s.max_args);
      fail(f + " takes " + expected + " argument" + (s.max_args == 1 ? "" : "s") + ", not " +
               std::to_string(argc),
           site, e.column);
    }
    auto arg = [&](int i) { return lower(*e.args[static_cast<std::size_t>(i)], ctx, site); };
    static const std::map<std::string, Op> unary = {
        {"abs", Op::Abs},      {"exp", Op::Exp},     {"ln", Op::Ln},       {"log10", Op::Log10},
        {"sqrt", Op::Sqrt},    {"sin", Op::Sin},     {"cos", Op::Cos},     {"tan", Op::Tan},
        {"arcsin", Op::Asin},  {"arccos", Op::Acos}, {"arctan", Op::Atan}, {"int", Op::Floor},
        {"round", Op::Round},  {"sinh", Op::Sinh},   {"cosh", Op::Cosh},   {"tanh", Op::Tanh},
        {"integer", Op::Trunc}};
    if (const auto u = unary.find(f); u != unary.end()) return apply(u->second, {arg(0)});
    if (f == "pi") return number(std::numbers::pi);
    if (f == "time") return ref(kTimeNode);
    if (f == "dt") return ref(kDtNode);
    if (f == "starttime") return ref(kStartNode);
    if (f == "stoptime") return ref(kStopNode);
    if (f == "mod") return apply(Op::Mod, {arg(0), arg(1)});
    if (f == "remainder") return apply(Op::Rem, {arg(0), arg(1)});
    if (f == "active_initial") {
      // The first argument while running, the second when initial values are computed.
      Node n;
      n.kind = NodeKind::Auxiliary;
      n.internal = true;
      n.name = current_owner_ + ".active_initial";
      n.variable = current_owner_;
      n.value = arg(0);
      n.initial_value = arg(1);
      return ref(add_node(std::move(n)));
    }
    if (f == "if_then_else") return apply(Op::Select, {arg(0), arg(1), arg(2)});
    if (f == "min" || f == "max") {
      const Op op = f == "min" ? Op::Min : Op::Max;
      if (argc == 1) return chain(op, reduction_terms(*e.args[0], ctx, site));
      std::vector<LPtr> terms;
      for (int i = 0; i < argc; ++i) terms.push_back(arg(i));
      return chain(op, terms);
    }
    if (f == "sum" || f == "prod") {
      return chain(f == "sum" ? Op::Add : Op::Mul, reduction_terms(*e.args[0], ctx, site));
    }
    if (f == "mean") {
      std::vector<LPtr> terms;
      for (int i = 0; i < argc; ++i) {
        auto t = reduction_terms(*e.args[static_cast<std::size_t>(i)], ctx, site);
        terms.insert(terms.end(), t.begin(), t.end());
      }
      return apply(Op::Div, {chain(Op::Add, terms), number(static_cast<double>(terms.size()))});
    }
    if (f == "step") return apply(Op::Step, {arg(0), arg(1)});
    if (f == "ramp")
      return argc == 3 ? apply(Op::Ramp, {arg(0), arg(1), arg(2)})
                       : apply(Op::Ramp, {arg(0), arg(1)});
    if (f == "pulse")
      return argc == 3 ? apply(Op::Pulse, {arg(0), arg(1), arg(2)})
                       : apply(Op::Pulse, {arg(0), arg(1)});
    if (f == "safediv") return apply(Op::SafeDiv, {arg(0), arg(1), argc == 3 ? arg(2) : number(0)});
    if (f == "xidz") return apply(Op::SafeDiv, {arg(0), arg(1), arg(2)});
    if (f == "zidz") return apply(Op::SafeDiv, {arg(0), arg(1), number(0)});
    if (f == "lookup") {
      const Expr& t = *e.args[0];
      const auto found = t.kind == ExprKind::Name ? tables_.find(t.name) : tables_.end();
      if (found == tables_.end())
        fail("LOOKUP's first argument must name a graphical function", site, t.column);
      auto l = std::make_shared<Lowered>();
      l->kind = Lowered::Kind::Lookup;
      l->table = found->second;
      l->args = {arg(1)};
      return l;
    }
    if (f == "init") {
      Node n;
      n.kind = NodeKind::Initial;
      n.internal = true;
      n.name = current_owner_ + ".init";
      n.variable = current_owner_;
      n.value = arg(0);
      return ref(add_node(std::move(n)));
    }
    if (f == "previous") {
      const LPtr x = arg(0);
      Node n;
      n.kind = NodeKind::Previous;
      n.internal = true;
      n.name = current_owner_ + ".previous";
      n.variable = current_owner_;
      n.value = argc == 2 ? arg(1) : x;
      const int id = add_node(std::move(n));
      nodes_[static_cast<std::size_t>(id)].source = as_node(x, "previous_input");
      return ref(id);
    }
    if (f == "smth1" || f == "smooth" || f == "smth3" || f == "smooth3" || f == "smthn") {
      const bool nth = f == "smthn";
      const int order = nth ? order_argument(arg(2), "SMTHN", site, e.column)
                        : (f == "smth3" || f == "smooth3") ? 3
                                                           : 1;
      const int init_index = nth ? 3 : 2;
      const LPtr input = arg(0);
      const LPtr initial = argc > init_index ? arg(init_index) : input;
      return smooth_chain(input, arg(1), order, initial, "smooth");
    }
    if (f == "delay1" || f == "delay3" || f == "delayn") {
      const bool nth = f == "delayn";
      const int order = nth             ? order_argument(arg(2), "DELAYN", site, e.column)
                        : f == "delay3" ? 3
                                        : 1;
      const int init_index = nth ? 3 : 2;
      const LPtr input = arg(0);
      const LPtr initial = argc > init_index ? arg(init_index) : input;
      return delay_chain(input, arg(1), order, initial, "delay");
    }
    if (f == "delay") {
      const LPtr input = arg(0);
      Node n;
      n.kind = NodeKind::Delay;
      n.internal = true;
      n.name = current_owner_ + ".pipeline_delay";
      n.variable = current_owner_;
      n.value = argc == 3 ? arg(2) : input;
      const int id = add_node(std::move(n));
      nodes_[static_cast<std::size_t>(id)].source = as_node(input, "delay_input");
      nodes_[static_cast<std::size_t>(id)].delay_time = as_node(arg(1), "delay_time");
      return ref(id);
    }
    if (f == "trend") return trend(arg(0), arg(1), argc == 3 ? arg(2) : number(0));
    if (f == "forcst") {
      // FORCST = input * (1 + TREND(input, T, initial trend) * horizon)
      const LPtr input = arg(0);
      const LPtr t = trend(input, arg(1), argc == 4 ? arg(3) : number(0));
      return apply(Op::Mul, {input, apply(Op::Add, {number(1), apply(Op::Mul, {t, arg(2)})})});
    }
    fail("internal error: builtin '" + f + "' has no lowering", site, e.column);
  }

  // --- ordering ---------------------------------------------------------------------
  static void collect_refs(const LPtr& l, std::vector<int>& out) {
    if (!l) return;
    if (l->kind == Lowered::Kind::Ref) out.push_back(l->node);
    for (const auto& a : l->args) collect_refs(a, out);
  }

  static bool has_time_op(const LPtr& l) {
    if (!l) return false;
    if (l->kind == Lowered::Kind::Apply &&
        (l->op == Op::Step || l->op == Op::Ramp || l->op == Op::Pulse))
      return true;
    return std::any_of(l->args.begin(), l->args.end(), has_time_op);
  }

  std::vector<int> initial_dependencies(int id) const {
    const Node& n = nodes_[static_cast<std::size_t>(id)];
    std::vector<int> deps;
    collect_refs(n.initial_value ? n.initial_value : n.value, deps);
    if (n.kind == NodeKind::Delay) deps.push_back(n.delay_time);
    return deps;
  }

  // Depth-first topological sort; a cycle is reported with the names along it.
  std::vector<int> topological_order(const std::vector<int>& members,
                                     const std::function<std::vector<int>(int)>& deps,
                                     const char* what) const {
    std::vector<int> order;
    std::vector<char> state(nodes_.size(), 0);  // 0 new, 1 on the path, 2 done
    std::vector<char> member(nodes_.size(), 0);
    for (int m : members) member[static_cast<std::size_t>(m)] = 1;
    std::vector<int> path;
    std::function<void(int)> visit = [&](int id) {
      state[static_cast<std::size_t>(id)] = 1;
      path.push_back(id);
      for (int d : deps(id)) {
        if (!member[static_cast<std::size_t>(d)]) continue;
        if (state[static_cast<std::size_t>(d)] == 1) report_loop(path, d, what);
        if (state[static_cast<std::size_t>(d)] == 0) visit(d);
      }
      path.pop_back();
      state[static_cast<std::size_t>(id)] = 2;
      order.push_back(id);
    };
    for (int m : members)
      if (state[static_cast<std::size_t>(m)] == 0) visit(m);
    return order;
  }

  [[noreturn]] void report_loop(const std::vector<int>& path, int back_to, const char* what) const {
    std::vector<std::string> names;
    bool in_loop = false;
    for (int id : path) {
      if (id == back_to) in_loop = true;
      if (!in_loop) continue;
      const std::string& v = nodes_[static_cast<std::size_t>(id)].internal
                                 ? nodes_[static_cast<std::size_t>(id)].variable
                                 : nodes_[static_cast<std::size_t>(id)].name;
      if (names.empty() || names.back() != v) names.push_back(v);
    }
    std::string loop;
    for (const auto& n : names) loop += n + " -> ";
    loop += names.front();
    Location where = defined_at(names.front());
    where.variable = names.front();
    throw ModelError(std::string(what) + ": " + loop +
                         " (each of these needs the others in the same instant; a stock, SMTH1 or "
                         "DELAY1 in the loop breaks it)",
                     where);
  }

  void order_initialisation() {
    std::vector<int> all(nodes_.size());
    for (std::size_t i = 0; i < nodes_.size(); ++i) all[i] = static_cast<int>(i);
    init_order_ = topological_order(
        all, [&](int id) { return initial_dependencies(id); },
        "algebraic loop among initial values");
  }

  static bool holds_value(NodeKind k) {
    return k == NodeKind::Stock || k == NodeKind::Previous || k == NodeKind::Delay;
  }

  void classify_dynamic() {
    for (int id : init_order_) {
      Node& n = nodes_[static_cast<std::size_t>(id)];
      if (n.kind == NodeKind::Builtin) continue;
      if (holds_value(n.kind)) {
        n.dynamic = true;
        continue;
      }
      if (n.kind != NodeKind::Auxiliary) continue;  // constants and INIT values never change
      std::vector<int> deps;
      collect_refs(n.value, deps);
      n.dynamic = n.initial_value != nullptr || has_time_op(n.value) ||
                  std::any_of(deps.begin(), deps.end(),
                              [&](int d) { return nodes_[static_cast<std::size_t>(d)].dynamic; });
    }
  }

  void order_run() {
    std::vector<int> dynamic_aux;
    for (std::size_t i = 0; i < nodes_.size(); ++i)
      if (nodes_[i].kind == NodeKind::Auxiliary && nodes_[i].dynamic)
        dynamic_aux.push_back(static_cast<int>(i));
    run_order_ = topological_order(
        dynamic_aux,
        [&](int id) {
          std::vector<int> deps;
          collect_refs(nodes_[static_cast<std::size_t>(id)].value, deps);
          return deps;
        },
        "algebraic loop");
  }

  // --- emission ---------------------------------------------------------------------
  std::int32_t new_slot() { return data_.slot_count++; }

  std::int32_t literal_slot(double v) {
    std::uint64_t bits = 0;
    static_assert(sizeof bits == sizeof v);
    std::memcpy(&bits, &v, sizeof v);
    const auto it = literal_slots_.find(bits);
    if (it != literal_slots_.end()) return it->second;
    const std::int32_t s = new_slot();
    literal_slots_[bits] = s;
    data_.literals.emplace_back(s, v);
    return s;
  }

  // Emits `l` into `code`; the result lands in `dst` when given, else in a new slot.
  std::int32_t emit(const LPtr& l, std::vector<Instruction>& code, std::int32_t dst = -1) {
    std::int32_t result = -1;
    switch (l->kind) {
      case Lowered::Kind::Number:
        result = literal_slot(l->number);
        break;
      case Lowered::Kind::Ref:
        result = nodes_[static_cast<std::size_t>(l->node)].slot;
        break;
      case Lowered::Kind::Lookup: {
        const std::int32_t a = emit(l->args[0], code);
        Instruction in;
        in.op = Op::Lookup;
        in.dst = dst >= 0 ? dst : new_slot();
        in.a = a;
        in.b = l->table;
        code.push_back(in);
        return in.dst;
      }
      case Lowered::Kind::Apply: {
        std::int32_t args[3] = {0, 0, -1};
        for (std::size_t i = 0; i < l->args.size(); ++i) args[i] = emit(l->args[i], code);
        Instruction in;
        in.op = l->op;
        in.dst = dst >= 0 ? dst : new_slot();
        in.a = args[0];
        in.b = l->args.size() > 1 ? args[1] : args[0];
        in.c = l->args.size() > 2 ? args[2] : -1;
        code.push_back(in);
        note_breakpoints(*l);
        return in.dst;
      }
    }
    if (dst >= 0 && dst != result) {
      Instruction in;
      in.op = Op::Copy;
      in.dst = dst;
      in.a = result;
      code.push_back(in);
      return dst;
    }
    return result;
  }

  // A static argument of STEP/RAMP/PULSE is a time the adaptive methods must stop at.
  std::int32_t static_slot(const LPtr& l) {
    if (l->kind == Lowered::Kind::Number) return literal_slot(l->number);
    if (l->kind == Lowered::Kind::Ref && !nodes_[static_cast<std::size_t>(l->node)].dynamic)
      return nodes_[static_cast<std::size_t>(l->node)].slot;
    return -1;
  }
  void note_breakpoints(const Lowered& l) {
    if (l.op == Op::Step || l.op == Op::Ramp) {
      for (std::size_t i = 1; i < l.args.size(); ++i)
        if (const auto s = static_slot(l.args[i]); s >= 0) data_.breakpoint_slots.push_back(s);
    } else if (l.op == Op::Pulse) {
      const auto first = static_slot(l.args[1]);
      const auto interval = l.args.size() > 2 ? static_slot(l.args[2]) : literal_slot(0);
      if (first >= 0 && interval >= 0) data_.pulse_breakpoints.emplace_back(first, interval);
    }
  }

  void emit_value(const Node& n, std::vector<Instruction>& code, bool initial = false) {
    emit(initial && n.initial_value ? n.initial_value : n.value, code, n.slot);
    if (n.uniflow) {
      Instruction in;
      in.op = Op::Max;
      in.dst = n.slot;
      in.a = n.slot;
      in.b = literal_slot(0.0);
      code.push_back(in);
    }
  }

  void emit() {
    data_.time = model_.time();
    // Slots: fixed | stocks | other variables | derivatives | literals and temporaries.
    data_.stock_begin = data_.slot_count;
    data_.variable_begin = data_.slot_count;
    for (Node& n : nodes_) {
      if (n.kind != NodeKind::Stock) continue;
      n.state_index = data_.stock_count++;
      n.slot = new_slot();
      data_.non_negative.push_back(n.non_negative ? 1 : 0);
    }
    for (Node& n : nodes_)
      if (n.kind != NodeKind::Stock && n.kind != NodeKind::Builtin) n.slot = new_slot();
    data_.variable_end = data_.slot_count;
    data_.slot_names.resize(static_cast<std::size_t>(data_.variable_end - data_.variable_begin));
    for (const Node& n : nodes_)
      if (n.kind != NodeKind::Builtin)
        data_.slot_names[static_cast<std::size_t>(n.slot - data_.variable_begin)] =
            n.internal ? n.variable + " (inside " + n.name.substr(n.variable.size() + 1) + ")"
                       : n.name;
    data_.derivative_begin = data_.slot_count;
    data_.slot_count += data_.stock_count;

    for (const Node& n : nodes_) {
      if (n.kind != NodeKind::Constant) continue;
      ParameterInfo p;
      p.name = n.name;
      p.value = n.constant;
      p.units = n.units;
      data_.parameters.push_back(p);
      data_.parameter_slots.push_back(n.slot);
    }

    for (int id : init_order_) {
      const Node& n = nodes_[static_cast<std::size_t>(id)];
      if (n.kind == NodeKind::Builtin || n.kind == NodeKind::Constant) continue;
      emit_value(n, data_.init_code, true);
    }
    for (int id : run_order_) emit_value(nodes_[static_cast<std::size_t>(id)], data_.step_code);
    for (const Node& n : nodes_)
      if (n.kind == NodeKind::Stock)
        emit(n.derivative, data_.step_code, data_.derivative_begin + n.state_index);

    for (const Node& n : nodes_) {
      if (n.kind == NodeKind::Previous)
        data_.previous.push_back({n.slot, nodes_[static_cast<std::size_t>(n.source)].slot});
      if (n.kind == NodeKind::Delay) {
        detail::PipelineDelay d;
        d.slot = n.slot;
        d.input = nodes_[static_cast<std::size_t>(n.source)].slot;
        d.delay_time = nodes_[static_cast<std::size_t>(n.delay_time)].slot;
        d.initial = n.slot;  // the initial value is computed into the delay's own slot
        data_.delays.push_back(d);
      }
    }

    // Outputs: every named variable, grouped by arrayed variable.
    for (const Variable& v : model_.variables()) {
      const auto it = variables_.find(canonical_name(v.name));
      if (it == variables_.end()) continue;
      const VariableNodes& vn = it->second;
      std::vector<std::int32_t> group;
      int count = 1;
      for (const Dimension* d : vn.dims) count *= static_cast<int>(d->elements.size());
      for (int k = 0; k < count; ++k) {
        const Node& n = nodes_[static_cast<std::size_t>(vn.first + k)];
        OutputInfo o;
        o.name = n.name;
        o.variable = v.name;
        o.units = v.units;
        o.kind = v.kind == VariableKind::Auxiliary && n.kind == NodeKind::Constant
                     ? VariableKind::Constant
                     : v.kind;
        group.push_back(static_cast<std::int32_t>(data_.outputs.size()));
        data_.outputs.push_back(o);
        data_.output_slots.push_back(n.slot);
      }
      data_.output_groups.emplace_back(canonical_name(v.name), std::move(group));
    }
  }

  const Model& model_;
  ProgramData data_;
  std::vector<Node> nodes_;
  int named_node_count_ = 0;
  std::map<std::string, VariableNodes> variables_;
  std::map<std::string, int> tables_;
  std::map<std::uint64_t, std::int32_t> literal_slots_;
  std::vector<int> init_order_;
  std::vector<int> run_order_;
  std::string current_owner_;
  bool in_reduction_ = false;
};

}  // namespace

Program compile_model(const Model& model) { return Compiler(model).run(); }

}  // namespace h2sim
