// What array functions ask of the compiler through LowerCall (src/builtins/registry.hpp):
// how many elements an argument stands for (SIZE), the dimension a vector function works
// along, every element of a variable in storage order (VECTOR ELM MAP), and values that the
// elements of one array-valued call share (the ranks of VECTOR SORT ORDER), held once.
#include "compile/compiler.hpp"

namespace h2sim::detail {

std::size_t Compiler::element_count(const ResolvedExpr& e, const Context& ctx) const {
  if (e.kind == ResolvedExpr::Kind::Variable && e.subscripts.empty())
    return model_.variables[static_cast<std::size_t>(e.variable)].element_count;
  std::vector<bool> bound(ctx.size());
  for (std::size_t d = 0; d < ctx.size(); ++d) bound[d] = ctx[d] >= 0;
  std::size_t count = 1;
  for (int d : open_dimensions(model_, e, bound)) count *= dimension_size(d);
  return count;
}

// The last dimension (not a fixed element) the first arrayed variable in `e` is subscripted
// with, or its last dimension when it has no subscripts; -1 when there is none.
int Compiler::last_dimension(const ResolvedExpr& e) const {
  if (e.kind == ResolvedExpr::Kind::Variable) {
    const ResolvedVariable& v = model_.variables[static_cast<std::size_t>(e.variable)];
    if (!v.dimensions.empty()) {
      if (e.subscripts.empty()) return v.dimensions.back();
      for (std::size_t k = e.subscripts.size(); k-- > 0;) {
        const ResolvedSubscript& s = e.subscripts[k];
        if (s.kind == ResolvedSubscript::Kind::Dimension) return s.dimension;
        if (s.kind == ResolvedSubscript::Kind::Wildcard)
          return s.dimension >= 0 ? s.dimension : v.dimensions[k];
      }
    }
  }
  for (const auto& a : e.args)
    if (const int d = last_dimension(*a); d >= 0) return d;
  return -1;
}

std::vector<int> Compiler::nodes_of(int variable) const {
  const ResolvedVariable& v = model_.variables[static_cast<std::size_t>(variable)];
  const int first = first_node_[static_cast<std::size_t>(variable)];
  std::vector<int> out;
  for (std::size_t k = 0; k < v.element_count; ++k) out.push_back(first + static_cast<int>(k));
  return out;
}

int Compiler::referenced_position(const ResolvedExpr& e, const Context& ctx, const Site& site) {
  const ResolvedVariable& v = model_.variables[static_cast<std::size_t>(e.variable)];
  return linear_index(v, referenced_element(v, e.subscripts, e, ctx, site, nullptr));
}

LoweredPtr Compiler::shared_value(const void* call, const Context& key, const std::string& label,
                                  const std::function<LoweredPtr()>& make) {
  auto k = std::make_tuple(call, key, label);
  const auto it = shared_.find(k);
  if (it != shared_.end()) return it->second;
  const LoweredPtr value = ref(as_node(make(), label));
  shared_.emplace(std::move(k), value);
  return value;
}

}  // namespace h2sim::detail
