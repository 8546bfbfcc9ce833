// Readable views of a model: every equation with units and sources, and the
// dependency graph as Graphviz DOT.
#include "h2sim/inspect.hpp"

#include <set>
#include <sstream>

#include "expr/ast.hpp"
#include "expr/transform.hpp"
#include "resolve/resolved_model.hpp"

namespace h2sim {

namespace {

std::string dims_suffix(const Variable& v) {
  if (v.dimensions.empty()) return "";
  std::string s = "[";
  for (std::size_t i = 0; i < v.dimensions.size(); ++i) s += (i ? ", " : "") + v.dimensions[i];
  return s + "]";
}

std::string graphical_text(const GraphicalFunction& gf) {
  std::ostringstream out;
  out << to_string(gf.interpolation) << " lookup of " << gf.x.size() << " points: ";
  for (std::size_t i = 0; i < gf.x.size(); ++i) {
    if (i == 6 && gf.x.size() > 8) {
      out << "... ";
      i = gf.x.size() - 2;
      continue;
    }
    out << "(" << gf.x[i] << ", " << gf.y[i] << ")" << (i + 1 < gf.x.size() ? " " : "");
  }
  return out.str();
}

}  // namespace

std::string list_equations(const Model& model) {
  const detail::ResolvedModel resolved = detail::resolve(model);
  std::ostringstream out;
  const TimeSettings& t = model.time();
  out << "model " << (model.name().empty() ? "(unnamed)" : model.name()) << "\n";
  out << "time: " << t.start << " to " << t.stop << " " << t.time_units << ", dt " << t.dt << ", "
      << to_string(t.method) << "\n";
  for (const Dimension& d : model.dimensions()) {
    out << "dimension " << d.name << ": ";
    for (std::size_t i = 0; i < d.elements.size(); ++i) out << (i ? ", " : "") << d.elements[i];
    out << "\n";
  }
  for (const detail::ResolvedVariable& r : resolved.variables) {
    const Variable& v = *r.source;
    out << "\n" << to_string(v.kind) << " " << v.name << dims_suffix(v);
    out << "  [" << (v.units.empty() ? "units not given" : v.units) << "]\n";
    const char* lead = v.kind == VariableKind::Stock ? "  initial = " : "  = ";
    if (v.equation) {
      if (v.element_equations.empty()) out << lead << detail::to_text(*v.equation.tree()) << "\n";
      for (const ElementEquation& eq : v.element_equations) {
        out << "  [";
        for (std::size_t i = 0; i < eq.elements.size(); ++i)
          out << (i ? ", " : "") << eq.elements[i];
        out << "]" << (v.kind == VariableKind::Stock ? " initial = " : " = ")
            << detail::to_text(*eq.equation.tree()) << "\n";
      }
    }
    if (v.graphical_function)
      out << "  " << (v.equation ? "through a " : "") << graphical_text(*v.graphical_function)
          << "\n";
    if (v.kind == VariableKind::Stock) {
      out << "  d/dt = ";
      bool first = true;
      for (const auto& f : v.inflows) out << (first ? "" : " + ") << f, first = false;
      for (const auto& f : v.outflows) out << (first ? "-" : " - ") << f, first = false;
      if (first) out << "0";
      out << (v.non_negative ? "   (never below zero)" : "") << "\n";
    }
    if (v.kind == VariableKind::Flow && v.non_negative) out << "  (uniflow: never negative)\n";
    if (v.uncertainty) {
      const Uncertainty& u = *v.uncertainty;
      out << "  uncertain: ";
      switch (u.kind) {
        case Uncertainty::Kind::Uniform:
          out << "uniform " << u.low << " to " << u.high;
          break;
        case Uncertainty::Kind::Normal:
          out << "normal mean " << u.mean << " sd " << u.sd;
          break;
        case Uncertainty::Kind::Triangular:
          out << "triangular " << u.low << ", " << u.mode << ", " << u.high;
          break;
        case Uncertainty::Kind::Lognormal:
          out << "lognormal log-mean " << u.mean << " log-sd " << u.sd;
          break;
      }
      out << "\n";
    }
    if (v.lever) {
      out << "  policy lever";
      if (!v.lever_range.empty()) out << ": " << v.lever_range[0] << " to " << v.lever_range[1];
      for (std::size_t i = 0; i < v.lever_options.size(); ++i)
        out << (i == 0 ? ": options " : ", ") << v.lever_options[i];
      out << "\n";
    }
    if (!v.description.empty()) out << "  " << v.description << "\n";
    if (!v.source.empty()) out << "  source: " << v.source << "\n";
  }
  return out.str();
}

std::string dependency_graph_dot(const Model& model) {
  std::ostringstream out;
  auto quote = [](const std::string& s) {
    std::string q = "\"";
    for (char c : s) q += (c == '"' ? std::string("\\\"") : std::string(1, c));
    return q + "\"";
  };
  out << "digraph " << quote(model.name().empty() ? "model" : model.name()) << " {\n";
  out << "  rankdir=LR;\n  node [fontname=\"Helvetica\"];\n";
  const detail::ResolvedModel resolved = detail::resolve(model);
  for (const Variable& v : model.variables()) {
    const char* shape = v.kind == VariableKind::Stock      ? "box"
                        : v.kind == VariableKind::Flow     ? "doublecircle"
                        : v.kind == VariableKind::Constant ? "plaintext"
                                                           : "ellipse";
    out << "  " << quote(canonical_name(v.name)) << " [label=" << quote(v.name)
        << ", shape=" << shape << "];\n";
  }
  for (const detail::ResolvedVariable& r : resolved.variables) {
    const Variable& v = *r.source;
    std::vector<int> read;
    if (r.equation) detail::referenced_variables(*r.equation->expr, read);
    for (const auto& eq : r.per_element) detail::referenced_variables(*eq.expr, read);
    std::set<std::string> sources;
    for (int index : read)
      if (resolved.variables[static_cast<std::size_t>(index)].key != r.key)
        sources.insert(resolved.variables[static_cast<std::size_t>(index)].key);
    for (const auto& s : sources) out << "  " << quote(s) << " -> " << quote(r.key) << ";\n";
    // Material flows: bold edges from a flow into its stock, and from a stock into its outflows.
    for (const auto& f : v.inflows)
      out << "  " << quote(canonical_name(f)) << " -> " << quote(canonical_name(v.name))
          << " [style=bold, color=blue];\n";
    for (const auto& f : v.outflows)
      out << "  " << quote(canonical_name(v.name)) << " -> " << quote(canonical_name(f))
          << " [style=bold, color=blue];\n";
  }
  out << "}\n";
  return out.str();
}

}  // namespace h2sim
