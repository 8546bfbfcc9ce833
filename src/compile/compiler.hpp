// The compiler's working state: ResolvedModel -> Program in four steps, each in its own file.
//
// 1. Expand (compiler.cpp): every variable becomes one node per element (scalars: one node).
// 2. Lower (lower.cpp): each equation is lowered in its element's context into a small tree
//    over node ids; array functions are unrolled (one that reads nothing of the element's
//    context once, into a node of its own that every element reads), builtins lowered through
//    the registry (which may add internal stock nodes for SMTH/DELAY/TREND and held nodes for
//    INIT/PREVIOUS/DELAY), literals fold.
// 3. Order (order.cpp): initial values in dependency order over every node; time-varying
//    auxiliaries in dependency order (a cycle is an algebraic loop, reported by name).
// 4. Emit (emit.cpp): slots for every node (an auxiliary that only copies another node
//    shares its slot), then instructions for initialisation and for one evaluation of the
//    right-hand side.
// 5. Reuse (slots.cpp): temporaries share slots once their value is used, so the slots of a
//    batch block stay few enough to stay in the processor's cache.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <tuple>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "builtins/registry.hpp"
#include "h2sim/program.hpp"
#include "program/program_data.hpp"
#include "resolve/resolved_model.hpp"

namespace h2sim::detail {

// An expression on its way to instructions.
struct Lowered {
  enum class Kind { Number, Ref, Apply, Lookup, Schedule } kind = Kind::Number;
  double number = 0;
  int node = -1;     // Ref
  Op op = Op::Copy;  // Apply
  int table = -1;    // Lookup: the table; Schedule: the schedule (its table is bound per run)
  std::vector<LoweredPtr> args;

  Lowered() = default;
  Lowered(const Lowered&) = default;
  Lowered& operator=(const Lowered&) = default;
  // Frees the tree without recursion: SUM over n elements is a chain n deep.
  ~Lowered();
};

enum class NodeKind { Clock, Constant, Auxiliary, Stock, Initial, Previous, Delay };

// One value the program holds: an element of a variable, or internal state of one.
struct Node {
  NodeKind kind = NodeKind::Auxiliary;
  std::string name;      // display name, "fleet[bus]"; internal nodes: owner + "." + label
  std::string owner;     // the element it belongs to ("fleet[bus]"), for messages
  std::string function;  // internal nodes: the builtin whose state it is ("SMTH1")
  int variable = -1;     // the model variable (index into ResolvedModel::variables)
  bool internal = false;
  bool uniflow = false;
  bool non_negative = false;
  std::vector<int> element;  // element index per dimension of the variable
  double constant = 0;       // Constant nodes
  LoweredPtr value;          // aux: equation; stock: initial; INIT/PREVIOUS/DELAY: initial
  LoweredPtr initial_value;  // ACTIVE INITIAL: the value at initialisation, when not `value`
  LoweredPtr derivative;     // stocks
  int source = -1;           // PREVIOUS: the node it remembers; DELAY: input node
  int delay_time = -1;       // DELAY: node of the delay time
  int slot = -1;
  int state_index = -1;
  bool dynamic = false;
};

inline constexpr int kTimeNode = 0;  // the clock nodes come first, in the order of Clock
inline constexpr int kClockNodes = 4;

// The equation being lowered, for error messages.
struct Site {
  int variable = -1;     // the model variable
  std::string label;     // the variable or element named in the message: "fleet[bus]"
  std::string equation;  // the equation text (or "inflow x")
};

// Which element of each dimension the equation being lowered stands for (-1: none).
using Context = std::vector<int>;

class Compiler {
 public:
  explicit Compiler(const ResolvedModel& model) : model_(model) {}
  Program run();

  // --- used by the registry's lowerings, through CallLowering (lower.cpp) --------------
  [[noreturn]] void fail(const std::string& message, const Site& site, int column = 0) const;
  LoweredPtr apply(Op op, std::vector<LoweredPtr> args);
  LoweredPtr lower(const ResolvedExpr& e, const Context& ctx, const Site& site);
  std::vector<LoweredPtr> reduction_terms(const ResolvedExpr& arg, const Context& ctx,
                                          const Site& site);
  int add_node(Node n);
  Node& node(int id) { return nodes_[static_cast<std::size_t>(id)]; }
  const Node& node(int id) const { return nodes_[static_cast<std::size_t>(id)]; }
  int internal_node(NodeKind kind, const std::string& label, LoweredPtr value);
  int as_node(const LoweredPtr& l, const std::string& label);
  void note_structural(int node) { structural_.push_back(node); }
  // The value `l` has at the start time, when it follows from numbers, constants and the
  // clock alone; the constants it read are added to `read`.
  std::optional<double> value_at_start(const LoweredPtr& l, std::vector<int>& read) const;
  // The graphical function a Table or Lookup expression names in `ctx` (subscripts.cpp).
  int table_of(const ResolvedExpr& e, const Context& ctx, const Site& site);
  // For array functions (arrays.cpp).
  int current_node() const { return current_node_; }
  std::size_t dimension_size(int d) const {
    return model_.dimensions[static_cast<std::size_t>(d)].size();
  }
  const std::string& dimension_name(int d) const {
    return model_.dimensions[static_cast<std::size_t>(d)].name;
  }
  std::size_t element_count(const ResolvedExpr& e, const Context& ctx) const;
  int last_dimension(const ResolvedExpr& e) const;
  std::vector<int> nodes_of(int variable) const;
  int referenced_position(const ResolvedExpr& e, const Context& ctx, const Site& site);
  LoweredPtr shared_value(const void* call, const Context& key, const std::string& label,
                          const std::function<LoweredPtr()>& make);
  int positional_element(int dimension, const Context& ctx, std::vector<int>& used) const;
  // Whether dimensions a and b may stand for each other by position: one size, and no element
  // names in common (or the same names in the same order); never two that share some names.
  bool positional_match(int a, int b) const;

 private:
  // compiler.cpp
  void make_clock_nodes();
  void register_tables();
  void expand_variables();
  // lower.cpp
  void lower_all();
  // value_at_start, remembering the values of the parts met so far (`known`): auxiliaries
  // that each read the one before twice are 2^n paths through n parts.
  std::optional<double> value_at_start(const LoweredPtr& l, std::vector<int>& read, int depth,
                                       std::unordered_map<const Lowered*, double>& known) const;
  std::optional<double> value_here(const LoweredPtr& l, std::vector<int>& read, int depth,
                                   std::unordered_map<const Lowered*, double>& known) const;
  LoweredPtr lower_call(const ResolvedExpr& e, const Context& ctx, const Site& site);
  bool computed_once(const ResolvedExpr& call);
  bool reads_no_context(const ResolvedExpr& e);
  LoweredPtr stock_derivative(const ResolvedVariable& v, const Context& ctx, const Site& site);
  std::string variable_suggestion(const std::string& name) const;
  // subscripts.cpp: which element a reference means
  LoweredPtr lower_variable(const ResolvedExpr& e, const Context& ctx, const Site& site);
  LoweredPtr lower_lookup(const ResolvedExpr& e, const Context& ctx, const Site& site);
  LoweredPtr lower_dimension_position(const ResolvedExpr& e, const Context& ctx, const Site& site);
  std::string context_element(int dimension, const Context& ctx) const;
  int map_element(int from, int position, int to) const;
  int element_in_context(int dimension, int own, const Context& ctx, std::vector<int>& used) const;
  std::vector<int> referenced_element(const ResolvedVariable& v,
                                      const std::vector<ResolvedSubscript>& subscripts,
                                      const ResolvedExpr& e, const Context& ctx, const Site& site,
                                      std::vector<std::pair<std::size_t, LoweredPtr>>* computed);
  int linear_index(const ResolvedVariable& v, const std::vector<int>& element) const;
  // order.cpp
  std::vector<int> topological_order(const std::vector<int>& members,
                                     const std::function<std::vector<int>(int)>& deps,
                                     const char* what) const;
  [[noreturn]] void report_loop(const std::vector<int>& path, int back_to, const char* what) const;
  std::vector<int> initial_dependencies(int id) const;
  void order_initialisation();
  void classify_dynamic();
  void order_run();
  // emit.cpp
  std::int32_t new_slot() { return data_.slot_count++; }
  std::int32_t literal_slot(double v);
  std::int32_t emit(const LoweredPtr& l, std::vector<Instruction>& code, std::int32_t dst = -1);
  std::int32_t static_slot(const LoweredPtr& l);
  void note_breakpoints(const Lowered& l);
  void emit_value(const Node& n, std::vector<Instruction>& code, bool initial = false);
  int alias_of(const Node& n) const;
  void allocate_slots();
  void emit_code();
  void emit_outputs();
  void emit_reads();
  LoweredPtr schedule(int node_id, int table);
  // slots.cpp
  void reuse_temporaries();

  const ResolvedModel& model_;
  ProgramData data_;
  std::vector<Node> nodes_;
  int named_node_count_ = 0;
  std::vector<int> first_node_;  // per model variable: its first node (-1: lookup table)
  mutable std::map<std::pair<int, int>, bool> positional_matches_;  // positional_match, cached
  std::map<std::uint64_t, std::int32_t> literal_slots_;
  std::vector<int> init_order_;
  std::vector<int> run_order_;
  std::vector<int> structural_;         // constant nodes whose value fixed the structure
  std::vector<int> schedule_nodes_;     // per schedule: the node whose value it is
  std::int32_t temporaries_begin_ = 0;  // literals and temporaries: slots from here
  std::string current_owner_;     // the element being lowered: internal nodes are named after it
  std::string current_function_;  // the builtin being lowered: internal nodes belong to it
  int current_variable_ = -1;
  int current_node_ = -1;
  bool in_reduction_ = false;
  // Terms lowered so far, all equations together: array functions nested in array functions
  // multiply them, so they are counted against Limit::CompiledTerms as they are made.
  std::size_t lowered_terms_ = 0;
  std::size_t max_lowered_terms_ = 0;  // the limit, read once per compile
  // Array functions computed once (computed_once), and their values: call -> value.
  std::unordered_map<const ResolvedExpr*, bool> context_free_;  // reads_no_context, cached
  std::unordered_map<const ResolvedExpr*, LoweredPtr> once_;
  // Values shared by the elements of an array-valued call: (call, context, label) -> value.
  std::map<std::tuple<const void*, std::vector<int>, std::string>, LoweredPtr> shared_;
};

// The compiler's entry point below compile_model (which resolves first).
Program compile(const ResolvedModel& model);

LoweredPtr number(double v);
LoweredPtr ref(int node);
// Every node `l` reads, each shared part once.
void collect_refs(const LoweredPtr& l, std::vector<int>& out);

// Calls visit(part) on every part of `l` in the order a recursive walk would (first argument
// first), without recursion (SUM over n elements is a chain n deep), until visit returns
// false. A builtin that reads an argument twice (QUANTUM, PULSE TRAIN) shares the argument's
// tree, so n nested calls make 2^n paths through n parts: a part with more than one owner is
// visited the first time only.
template <class Visit>
void for_each_part(const LoweredPtr& l, Visit visit) {
  if (!l) return;
  std::vector<const Lowered*> pending{l.get()};
  std::unordered_set<const Lowered*> shared_seen;
  while (!pending.empty()) {
    const Lowered* x = pending.back();
    pending.pop_back();
    if (!visit(*x)) return;
    for (auto a = x->args.rbegin(); a != x->args.rend(); ++a)
      if (a->use_count() == 1 || shared_seen.insert(a->get()).second) pending.push_back(a->get());
  }
}

}  // namespace h2sim::detail
