// compile_model: Model -> ResolvedModel -> Program. compiler.hpp lists the steps; this file
// has the first (every variable's elements become nodes) and runs the others.
#include "compile/compiler.hpp"

#include "h2sim/compile.hpp"
#include "h2sim/error.hpp"
#include "h2sim/limits.hpp"
#include "program/access.hpp"

namespace h2sim {

namespace detail {

LoweredPtr number(double v) {
  auto l = std::make_shared<Lowered>();
  l->number = v;
  return l;
}

LoweredPtr ref(int node) {
  auto l = std::make_shared<Lowered>();
  l->kind = Lowered::Kind::Ref;
  l->node = node;
  return l;
}

Lowered::~Lowered() {
  std::vector<LoweredPtr> pending = std::move(args);
  while (!pending.empty()) {
    LoweredPtr last = std::move(pending.back());
    pending.pop_back();
    // The last owner of a node takes its arguments over, so that freeing it frees no more.
    if (last && last.use_count() == 1) {
      auto& children = const_cast<Lowered&>(*last).args;
      for (auto& child : children) pending.push_back(std::move(child));
      children.clear();
    }
  }
}

// In the order a recursive walk would give (first argument first), without recursion.
void collect_refs(const LoweredPtr& l, std::vector<int>& out) {
  for_each_part(l, [&](const Lowered& x) {
    if (x.kind == Lowered::Kind::Ref) out.push_back(x.node);
    return true;
  });
}

Program Compiler::run() {
  max_lowered_terms_ = limit(Limit::CompiledTerms);
  make_clock_nodes();
  register_tables();
  expand_variables();
  lower_all();
  order_initialisation();
  classify_dynamic();
  order_run();
  allocate_slots();
  emit_code();
  emit_outputs();
  reuse_temporaries();
  return ProgramAccess::make(std::make_shared<const ProgramData>(std::move(data_)));
}

void Compiler::fail(const std::string& message, const Site& site, int column) const {
  Location where;
  if (site.variable >= 0)
    where = model_.location(model_.variables[static_cast<std::size_t>(site.variable)], site.label);
  where.variable = site.label;
  where.equation = site.equation;
  where.column = column;
  throw ModelError(message, where);
}

int Compiler::add_node(Node n) {
  // Internal stocks and delays (SMTHN of order 1000 on every element, say) count too.
  if (nodes_.size() >= limit(Limit::Elements) + kClockNodes) {
    Location where;
    if (current_variable_ >= 0)
      where = model_.location(model_.variables[static_cast<std::size_t>(current_variable_)],
                              current_owner_);
    throw ModelError(
        limit_message(Limit::Elements, "the model expands to more than " +
                                           std::to_string(limit(Limit::Elements)) +
                                           " values (internal stocks of SMTH, DELAY and TREND "
                                           "included)"),
        where);
  }
  nodes_.push_back(std::move(n));
  return static_cast<int>(nodes_.size()) - 1;
}

// Internal state of the element being lowered, named "<element>.<label>".
int Compiler::internal_node(NodeKind kind, const std::string& label, LoweredPtr value) {
  Node n;
  n.kind = kind;
  n.internal = true;
  n.name = current_owner_ + "." + label;
  n.owner = current_owner_;
  n.function = current_function_;
  n.variable = current_variable_;
  n.value = std::move(value);
  return add_node(std::move(n));
}

// A node holding an expression, so that the simulator can read it from a slot.
int Compiler::as_node(const LoweredPtr& l, const std::string& label) {
  if (l->kind == Lowered::Kind::Ref) return l->node;
  return internal_node(NodeKind::Auxiliary, label, l);
}

// The graphical functions, first: folding a lookup at the start time reads them.
void Compiler::register_tables() {
  for (const GraphicalFunction* table : model_.tables) {
    const GraphicalFunction& gf = *table;
    LookupTable t;
    t.offset = static_cast<std::int32_t>(data_.lookup_x.size());
    t.count = static_cast<std::int32_t>(gf.x.size());
    t.interpolation = gf.interpolation;
    data_.lookup_x.insert(data_.lookup_x.end(), gf.x.begin(), gf.x.end());
    data_.lookup_y.insert(data_.lookup_y.end(), gf.y.begin(), gf.y.end());
    data_.lookups.push_back(t);
  }
}

void Compiler::make_clock_nodes() {
  static const char* const names[kClockNodes] = {"TIME", "DT", "STARTTIME", "STOPTIME"};
  static const std::int32_t slots[kClockNodes] = {kTimeSlot, kDtSlot, kStartSlot, kStopSlot};
  for (int i = 0; i < kClockNodes; ++i) {
    Node n;
    n.kind = NodeKind::Clock;
    n.name = names[i];
    n.internal = true;
    n.slot = slots[i];
    add_node(n);
  }
  node(kTimeNode).dynamic = true;
}

// A constant is an auxiliary whose equation is a number (or a negative one).
static bool constant_value(const ResolvedExpr& e, double* value) {
  if (e.kind == ResolvedExpr::Kind::Number) {
    *value = e.number;
    return true;
  }
  if (e.kind == ResolvedExpr::Kind::Unary && e.unary == UnaryOp::Neg &&
      e.args[0]->kind == ResolvedExpr::Kind::Number) {
    *value = -e.args[0]->number;
    return true;
  }
  return false;
}

void Compiler::expand_variables() {
  first_node_.assign(model_.variables.size(), -1);
  for (std::size_t index = 0; index < model_.variables.size(); ++index) {
    const ResolvedVariable& v = model_.variables[index];
    if (v.lookup_only) continue;
    first_node_[index] = static_cast<int>(nodes_.size());
    std::vector<std::size_t> sizes;
    for (int d : v.dimensions)
      sizes.push_back(model_.dimensions[static_cast<std::size_t>(d)].size());
    for_each_element(sizes, [&](const std::vector<int>& element) {
      Node n;
      n.variable = static_cast<int>(index);
      n.name = model_.element_label(v, element);
      n.owner = v.name();
      n.element = element;
      const ResolvedExpr& e = *v.equation_for(element)->expr;
      switch (v.kind) {
        case VariableKind::Stock:
          n.kind = NodeKind::Stock;
          n.non_negative = v.source->non_negative;
          break;
        case VariableKind::Flow:
          n.kind = NodeKind::Auxiliary;
          n.uniflow = v.source->non_negative;
          break;
        case VariableKind::Auxiliary:
        case VariableKind::Constant:
          n.kind = NodeKind::Auxiliary;
          if (v.table_for(element) < 0 && constant_value(e, &n.constant))
            n.kind = NodeKind::Constant;
          break;
      }
      add_node(std::move(n));
    });
  }
  named_node_count_ = static_cast<int>(nodes_.size());
}

}  // namespace detail

Program compile_model(const Model& model) {
  const detail::ResolvedModel resolved = detail::resolve(model);
  return compile(resolved);
}

Program detail::compile(const ResolvedModel& model) { return Compiler(model).run(); }

}  // namespace h2sim
