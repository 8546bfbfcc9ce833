// XMILE 1.0 writer: Model -> XML that Stella, pysimlin and this library read back.
//
// Equations are spelled as the standard spells them (xmile_spelling.hpp). Components are
// flat in a Model; their variables are written without the dot ("vehicles_fleet", see
// spelling_of). What XMILE 1.0 cannot say travels as h2sim's own extension, which other
// tools skip: the original name (h2sim:dotted_name), subrange parents and mappings of dimensions,
// and an equation's exact h2sim spelling (h2sim:exact_eqn). Their local names differ from every
// XMILE name: some readers (pysimlin) drop the prefix, and <h2sim:eqn> would read as a second
// <eqn> there. Scenario levers are auxiliaries of
// TIME through a graphical function, which XMILE represents as they are.
#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "expr/ast.hpp"
#include "expr/transform.hpp"
#include "h2sim/error.hpp"
#include "h2sim/version.hpp"
#include "h2sim/xmile.hpp"
#include "io/xmile_spelling.hpp"

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
              const char* tag = "gf") {
  out << indent << "<" << tag << " type=\"" << to_string(gf.interpolation) << "\">\n";
  out << indent << "  <xpts>" << list(gf.x) << "</xpts>\n";
  out << indent << "  <ypts>" << list(gf.y) << "</ypts>\n";
  out << indent << "</" << tag << ">\n";
}

// A step-wise table of TIME (a scheduled lever) as the IF chain it means: y0 before x1, y_k
// from x_k on. Some readers (pysimlin 0.8.5) read <gf type="discrete"> as continuous; every
// reader reads IF THEN ELSE alike, and no arithmetic touches the values.
bool is_discrete_schedule(const Variable& v) {
  if (!v.graphical_function || v.graphical_function->interpolation != Interpolation::Discrete ||
      !v.element_equations.empty() || !v.equation)
    return false;
  const ExprPtr& tree = v.equation.tree();
  return tree->kind == detail::ExprKind::Name && tree->subscripts.empty() &&
         canonical_name(tree->name) == "time";
}

std::string discrete_steps(const GraphicalFunction& gf) {
  std::string text = number(gf.y.back());
  for (std::size_t k = gf.x.size() - 1; k-- > 0;)
    text = "IF TIME < " + number(gf.x[k + 1]) + " THEN " + number(gf.y[k]) + " ELSE " +
           (k + 2 < gf.x.size() ? "(" + text + ")" : text);
  return text;
}

void write_common(std::ostringstream& out, const Variable& v, const std::string& indent) {
  if (!v.units.empty()) out << indent << "<units>" << escape(v.units) << "</units>\n";
  std::string doc = v.description;
  if (!v.source.empty()) doc += (doc.empty() ? "" : " ") + std::string("Source: ") + v.source;
  if (!doc.empty()) out << indent << "<doc>" << escape(doc) << "</doc>\n";
}

// Names, dimensions and lookup tables of the model, for spelling its equations. A component
// variable ("vehicles.fleet") is written without its dot ("vehicles_fleet"): XMILE readers
// take a dot for a module reference, and pysimlin 0.8.5 cannot connect arrayed module inputs,
// which every arrayed component would need. The original name travels as h2sim:dotted_name.
detail::XmileSpelling spelling_of(const Model& model) {
  detail::XmileSpelling s;
  std::set<std::string> taken;
  for (const Variable& v : model.variables()) taken.insert(canonical_name(v.name));
  for (const Variable& v : model.variables()) {
    const std::string key = canonical_name(v.name);
    std::string written = v.name;
    if (written.find('.') != std::string::npos) {
      std::replace(written.begin(), written.end(), '.', '_');
      const std::string base = written;
      for (int k = 2; taken.count(canonical_name(written)) != 0; ++k)
        written = base + "_" + std::to_string(k);
      taken.insert(canonical_name(written));
    }
    s.names[key] = canonical_name(written);
    std::vector<std::string> dims;
    for (const auto& d : v.dimensions) dims.push_back(canonical_name(d));
    s.dimensions[key] = dims;
    if (v.is_lookup_table()) s.tables[key] = true;
    if (v.equation && v.element_equations.empty() &&
        v.equation.tree()->kind == detail::ExprKind::Number)
      s.constants[key] = v.equation.tree()->number;
  }
  return s;
}

// Marks the variables written only for other tools (a DELAYN chain): h2sim reads the call.
constexpr const char* kHelper = " h2sim:helper=\"true\"";

class Writer {
 public:
  Writer(const Model& model, std::ostringstream& out)
      : model_(model), out_(out), spelling_(spelling_of(model)) {
    spelling_.chain = [this](const std::string& kind, const std::vector<ExprPtr>& args, int order) {
      return chain(kind, args, order);
    };
  }

  void variable(const Variable& v) {
    const std::string key = canonical_name(v.name);
    const std::string& written = spelling_.names.at(key);
    current_ = written;
    chains_ = 0;
    in_elements_ = !v.element_equations.empty();
    const char* tag = v.kind == VariableKind::Stock  ? "stock"
                      : v.kind == VariableKind::Flow ? "flow"
                                                     : "aux";
    // The name as the model shows it ("Teacup Temperature"), the dot replaced; equations
    // refer to it canonically (teacup_temperature), which XMILE readers match to it.
    std::string shown = v.name;
    std::replace(shown.begin(), shown.end(), '.', '_');
    if (canonical_name(shown) != written) shown = written;  // renamed to avoid a clash
    out_ << "      <" << tag << " name=\"" << escape(shown) << "\"";
    if (shown != v.name) out_ << " h2sim:dotted_name=\"" << escape(v.name) << "\"";
    out_ << ">\n";
    const std::string in = "        ";
    context_.clear();
    for (const auto& d : v.dimensions) context_.push_back(canonical_name(d));
    if (!v.dimensions.empty()) {
      out_ << in << "<dimensions>";
      for (const auto& d : v.dimensions) out_ << "<dim name=\"" << escape(d) << "\"/>";
      out_ << "</dimensions>\n";
    }
    const bool steps = is_discrete_schedule(v);
    if (steps) {
      // The steps for other tools; TIME through the table, under h2sim:schedule_gf (a local
      // name no XMILE reader knows), for h2sim: it reads the lever back as a schedule.
      out_ << in << "<eqn>" << escape(discrete_steps(*v.graphical_function)) << "</eqn>\n";
      out_ << in << "<h2sim:exact_eqn>TIME</h2sim:exact_eqn>\n";
    } else if (v.element_equations.empty()) {
      if (v.equation) equations(v.equation, in);
    } else {
      elements(v, in);
    }
    for (const auto& f : v.inflows)
      out_ << in << "<inflow>" << escape(flow_name(f)) << "</inflow>\n";
    for (const auto& f : v.outflows)
      out_ << in << "<outflow>" << escape(flow_name(f)) << "</outflow>\n";
    if (v.non_negative) out_ << in << "<non_negative/>\n";
    if (v.graphical_function)
      write_gf(out_, *v.graphical_function, in, steps ? "h2sim:schedule_gf" : "gf");
    write_common(out_, v, in);
    out_ << "      </" << tag << ">\n";
    out_ << helpers_.str();
    helpers_.str("");
  }

 private:
  // A DELAYN or SMTHN of an order other than 1 or 3 as the stocks and flows it stands for
  // (docs/xmile.md): the same arithmetic as h2sim's own, in variables named after the one
  // that calls it (`retirements_delay1_stage2`), arrayed as it is. Per-element equations keep
  // the call.
  ExprPtr chain(const std::string& kind, const std::vector<ExprPtr>& args, int order) {
    if (in_elements_) return nullptr;
    const std::string base = current_ + "_" + kind + std::to_string(++chains_);
    auto name = [&](const std::string& n) {
      auto e = std::make_shared<detail::Expr>();
      e->kind = detail::ExprKind::Name;
      e->name = canonical_name(n);
      for (const auto& d : context_) {
        detail::Subscript sub;
        sub.name = d;
        e->subscripts.push_back(sub);
      }
      return e;
    };
    auto text = [](const ExprPtr& e) { return escape(detail::to_text(*e)); };
    const std::string stage_time = "(" + detail::to_text(*args[1]) + ") / " + std::to_string(order);
    std::string dims;
    if (!context_.empty()) {
      dims = "        <dimensions>";
      for (const auto& d : context_) dims += "<dim name=\"" + escape(d) + "\"/>";
      dims += "</dimensions>\n";
    }
    const bool material = kind == "delay";
    std::string upstream = base + "_input";
    helpers_ << "      <flow name=\"" << upstream << "\"" << kHelper << ">\n"
             << dims << "        <eqn>" << text(args[0]) << "</eqn>\n      </flow>\n";
    std::string out;
    for (int k = 1; k <= order; ++k) {
      const std::string stage = base + "_stage" + std::to_string(k);
      const std::string flow = base + (material ? "_outflow" : "_change") + std::to_string(k);
      const std::string stage_ref = detail::to_text(*name(stage));
      const std::string upstream_ref = detail::to_text(*name(upstream));
      helpers_ << "      <stock name=\"" << stage << "\"" << kHelper << ">\n"
               << dims << "        <eqn>"
               << (material ? "(" + text(args[2]) + ") * (" + escape(stage_time) + ")"
                            : text(args[2]))
               << "</eqn>\n";
      if (material) {
        helpers_ << "        <inflow>" << upstream << "</inflow>\n        <outflow>" << flow
                 << "</outflow>\n      </stock>\n";
        helpers_ << "      <flow name=\"" << flow << "\"" << kHelper << ">\n"
                 << dims << "        <eqn>" << escape(stage_ref + " / (" + stage_time + ")")
                 << "</eqn>\n      </flow>\n";
        upstream = flow;
      } else {
        helpers_ << "        <inflow>" << flow << "</inflow>\n      </stock>\n";
        helpers_ << "      <flow name=\"" << flow << "\"" << kHelper << ">\n"
                 << dims << "        <eqn>"
                 << escape("(" + upstream_ref + " - " + stage_ref + ") / (" + stage_time + ")")
                 << "</eqn>\n      </flow>\n";
        upstream = stage;
      }
      out = material ? flow : stage;
    }
    return name(out);
  }

  std::string flow_name(const std::string& flow) const {
    const auto it = spelling_.names.find(canonical_name(flow));
    return it == spelling_.names.end() ? flow : it->second;
  }

  // <eqn> in the standard's spelling; <init_eqn> for ACTIVE INITIAL (Stella's initial
  // equation); h2sim's own spelling as <h2sim:exact_eqn> where the standard one computes
  // differently in the last bits, so that h2sim reads back the same numbers.
  void equations(const Equation& equation, const std::string& in) {
    ExprPtr tree = equation.tree();
    ExprPtr initial;
    if (tree->kind == detail::ExprKind::Call && tree->name == "active_initial" &&
        tree->args.size() == 2) {
      initial = tree->args[1];
      tree = tree->args[0];
    }
    bool exact = true;
    out_ << in << "<eqn>" << escape(standard(tree, exact)) << "</eqn>\n";
    if (initial) out_ << in << "<init_eqn>" << escape(standard(initial, exact)) << "</init_eqn>\n";
    if (!exact)
      out_ << in << "<h2sim:exact_eqn>"
           << escape(detail::to_text(*detail::renamed_for_xmile(equation.tree(), spelling_)))
           << "</h2sim:exact_eqn>\n";
  }

  std::string standard(const ExprPtr& tree, bool& exact) const {
    bool this_exact = true;
    const std::string text =
        detail::to_text(*detail::xmile_spelling(tree, spelling_, context_, this_exact));
    exact = exact && this_exact;
    return text;
  }

  // XMILE names every element: a "*" or a subrange in an h2sim element equation is written
  // out for each element it stands for (the first matching equation wins, as it does in the
  // compiler); elements no equation names take the apply-to-all one.
  void elements(const Variable& v, const std::string& in) {
    std::vector<const Dimension*> dims;
    for (const auto& d : v.dimensions) dims.push_back(model_.find_dimension(d));
    std::vector<std::size_t> index(dims.size(), 0);
    for (bool more = !dims.empty(); more;) {
      const ElementEquation* match = nullptr;
      for (const ElementEquation& eq : v.element_equations) {
        bool same = eq.elements.size() == dims.size();
        for (std::size_t d = 0; same && d < dims.size(); ++d)
          same = subscript_covers(model_, eq.elements[d], dims[d]->elements[index[d]]);
        if (same) {
          match = &eq;
          break;
        }
      }
      std::string subscript;
      for (std::size_t d = 0; d < dims.size(); ++d)
        subscript += (d ? "," : "") + dims[d]->elements[index[d]];
      out_ << in << "<element subscript=\"" << escape(subscript) << "\">\n";
      const Equation& equation = match ? match->equation : v.equation;
      if (equation) equations(equation, in + "  ");
      if (match && match->graphical_function) write_gf(out_, *match->graphical_function, in + "  ");
      out_ << in << "</element>\n";
      std::size_t d = dims.size();
      while (d > 0 && ++index[d - 1] == dims[d - 1]->elements.size()) index[--d] = 0;
      more = d > 0;
    }
  }

  const Model& model_;
  std::ostringstream& out_;
  detail::XmileSpelling spelling_;
  std::vector<std::string> context_;  // the dimensions of the variable being written
  std::string current_;               // its name as written
  int chains_ = 0;                    // DELAYN/SMTHN chains written out for it
  bool in_elements_ = false;          // it has per-element equations
  std::ostringstream helpers_;        // the chains' variables, written after it
};

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
  Writer writer(model, out);
  for (const Variable& v : model.variables()) writer.variable(v);
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
