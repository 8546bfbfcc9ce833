// Step 4 of the compiler: emission. Slots for every node, the lookup tables, then the
// instructions for initialisation and for one evaluation of the right-hand side, and what
// the simulator needs to report (outputs, parameters, where each variable is defined).
#include <algorithm>
#include <array>
#include <cstring>
#include <unordered_map>

#include "compile/compiler.hpp"

namespace h2sim::detail {

namespace {

std::string internal_kind(NodeKind kind) {
  switch (kind) {
    case NodeKind::Stock:
      return "stock";
    case NodeKind::Delay:
      return "delay";
    case NodeKind::Previous:
    case NodeKind::Initial:
      return "held value";
    default:
      return "value";
  }
}

}  // namespace

std::int32_t Compiler::literal_slot(double v) {
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

// Emits `l` into `code`; the result lands in `dst` when given, else in a new slot. Arguments
// first, in order, as a recursive walk would; but with an explicit stack, because a SUM over
// n elements is a chain n deep. A part with more than one owner (an argument a builtin reads
// twice) is emitted once and its slot read again: n nested QUANTUMs are 2^n paths through n
// parts. Slot reuse (slots.cpp) frees a temporary after its last read, so the slot stays.
std::int32_t Compiler::emit(const LoweredPtr& l, std::vector<Instruction>& code, std::int32_t dst) {
  struct Pending {
    const Lowered* l;
    std::int32_t dst;
    bool shared = false;
    std::size_t emitted = 0;                     // arguments emitted so far
    std::array<std::int32_t, 3> args{0, 0, -1};  // their slots
  };
  std::unordered_map<const Lowered*, std::int32_t> shared_results;
  std::vector<Pending> stack{{l.get(), dst, l.use_count() > 1}};
  for (;;) {
    Pending& p = stack.back();
    const Lowered& x = *p.l;
    const bool has_args = x.kind == Lowered::Kind::Apply || x.kind == Lowered::Kind::Lookup ||
                          x.kind == Lowered::Kind::Schedule;
    std::int32_t result = -1;
    bool computed = false;  // already in a slot: a shared part emitted before, or a leaf
    if (has_args && p.shared && p.emitted == 0) {
      if (const auto it = shared_results.find(p.l); it != shared_results.end()) {
        result = it->second;
        computed = true;
      }
    }
    if (!computed && has_args && p.emitted < x.args.size()) {
      const LoweredPtr& next = x.args[p.emitted];
      stack.push_back({next.get(), -1, next.use_count() > 1});  // invalidates p
      continue;
    }
    if (!computed) {
      switch (x.kind) {
        case Lowered::Kind::Number:
          result = literal_slot(x.number);
          computed = true;
          break;
        case Lowered::Kind::Ref:
          result = node(x.node).slot;
          computed = true;
          break;
        case Lowered::Kind::Lookup:
        case Lowered::Kind::Schedule: {  // both read table x.table at their argument
          Instruction in;
          in.op = x.kind == Lowered::Kind::Lookup ? Op::Lookup : Op::Schedule;
          in.dst = p.dst >= 0 ? p.dst : new_slot();
          in.a = p.args[0];
          in.b = x.table;
          code.push_back(in);
          result = in.dst;
          break;
        }
        case Lowered::Kind::Apply: {
          Instruction in;
          in.op = x.op;
          in.dst = p.dst >= 0 ? p.dst : new_slot();
          in.a = p.args[0];
          in.b = x.args.size() > 1 ? p.args[1] : p.args[0];
          in.c = x.args.size() > 2 ? p.args[2] : -1;
          code.push_back(in);
          note_breakpoints(x);
          result = in.dst;
          break;
        }
      }
      if (has_args && p.shared) shared_results.emplace(p.l, result);
    }
    if (computed && p.dst >= 0 && p.dst != result) {
      Instruction in;
      in.op = Op::Copy;
      in.dst = p.dst;
      in.a = result;
      code.push_back(in);
      result = p.dst;
    }
    stack.pop_back();
    if (stack.empty()) return result;
    Pending& parent = stack.back();
    if (parent.emitted < parent.args.size()) parent.args[parent.emitted] = result;
    ++parent.emitted;
  }
}

// A static argument of STEP/RAMP/PULSE is a time the adaptive methods must stop at.
std::int32_t Compiler::static_slot(const LoweredPtr& l) {
  if (l->kind == Lowered::Kind::Number) return literal_slot(l->number);
  if (l->kind == Lowered::Kind::Ref && !node(l->node).dynamic) return node(l->node).slot;
  return -1;
}

void Compiler::note_breakpoints(const Lowered& l) {
  if (l.op == Op::Step || l.op == Op::Ramp) {
    for (std::size_t i = 1; i < l.args.size(); ++i)
      if (const auto s = static_slot(l.args[i]); s >= 0) data_.breakpoint_slots.push_back(s);
  } else if (l.op == Op::Pulse) {
    const auto first = static_slot(l.args[1]);
    const auto interval = l.args.size() > 2 ? static_slot(l.args[2]) : literal_slot(0);
    if (first >= 0 && interval >= 0) data_.pulse_breakpoints.emplace_back(first, interval);
  }
}

void Compiler::emit_value(const Node& n, std::vector<Instruction>& code, bool initial) {
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

// An auxiliary whose value is another node's, unchanged (`a = b`: a component's input bound
// to a variable outside it, most often), shares that node's slot rather than copying it at
// every evaluation. Returns the node whose slot it shares, or -1.
int Compiler::alias_of(const Node& n) const {
  if (n.kind != NodeKind::Auxiliary || n.uniflow || n.initial_value || !n.value ||
      n.value->kind != Lowered::Kind::Ref)
    return -1;
  int target = n.value->node;
  while (alias_of(node(target)) >= 0) target = node(target).value->node;
  return target;
}

// Slots: fixed | stocks | other variables | derivatives | literals and temporaries.
void Compiler::allocate_slots() {
  data_.time = model_.time();
  data_.stock_begin = data_.slot_count;
  data_.variable_begin = data_.slot_count;
  for (Node& n : nodes_) {
    if (n.kind != NodeKind::Stock) continue;
    n.state_index = data_.stock_count++;
    n.slot = new_slot();
    data_.non_negative.push_back(n.non_negative ? 1 : 0);
  }
  for (Node& n : nodes_)
    if (n.kind != NodeKind::Stock && n.kind != NodeKind::Clock && alias_of(n) < 0)
      n.slot = new_slot();
  for (Node& n : nodes_)
    if (const int target = alias_of(n); target >= 0) n.slot = node(target).slot;
  data_.variable_end = data_.slot_count;
  // For run-time errors: what each variable slot is, and where its variable is defined.
  const auto count = static_cast<std::size_t>(data_.variable_end - data_.variable_begin);
  data_.slot_names.resize(count);
  data_.slot_internals.resize(count);
  data_.slot_variables.assign(count, -1);
  for (const ResolvedVariable& v : model_.variables) {
    data_.variable_locations.push_back(model_.location(v, v.name()));
    data_.variable_equations.push_back(v.equation              ? v.equation->text
                                       : v.per_element.empty() ? ""
                                                               : v.per_element[0].text);
  }
  for (const Node& n : nodes_) {
    if (n.kind == NodeKind::Clock || alias_of(n) >= 0) continue;
    const auto k = static_cast<std::size_t>(n.slot - data_.variable_begin);
    // An error in a builtin's internal state names the user's variable, and what in it.
    data_.slot_names[k] = n.internal ? n.owner : n.name;
    if (n.internal)
      data_.slot_internals[k] = "the internal " + internal_kind(n.kind) + " '" +
                                n.name.substr(n.owner.size() + 1) + "'" +
                                (n.function.empty() ? "" : " of " + n.function);
    data_.slot_variables[k] = n.variable;
  }
  data_.derivative_begin = data_.slot_count;
  data_.slot_count += data_.stock_count;
  temporaries_begin_ = data_.slot_count;
}

void Compiler::emit_code() {
  for (std::size_t id = 0; id < nodes_.size(); ++id) {
    const Node& n = nodes_[id];
    if (n.kind != NodeKind::Constant) continue;
    ParameterInfo p;
    p.name = n.name;
    p.value = n.constant;
    p.units = model_.variables[static_cast<std::size_t>(n.variable)].source->units;
    p.structural = std::find(structural_.begin(), structural_.end(), static_cast<int>(id)) !=
                   structural_.end();
    p.lever = model_.variables[static_cast<std::size_t>(n.variable)].source->lever;
    data_.parameters.push_back(p);
    data_.parameter_slots.push_back(n.slot);
  }
  for (int id : init_order_) {
    const Node& n = node(id);
    if (n.kind == NodeKind::Clock || n.kind == NodeKind::Constant || alias_of(n) >= 0) continue;
    emit_value(n, data_.init_code, true);
  }
  for (int id : run_order_)
    if (alias_of(node(id)) < 0) emit_value(node(id), data_.step_code);
  for (const Node& n : nodes_)
    if (n.kind == NodeKind::Stock)
      emit(n.derivative, data_.step_code, data_.derivative_begin + n.state_index);
  for (const int id : schedule_nodes_) data_.schedule_slots.push_back(node(id).slot);
  emit_reads();

  for (const Node& n : nodes_) {
    if (n.kind == NodeKind::Previous) data_.previous.push_back({n.slot, node(n.source).slot});
    if (n.kind == NodeKind::Delay) {
      PipelineDelay d;
      d.slot = n.slot;
      d.input = node(n.source).slot;
      d.delay_time = node(n.delay_time).slot;
      d.initial = n.slot;  // the initial value is computed into the delay's own slot
      data_.delays.push_back(d);
    }
  }
}

// What each variable reads in the same instant, for messages that say which levers a computed
// variable depends on. Stocks, delays and PREVIOUS read nothing now: their values come from
// earlier times.
void Compiler::emit_reads() {
  const auto count = static_cast<std::size_t>(data_.variable_end - data_.variable_begin);
  std::vector<std::vector<std::int32_t>> reads(count);
  for (const Node& n : nodes_) {
    // An alias shares its target's slot and reads only the target: the target's entry says it.
    if (n.kind != NodeKind::Auxiliary || !n.value || alias_of(n) >= 0) continue;
    std::vector<int> refs;
    collect_refs(n.value, refs);
    auto& out = reads[static_cast<std::size_t>(n.slot - data_.variable_begin)];
    for (const int r : refs)
      if (node(r).kind != NodeKind::Clock) out.push_back(node(r).slot);
  }
  data_.read_offsets.push_back(0);
  for (const auto& r : reads) {
    data_.reads.insert(data_.reads.end(), r.begin(), r.end());
    data_.read_offsets.push_back(static_cast<std::int32_t>(data_.reads.size()));
  }
}

// Outputs: every variable with a value, grouped by arrayed variable.
void Compiler::emit_outputs() {
  for (std::size_t index = 0; index < model_.variables.size(); ++index) {
    const ResolvedVariable& v = model_.variables[index];
    if (first_node_[index] < 0) continue;
    std::vector<std::int32_t> group;
    for (std::size_t k = 0; k < v.element_count; ++k) {
      const Node& n = node(first_node_[index] + static_cast<int>(k));
      OutputInfo o;
      o.name = n.name;
      o.variable = v.name();
      o.units = v.source->units;
      o.kind = v.kind == VariableKind::Auxiliary && n.kind == NodeKind::Constant
                   ? VariableKind::Constant
                   : v.kind;
      group.push_back(static_cast<std::int32_t>(data_.outputs.size()));
      data_.outputs.push_back(o);
      data_.output_slots.push_back(n.slot);
    }
    data_.output_groups.emplace_back(v.key, std::move(group));
  }
}

}  // namespace h2sim::detail
