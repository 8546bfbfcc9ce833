// Step 3 of the compiler: ordering. Initial values in dependency order over every node;
// which auxiliaries change with time; the time-varying ones in dependency order. A cycle is
// an algebraic loop, reported with the variables on it.
#include <algorithm>

#include "compile/compiler.hpp"
#include "h2sim/error.hpp"

namespace h2sim::detail {

namespace {

bool has_time_op(const LoweredPtr& l) {
  bool found = false;
  for_each_part(l, [&](const Lowered& x) {
    found = x.kind == Lowered::Kind::Apply &&
            (x.op == Op::Step || x.op == Op::Ramp || x.op == Op::Pulse);
    return !found;
  });
  return found;
}

bool holds_value(NodeKind k) {
  return k == NodeKind::Stock || k == NodeKind::Previous || k == NodeKind::Delay;
}

}  // namespace

std::vector<int> Compiler::initial_dependencies(int id) const {
  const Node& n = node(id);
  std::vector<int> deps;
  collect_refs(n.initial_value ? n.initial_value : n.value, deps);
  if (n.kind == NodeKind::Delay) deps.push_back(n.delay_time);
  return deps;
}

// Depth-first topological sort; a cycle is reported with the names along it.
std::vector<int> Compiler::topological_order(const std::vector<int>& members,
                                             const std::function<std::vector<int>(int)>& deps,
                                             const char* what) const {
  std::vector<int> order;
  std::vector<char> state(nodes_.size(), 0);  // 0 new, 1 on the path, 2 done
  std::vector<char> member(nodes_.size(), 0);
  for (int m : members) member[static_cast<std::size_t>(m)] = 1;
  // An explicit stack, not recursion: a chain of n auxiliaries is n deep.
  std::vector<int> path;  // the nodes being visited, outermost first
  struct Visit {
    int id;
    std::vector<int> deps;
    std::size_t next = 0;
  };
  std::vector<Visit> stack;
  auto enter = [&](int id) {
    state[static_cast<std::size_t>(id)] = 1;
    path.push_back(id);
    stack.push_back({id, deps(id)});
  };
  for (int m : members) {
    if (state[static_cast<std::size_t>(m)] != 0) continue;
    enter(m);
    while (!stack.empty()) {
      Visit& v = stack.back();
      if (v.next < v.deps.size()) {
        const int d = v.deps[v.next++];
        if (!member[static_cast<std::size_t>(d)]) continue;
        if (state[static_cast<std::size_t>(d)] == 1) report_loop(path, d, what);
        if (state[static_cast<std::size_t>(d)] == 0) enter(d);
        continue;
      }
      state[static_cast<std::size_t>(v.id)] = 2;
      order.push_back(v.id);
      path.pop_back();
      stack.pop_back();
    }
  }
  return order;
}

void Compiler::report_loop(const std::vector<int>& path, int back_to, const char* what) const {
  std::vector<std::string> names;
  int first = -1;  // the node of the first name
  bool in_loop = false;
  for (int id : path) {
    if (id == back_to) in_loop = true;
    if (!in_loop) continue;
    const std::string& v = node(id).internal ? node(id).owner : node(id).name;
    if (names.empty() || names.back() != v) names.push_back(v);
    if (first < 0) first = id;
  }
  std::string loop;
  for (const auto& n : names) loop += n + " -> ";
  loop += names.front();
  // At the variable's definition (file:line:column): a loop is no one equation's fault.
  const Location where = model_.location(
      model_.variables[static_cast<std::size_t>(node(first).variable)], names.front());
  throw ModelError(std::string(what) + ": " + loop +
                       " (each of these needs the others in the same instant; a stock, SMTH1 or "
                       "DELAY1 in the loop breaks it)",
                   where);
}

void Compiler::order_initialisation() {
  std::vector<int> all(nodes_.size());
  for (std::size_t i = 0; i < nodes_.size(); ++i) all[i] = static_cast<int>(i);
  init_order_ = topological_order(
      all, [&](int id) { return initial_dependencies(id); }, "algebraic loop among initial values");
}

void Compiler::classify_dynamic() {
  for (int id : init_order_) {
    Node& n = node(id);
    if (n.kind == NodeKind::Clock) continue;
    if (holds_value(n.kind)) {
      n.dynamic = true;
      continue;
    }
    if (n.kind != NodeKind::Auxiliary) continue;  // constants and INIT values never change
    std::vector<int> deps;
    collect_refs(n.value, deps);
    n.dynamic = n.initial_value != nullptr || has_time_op(n.value) ||
                std::any_of(deps.begin(), deps.end(), [&](int d) { return node(d).dynamic; });
  }
}

void Compiler::order_run() {
  std::vector<int> dynamic_aux;
  for (std::size_t i = 0; i < nodes_.size(); ++i)
    if (nodes_[i].kind == NodeKind::Auxiliary && nodes_[i].dynamic)
      dynamic_aux.push_back(static_cast<int>(i));
  run_order_ = topological_order(
      dynamic_aux,
      [&](int id) {
        std::vector<int> deps;
        collect_refs(node(id).value, deps);
        return deps;
      },
      "algebraic loop");
}

}  // namespace h2sim::detail
