// XMILE 1.0 writer: Model -> XML that Stella and this library read back.
//
// Components are already flat in a Model: their variables keep their dotted names
// ("vehicles.fleet"), quoted in equations. Scenario levers are auxiliaries of TIME
// through a graphical function, which XMILE represents as they are.
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "expr/ast.hpp"
#include "expr/transform.hpp"
#include "h2sim/error.hpp"
#include "h2sim/version.hpp"
#include "h2sim/xmile.hpp"

namespace h2sim {

namespace {

std::string escape(const std::string& s) {
  std::string out;
  for (char c : s) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

std::string number(double v) {
  std::ostringstream out;
  out.precision(17);
  out << v;
  return out.str();
}

std::string list(const std::vector<double>& values) {
  std::string s;
  for (std::size_t i = 0; i < values.size(); ++i) s += (i ? "," : "") + number(values[i]);
  return s;
}

void write_gf(std::ostringstream& out, const GraphicalFunction& gf, const std::string& indent,
              const std::string& name_attribute) {
  out << indent << "<gf" << name_attribute << " type=\"" << to_string(gf.interpolation) << "\">\n";
  out << indent << "  <xpts>" << list(gf.x) << "</xpts>\n";
  out << indent << "  <ypts>" << list(gf.y) << "</ypts>\n";
  out << indent << "</gf>\n";
}

// Equations are re-printed from their trees; numbers keep 17 digits.
std::string equation_text(const Equation& equation) {
  return equation ? detail::to_text(*equation.tree()) : equation.text();
}

void write_common(std::ostringstream& out, const Variable& v, const std::string& indent) {
  if (!v.units.empty()) out << indent << "<units>" << escape(v.units) << "</units>\n";
  std::string doc = v.description;
  if (!v.source.empty()) doc += (doc.empty() ? "" : " ") + std::string("Source: ") + v.source;
  if (!doc.empty()) out << indent << "<doc>" << escape(doc) << "</doc>\n";
}

}  // namespace

std::string to_xmile(const Model& model) {
  std::ostringstream out;
  const TimeSettings& t = model.time();
  out << "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n";
  out << "<xmile version=\"1.0\" xmlns=\"http://docs.oasis-open.org/xmile/ns/XMILE/v1.0\""
         " xmlns:h2sim=\"https://h2sim.invalid/xmile-extensions\">\n";
  out << "  <header>\n    <vendor>h2sim</vendor>\n    <product version=\"" << version
      << "\">h2sim</product>\n";
  out << "    <name>" << escape(model.name()) << "</name>\n  </header>\n";
  out << "  <sim_specs method=\"" << (t.method == Method::RK4 ? "RK4" : "Euler")
      << "\" time_units=\"" << escape(t.time_units) << "\">\n";
  out << "    <start>" << number(t.start) << "</start>\n    <stop>" << number(t.stop)
      << "</stop>\n";
  out << "    <dt>" << number(t.dt) << "</dt>\n";
  if (t.save_every > 0)
    out << "    <save_interval>" << number(t.save_every) << "</save_interval>\n";
  out << "  </sim_specs>\n";
  if (!model.dimensions().empty()) {
    out << "  <dimensions>\n";
    for (const Dimension& d : model.dimensions()) {
      out << "    <dim name=\"" << escape(d.name) << "\">\n";
      for (const auto& e : d.elements) out << "      <elem name=\"" << escape(e) << "\"/>\n";
      // What XMILE 1.0 cannot say, as h2sim's own extension (other tools skip it):
      // Vensim's subrange parents and dimension mappings.
      if (!d.parent.empty()) out << "      <h2sim:parent name=\"" << escape(d.parent) << "\"/>\n";
      for (const auto& m : d.mappings) {
        out << "      <h2sim:map to=\"" << escape(m.target) << "\">";
        for (const auto& e : m.elements) out << "<elem name=\"" << escape(e) << "\"/>";
        out << "</h2sim:map>\n";
      }
      out << "    </dim>\n";
    }
    out << "  </dimensions>\n";
  }
  out << "  <model>\n    <variables>\n";
  for (const Variable& v : model.variables()) {
    const std::string name = escape(v.name);
    if (v.is_lookup_table()) {  // a lookup table called as name(x)
      write_gf(out, *v.graphical_function, "      ", " name=\"" + name + "\"");
      continue;
    }
    const char* tag = v.kind == VariableKind::Stock  ? "stock"
                      : v.kind == VariableKind::Flow ? "flow"
                                                     : "aux";
    out << "      <" << tag << " name=\"" << name << "\">\n";
    const std::string in = "        ";
    if (!v.dimensions.empty()) {
      out << in << "<dimensions>";
      for (const auto& d : v.dimensions) out << "<dim name=\"" << escape(d) << "\"/>";
      out << "</dimensions>\n";
    }
    if (v.element_equations.empty()) {
      out << in << "<eqn>" << escape(equation_text(v.equation)) << "</eqn>\n";
    } else {
      // XMILE names every element: a "*" in an h2sim element equation is written out
      // for each element it stands for (the first matching equation wins, as it does
      // in the compiler); elements no equation names take the apply-to-all one.
      std::vector<const Dimension*> dims;
      for (const auto& d : v.dimensions) dims.push_back(model.find_dimension(d));
      std::vector<std::size_t> index(dims.size(), 0);
      for (bool more = !dims.empty(); more;) {
        const ElementEquation* match = nullptr;
        for (const ElementEquation& eq : v.element_equations) {
          bool same = eq.elements.size() == dims.size();
          for (std::size_t d = 0; same && d < dims.size(); ++d)
            same = subscript_covers(model, eq.elements[d], dims[d]->elements[index[d]]);
          if (same) {
            match = &eq;
            break;
          }
        }
        std::string subscript;
        for (std::size_t d = 0; d < dims.size(); ++d)
          subscript += (d ? "," : "") + dims[d]->elements[index[d]];
        const std::string text = match ? equation_text(match->equation) : equation_text(v.equation);
        out << in << "<element subscript=\"" << escape(subscript) << "\"><eqn>" << escape(text)
            << "</eqn></element>\n";
        std::size_t d = dims.size();
        while (d > 0 && ++index[d - 1] == dims[d - 1]->elements.size()) index[--d] = 0;
        more = d > 0;
      }
    }
    for (const auto& f : v.inflows) out << in << "<inflow>" << escape(f) << "</inflow>\n";
    for (const auto& f : v.outflows) out << in << "<outflow>" << escape(f) << "</outflow>\n";
    if (v.non_negative) out << in << "<non_negative/>\n";
    if (v.graphical_function) write_gf(out, *v.graphical_function, in, "");
    write_common(out, v, in);
    out << "      </" << tag << ">\n";
  }
  out << "    </variables>\n  </model>\n</xmile>\n";
  return out.str();
}

void save_xmile(const Model& model, const std::string& path) {
  const std::string text = to_xmile(model);
  // Through a temporary file beside the target, so a failure leaves nothing half-written.
  const std::string tmp = path + ".tmp";
  {
    std::ofstream file(tmp, std::ios::binary);
    if (!file) throw ScenarioError("cannot write '" + path + "'");
    file << text;
    if (!file.good()) {
      std::remove(tmp.c_str());
      throw ScenarioError("cannot write '" + path + "'");
    }
  }
  std::error_code error;
  std::filesystem::rename(tmp, path, error);
  if (error) {
    std::remove(tmp.c_str());
    throw ScenarioError("cannot write '" + path + "': " + error.message());
  }
}

}  // namespace h2sim
