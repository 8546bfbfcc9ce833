// Step 2 of the compiler: lowering. Each element's equation becomes a tree of instructions
// over node ids. Calls of builtins are lowered by the builtin's own entry in the registry
// (src/builtins/builtins.cpp) through CallLowering, this file's LowerCall.
#include <algorithm>
#include <cctype>
#include <cmath>
#include <map>
#include <optional>

#include "compile/compiler.hpp"
#include "core/text.hpp"
#include "h2sim/error.hpp"
#include "h2sim/limits.hpp"
#include "program/kernel.hpp"

namespace h2sim::detail {

namespace {

std::string upper(std::string s) {
  for (char& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return s;
}

// One call of a builtin, as its lowering sees it.
class CallLowering final : public LowerCall {
 public:
  CallLowering(Compiler& compiler, const ResolvedExpr& call, const Context& ctx, const Site& site)
      : c_(compiler),
        call_(call),
        ctx_(ctx),
        site_(site),
        function_(upper(call.name)),
        args_(call.args.size()) {}

  std::size_t argc() const override { return call_.args.size(); }
  const std::string& function() const override { return function_; }

  LoweredPtr arg(std::size_t i) override {
    if (!args_[i]) args_[i] = c_.lower(*call_.args[i], ctx_, site_);
    return args_[i];
  }
  std::vector<LoweredPtr> elements(std::size_t i) override {
    expect_range(i);
    return c_.reduction_terms(*call_.args[i], ctx_, site_);
  }
  LoweredPtr number(double value) override { return detail::number(value); }
  LoweredPtr apply(Op op, std::vector<LoweredPtr> args) override {
    return c_.apply(op, std::move(args));
  }
  LoweredPtr clock(Clock which) override { return ref(kTimeNode + static_cast<int>(which)); }

  LoweredPtr lookup(std::size_t table, LoweredPtr x) override {
    auto l = std::make_shared<Lowered>();
    l->kind = Lowered::Kind::Lookup;
    l->table = c_.table_of(*call_.args[table], ctx_, site_);
    l->args = {std::move(x)};
    return l;
  }

  int whole_number(std::size_t i, const std::string& what, int low, int high) override {
    // It fixes the structure (how many stages), so it is taken at the start time, as Vensim
    // does; the constants it reads become structural: lanes cannot change them.
    std::vector<int> read;
    const auto v = c_.value_at_start(arg(i), read);
    if (!v)
      c_.fail(function_ + ": the " + what +
                  " must follow from numbers and constants (it is fixed at the start)",
              site_, call_.column);
    if (*v < low || *v != std::floor(*v) || *v > high)
      c_.fail(function_ + ": the " + what + " must be a whole number from " + std::to_string(low) +
                  " to " + std::to_string(high),
              site_, call_.column);
    for (int node : read) c_.note_structural(node);
    return static_cast<int>(*v);
  }

  LoweredPtr stock(const std::string& label, LoweredPtr initial) override {
    return ref(c_.internal_node(NodeKind::Stock, label, std::move(initial)));
  }
  void set_derivative(const LoweredPtr& stock, LoweredPtr derivative) override {
    c_.node(stock->node).derivative = std::move(derivative);
  }
  LoweredPtr held(LoweredPtr x, const std::string& label) override {
    if (x->kind == Lowered::Kind::Number || x->kind == Lowered::Kind::Ref) return x;
    return ref(c_.as_node(x, label));
  }
  LoweredPtr initial_value(LoweredPtr x) override {
    return ref(c_.internal_node(NodeKind::Initial, "init", std::move(x)));
  }
  LoweredPtr held_initial(LoweredPtr x) override {
    if (x->kind == Lowered::Kind::Number || x->kind == Lowered::Kind::Ref) return x;
    return ref(c_.internal_node(NodeKind::Initial, "initial", std::move(x)));
  }
  LoweredPtr previous(LoweredPtr x, LoweredPtr initial) override {
    const int id = c_.internal_node(NodeKind::Previous, "previous", std::move(initial));
    const int source = c_.as_node(x, "previous_input");
    c_.node(id).source = source;
    return ref(id);
  }
  LoweredPtr pipeline_delay(LoweredPtr input, LoweredPtr delay_time, LoweredPtr initial) override {
    const int id = c_.internal_node(NodeKind::Delay, "pipeline_delay", std::move(initial));
    const int source = c_.as_node(input, "delay_input");
    const int time = c_.as_node(delay_time, "delay_time");
    c_.node(id).source = source;
    c_.node(id).delay_time = time;
    return ref(id);
  }
  LoweredPtr active_initial(LoweredPtr value, LoweredPtr initial) override {
    const int id = c_.internal_node(NodeKind::Auxiliary, "active_initial", std::move(value));
    c_.node(id).initial_value = std::move(initial);
    return ref(id);
  }
  LoweredPtr self() override { return ref(c_.current_node()); }

  std::size_t size(std::size_t i) override {
    expect_range(i);
    return c_.element_count(*call_.args[i], ctx_);
  }

  std::vector<LoweredPtr> vector(std::size_t i) override {
    const int d = vector_dimension(i);
    if (d < 0) return {arg(i)};  // a scalar: a vector of one
    std::vector<LoweredPtr> terms;
    Context inner = ctx_;
    for (std::size_t k = 0; k < c_.dimension_size(d); ++k) {
      inner[static_cast<std::size_t>(d)] = static_cast<int>(k);
      terms.push_back(c_.lower(*call_.args[i], inner, site_));
    }
    return terms;
  }
  std::size_t vector_position(std::size_t i) override {
    const int d = vector_dimension(i);
    if (d < 0) return 0;
    if (ctx_[static_cast<std::size_t>(d)] >= 0)
      return static_cast<std::size_t>(ctx_[static_cast<std::size_t>(d)]);
    // The equation is arrayed by another dimension of that size (Vensim's `scompany` for
    // `company`): the position of its element.
    std::vector<int> used;
    const int k = c_.positional_element(d, ctx_, used);
    if (k < 0)
      c_.fail(function_ + " works along '" + c_.dimension_name(d) +
                  "', but this equation is not arrayed by it (nor by a dimension of its size)",
              site_, call_.column);
    cleared_.insert(cleared_.end(), used.begin(), used.end());
    return static_cast<std::size_t>(k);
  }

  std::vector<LoweredPtr> flat(std::size_t i) override {
    if (call_.args[i]->kind != ResolvedExpr::Kind::Variable) return {arg(i)};
    const ResolvedExpr& a = *call_.args[i];
    std::vector<LoweredPtr> out;
    for (int n : c_.nodes_of(a.variable)) out.push_back(ref(n));
    return out;
  }
  std::size_t flat_position(std::size_t i) override {
    if (call_.args[i]->kind != ResolvedExpr::Kind::Variable) return 0;
    const ResolvedExpr& a = *call_.args[i];
    return static_cast<std::size_t>(c_.referenced_position(a, ctx_, site_));
  }

  LoweredPtr shared(const std::string& label, const std::function<LoweredPtr()>& make) override {
    Context key = ctx_;
    for (int d : cleared_) key[static_cast<std::size_t>(d)] = -1;
    return c_.shared_value(&call_, key, label, make);
  }

 private:
  // An argument whose elements a lowering takes must be one its builtin says it ranges over:
  // the dimensions an enclosing array function ranges over leave that argument's out.
  void expect_range(std::size_t i) const {
    const Builtin& b = *call_.builtin;
    if (b.ranges_over == nullptr || !b.ranges_over(call_.args.size(), i))
      c_.fail("internal error: " + function_ + " takes the elements of argument " +
                  std::to_string(i + 1) + " but its registry entry does not say it ranges over it",
              site_, call_.column);
  }

  // The dimension argument i works along (see LowerCall::vector), -1 for a scalar; it is
  // left out of the key of shared values.
  int vector_dimension(std::size_t i) {
    const int d = c_.last_dimension(*call_.args[i]);
    if (d >= 0) cleared_.push_back(d);
    return d;
  }

  Compiler& c_;
  const ResolvedExpr& call_;
  const Context& ctx_;
  const Site& site_;
  std::string function_;
  std::vector<LoweredPtr> args_;
  std::vector<int> cleared_;  // dimensions a vector function works along
};

}  // namespace

void Compiler::lower_all() {
  for (int i = kClockNodes; i < named_node_count_; ++i) {
    if (node(i).kind == NodeKind::Constant) continue;
    const ResolvedVariable& v = model_.variables[static_cast<std::size_t>(node(i).variable)];
    Context ctx(model_.dimensions.size(), -1);
    for (std::size_t d = 0; d < v.dimensions.size(); ++d)
      ctx[static_cast<std::size_t>(v.dimensions[d])] = node(i).element[d];
    const ResolvedEquation& eq = *v.equation_for(node(i).element);
    // A per-element equation written for a subrange knows that subrange's element too.
    for (std::size_t d = 0; d < v.dimensions.size(); ++d) {
      const int sub = eq.subranges[d];
      if (sub < 0) continue;
      const ResolvedDimension& own = model_.dimensions[static_cast<std::size_t>(v.dimensions[d])];
      const int k = model_.dimensions[static_cast<std::size_t>(sub)].find_element(
          own.element_keys[static_cast<std::size_t>(node(i).element[d])]);
      if (k >= 0) ctx[static_cast<std::size_t>(sub)] = k;
    }
    const Site site{node(i).variable, node(i).name, eq.text};
    current_owner_ = node(i).name;
    current_variable_ = node(i).variable;
    current_node_ = i;
    LoweredPtr value = lower(*eq.expr, ctx, site);
    const bool of_time_alone = value->kind == Lowered::Kind::Ref && value->node == kTimeNode;
    const int table = v.table_for(node(i).element);
    if (table >= 0 && v.kind == VariableKind::Auxiliary && of_time_alone) {
      value = schedule(i, table);  // a table over time: a run may bind its own
    } else if (table >= 0 && v.kind != VariableKind::Stock) {
      auto l = std::make_shared<Lowered>();
      l->kind = Lowered::Kind::Lookup;
      l->table = table;
      l->args = {value};
      value = l;
    }
    node(i).value = value;
    if (v.kind == VariableKind::Stock) node(i).derivative = stock_derivative(v, ctx, site);
  }
}

// A table read at TIME (a scheduled lever): schedule k of the program, whose table each run
// binds (the model's unless the run gives its own).
LoweredPtr Compiler::schedule(int node_id, int table) {
  const Node& n = node(node_id);
  const ResolvedVariable& v = model_.variables[static_cast<std::size_t>(n.variable)];
  ScheduleInfo info;
  info.name = n.name;
  info.variable = v.name();
  info.units = v.source->units;
  info.table = *model_.tables[static_cast<std::size_t>(table)];
  data_.schedules.push_back(std::move(info));
  data_.schedule_lookups.push_back(table);
  schedule_nodes_.push_back(node_id);
  auto l = std::make_shared<Lowered>();
  l->kind = Lowered::Kind::Schedule;
  l->table = static_cast<int>(data_.schedules.size()) - 1;
  l->args = {ref(kTimeNode)};
  return l;
}

LoweredPtr Compiler::stock_derivative(const ResolvedVariable& v, const Context& ctx,
                                      const Site& site) {
  LoweredPtr sum;
  auto add_term = [&](int flow, bool inflow) {
    const ResolvedVariable& f = model_.variables[static_cast<std::size_t>(flow)];
    const Site flow_site{site.variable, site.label, (inflow ? "inflow " : "outflow ") + f.name()};
    ResolvedExpr reference;
    reference.kind = ResolvedExpr::Kind::Variable;
    reference.variable = flow;
    reference.name = f.key;
    const LoweredPtr term = lower(reference, ctx, flow_site);
    if (!sum)
      sum = inflow ? term : apply(Op::Neg, {term});
    else
      sum = apply(inflow ? Op::Add : Op::Sub, {sum, term});
  };
  for (int f : v.inflows) add_term(f, true);
  for (int f : v.outflows) add_term(f, false);
  return sum ? sum : number(0.0);
}

// Applies an operator, folding it when every argument is a number. Folding runs the same
// kernel as a run, so folded and unfolded values agree to the bit.
LoweredPtr Compiler::apply(Op op, std::vector<LoweredPtr> args) {
  const bool time_dependent = op == Op::Step || op == Op::Ramp || op == Op::Pulse;
  const bool all_numbers = std::all_of(args.begin(), args.end(), [](const LoweredPtr& a) {
    return a->kind == Lowered::Kind::Number;
  });
  if (all_numbers && !time_dependent) {
    Block<1> slots[4];
    for (auto& s : slots) s[0] = 0;
    Instruction in;
    in.op = op;
    in.dst = 3;
    in.a = 0;
    in.b = args.size() > 1 ? 1 : 0;
    in.c = args.size() > 2 ? 2 : 0;
    for (std::size_t i = 0; i < args.size(); ++i) slots[i][0] = args[i]->number;
    execute<1>(data_, &in, 1, slots);
    return number(slots[3][0]);
  }
  // x / 2^k is x * 2^-k to the bit (both round the same real number once, and agree on
  // zeros, infinities and NaN), and a multiplication costs a fraction of a division, which is
  // what the hydrogen model's step spends most on (its aging chains divide by 4).
  if (op == Op::Div && args[1]->kind == Lowered::Kind::Number) {
    int exponent = 0;
    const double mantissa = std::frexp(args[1]->number, &exponent);
    if ((mantissa == 0.5 || mantissa == -0.5) && exponent > -1020 && exponent < 1020) {
      op = Op::Mul;
      args[1] = number(std::ldexp(mantissa < 0 ? -2.0 : 2.0, -exponent));
    }
  }
  auto l = std::make_shared<Lowered>();
  l->kind = Lowered::Kind::Apply;
  l->op = op;
  l->args = std::move(args);
  return l;
}

LoweredPtr Compiler::lower(const ResolvedExpr& e, const Context& ctx, const Site& site) {
  using Kind = ResolvedExpr::Kind;
  if (++lowered_terms_ > max_lowered_terms_)
    fail(limit_message(Limit::CompiledTerms,
                       "with its array functions unrolled (one inside another is unrolled once "
                       "for each element of the outer one), the model's equations reach " +
                           std::to_string(lowered_terms_) + " terms"),
         site);
  switch (e.kind) {
    case Kind::Number:
      return number(e.number);
    case Kind::Variable:
      return lower_variable(e, ctx, site);
    case Kind::DimensionPosition:
      return lower_dimension_position(e, ctx, site);
    case Kind::Unary: {
      LoweredPtr a = lower(*e.args[0], ctx, site);
      if (e.unary == UnaryOp::Plus) return a;
      return apply(e.unary == UnaryOp::Neg ? Op::Neg : Op::Not, {a});
    }
    case Kind::Binary: {
      static const std::map<BinaryOp, Op> ops = {
          {BinaryOp::Add, Op::Add}, {BinaryOp::Sub, Op::Sub}, {BinaryOp::Mul, Op::Mul},
          {BinaryOp::Div, Op::Div}, {BinaryOp::Pow, Op::Pow}, {BinaryOp::Lt, Op::Lt},
          {BinaryOp::Le, Op::Le},   {BinaryOp::Gt, Op::Gt},   {BinaryOp::Ge, Op::Ge},
          {BinaryOp::Eq, Op::Eq},   {BinaryOp::Ne, Op::Ne},   {BinaryOp::And, Op::And},
          {BinaryOp::Or, Op::Or},   {BinaryOp::Mod, Op::Mod}};
      LoweredPtr a = lower(*e.args[0], ctx, site);
      LoweredPtr b = lower(*e.args[1], ctx, site);
      return apply(ops.at(e.binary), {a, b});
    }
    case Kind::If: {
      LoweredPtr c = lower(*e.args[0], ctx, site);
      LoweredPtr a = lower(*e.args[1], ctx, site);
      LoweredPtr b = lower(*e.args[2], ctx, site);
      if (c->kind == Lowered::Kind::Number) return c->number != 0 ? a : b;
      return apply(Op::Select, {c, a, b});
    }
    case Kind::Call:
      return lower_call(e, ctx, site);
    case Kind::Lookup:
      return lower_lookup(e, ctx, site);
    case Kind::Table:
      break;  // only as an argument that a builtin reads as a table
  }
  fail("internal error: an expression that cannot be lowered", site, e.column);
}

std::string Compiler::variable_suggestion(const std::string& name) const {
  std::vector<std::string> names;
  for (const ResolvedVariable& v : model_.variables) names.push_back(v.name());
  const std::string best = closest_name(name, names);
  return best.empty() ? std::string() : " (did you mean '" + best + "'?)";
}

LoweredPtr Compiler::lower_call(const ResolvedExpr& e, const Context& ctx, const Site& site) {
  // A node of its own is worth it where the call would be lowered more than once: for each
  // element of an arrayed variable, or of an array function around it. (A scalar's SUM stays
  // the variable's own value, so a run-time error names the variable alone.)
  const bool repeated =
      in_reduction_ ||
      (current_variable_ >= 0 &&
       model_.variables[static_cast<std::size_t>(current_variable_)].element_count > 1);
  const bool once = repeated && computed_once(e);
  if (once) {
    if (const auto it = once_.find(&e); it != once_.end()) return it->second;
  }
  CallLowering call(*this, e, ctx, site);
  const std::string outer = current_function_;
  current_function_ = call.function();
  LoweredPtr value = e.builtin->lower(call);
  if (once && value->kind != Lowered::Kind::Number && value->kind != Lowered::Kind::Ref) {
    // Named after the variable, not the element: every element reads it.
    const std::string owner = current_owner_;
    current_owner_ = model_.variables[static_cast<std::size_t>(current_variable_)].name();
    value = ref(internal_node(NodeKind::Auxiliary, e.name, value));
    current_owner_ = owner;
  }
  current_function_ = outer;
  if (once) once_.emplace(&e, value);
  return value;
}

// An array function that reads nothing of the element context has one value for every element
// of the equation (share[d] = v[d] / SUM(v[*])) and for every element of an array function
// around it (SUM(v[*] + SUM(v[*]))): it is computed once, in a node of its own, instead of
// being unrolled again for each (n^2 terms for n elements; n^k for k nested levels).
bool Compiler::computed_once(const ResolvedExpr& call) {
  const Builtin& b = *call.builtin;
  if (b.ranges_over == nullptr || call.args.empty()) return false;
  for (std::size_t i = 0; i < call.args.size(); ++i)
    if (!b.ranges_over(call.args.size(), i) || !reads_no_context(*call.args[i])) return false;
  return true;
}

// Whether lowering `e` gives the same in every element context: numbers, operators, scalar
// variables, variables whose every subscript is `*` or a fixed element (the array function
// around them sets the `*`), and array functions of those. Anything else may read the
// context (a dimension's name, an arrayed name without subscripts, a computed subscript) or
// make state of the element's own (SMTH1, PREVIOUS): it is lowered per element.
bool Compiler::reads_no_context(const ResolvedExpr& e) {
  if (const auto it = context_free_.find(&e); it != context_free_.end()) return it->second;
  using Kind = ResolvedExpr::Kind;
  bool free = false;
  switch (e.kind) {
    case Kind::Number:
      free = true;
      break;
    case Kind::Variable: {
      const ResolvedVariable& v = model_.variables[static_cast<std::size_t>(e.variable)];
      free = e.subscripts.size() == v.dimensions.size();
      for (const ResolvedSubscript& s : e.subscripts)
        free = free && (s.kind == ResolvedSubscript::Kind::Element ||
                        s.kind == ResolvedSubscript::Kind::Wildcard);
      break;
    }
    case Kind::Unary:
    case Kind::Binary:
    case Kind::If:
      free = true;
      for (const auto& a : e.args) free = free && reads_no_context(*a);
      break;
    case Kind::Call:
      free = computed_once(e);
      break;
    default:
      break;
  }
  context_free_.emplace(&e, free);
  return free;
}

// SUM/MEAN/MIN/MAX/PROD over the open dimensions of `arg`: the terms, unrolled.
std::vector<LoweredPtr> Compiler::reduction_terms(const ResolvedExpr& arg, const Context& ctx,
                                                  const Site& site) {
  std::vector<bool> bound(ctx.size());
  for (std::size_t d = 0; d < ctx.size(); ++d) bound[d] = ctx[d] >= 0;
  const std::vector<int> open = open_dimensions(model_, arg, bound);
  std::vector<LoweredPtr> terms;
  if (open.empty()) {
    terms.push_back(lower(arg, ctx, site));
    return terms;
  }
  const bool outer = in_reduction_;
  in_reduction_ = true;
  std::vector<std::size_t> sizes;
  for (int d : open) sizes.push_back(model_.dimensions[static_cast<std::size_t>(d)].size());
  for_each_element(sizes, [&](const std::vector<int>& element) {
    Context inner = ctx;
    for (std::size_t d = 0; d < open.size(); ++d)
      inner[static_cast<std::size_t>(open[d])] = element[d];
    terms.push_back(lower(arg, inner, site));
  });
  in_reduction_ = outer;
  return terms;
}

}  // namespace h2sim::detail

namespace h2sim::detail {

std::optional<double> Compiler::value_at_start(const LoweredPtr& l,
                                               std::vector<int>& read) const {
  std::unordered_map<const Lowered*, double> known;
  return value_at_start(l, read, 0, known);
}

// A value found is remembered (it does not depend on the path to it); a part without one ends
// the whole walk, so it is met once.
std::optional<double> Compiler::value_at_start(
    const LoweredPtr& l, std::vector<int>& read, int depth,
    std::unordered_map<const Lowered*, double>& known) const {
  if (depth > 100) return std::nullopt;
  if (const auto it = known.find(l.get()); it != known.end()) return it->second;
  const std::optional<double> value = value_here(l, read, depth, known);
  if (value) known.emplace(l.get(), *value);
  return value;
}

std::optional<double> Compiler::value_here(
    const LoweredPtr& l, std::vector<int>& read, int depth,
    std::unordered_map<const Lowered*, double>& known) const {
  const TimeSettings& time = model_.time();
  switch (l->kind) {
    case Lowered::Kind::Number:
      return l->number;
    case Lowered::Kind::Ref: {
      const Node& n = node(l->node);
      switch (l->node - kTimeNode) {
        case static_cast<int>(Clock::Time):
        case static_cast<int>(Clock::Start):
          return time.start;
        case static_cast<int>(Clock::Dt):
          return time.dt;
        case static_cast<int>(Clock::Stop):
          return time.stop;
        default:
          break;
      }
      if (n.kind == NodeKind::Constant) {
        read.push_back(l->node);
        return n.constant;
      }
      if (n.kind == NodeKind::Auxiliary && n.value && !n.initial_value)
        return value_at_start(n.value, read, depth + 1, known);
      return std::nullopt;
    }
    case Lowered::Kind::Lookup: {
      const auto x = value_at_start(l->args[0], read, depth + 1, known);
      if (!x) return std::nullopt;
      return lookup_value(data_, l->table, *x);
    }
    case Lowered::Kind::Schedule:
      return std::nullopt;  // each run binds its own table
    case Lowered::Kind::Apply: {
      // The kernel computes it, as it would at the start time (STEP and RAMP included).
      Block<1> slots[kFixedSlots + 4];
      for (auto& s : slots) s[0] = 0;
      slots[kTimeSlot][0] = slots[kStepTimeSlot][0] = slots[kStartSlot][0] = time.start;
      slots[kDtSlot][0] = time.dt;
      slots[kStopSlot][0] = time.stop;
      Instruction in;
      in.op = l->op;
      in.dst = kFixedSlots + 3;
      in.a = kFixedSlots;
      in.b = kFixedSlots + (l->args.size() > 1 ? 1 : 0);
      in.c = l->args.size() > 2 ? kFixedSlots + 2 : -1;
      for (std::size_t i = 0; i < l->args.size(); ++i) {
        const auto v = value_at_start(l->args[i], read, depth + 1, known);
        if (!v) return std::nullopt;
        slots[kFixedSlots + i][0] = *v;
      }
      execute<1>(data_, &in, 1, slots);
      return slots[kFixedSlots + 3][0];
    }
  }
  return std::nullopt;
}

}  // namespace h2sim::detail
