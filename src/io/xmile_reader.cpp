// XMILE 1.0 reader: XML (pugixml) -> Model. See include/h2sim/xmile.hpp for what is
// read and what is refused.
//
// Modules are inlined: module instance `m` of model `M` adds M's variables to the one
// Model as "m.x"; a module input (the `to` of a <connect>) becomes an auxiliary that
// reads the connected variable of the enclosing model. Equations of a module are
// parsed as written and their names re-pointed at the prefixed variables.
//
// Over 800 lines: one format's reader, element by element as the XMILE standard lists them;
// the split to make when it next grows is the graphical functions and arrays (read_gf,
// read_dimensions, read_parts) into their own file.
#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdlib>
#include <fstream>
#include <map>
#include <pugixml.hpp>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "core/encoding.hpp"
#include "core/text.hpp"
#include "expr/ast.hpp"
#include "expr/transform.hpp"
#include "h2sim/error.hpp"
#include "h2sim/limits.hpp"
#include "io/data_functions.hpp"
#include "io/readers.hpp"
#include "io/xmile_text.hpp"

namespace h2sim {

namespace {

using detail::display_name;
using detail::lower;
using detail::split_qualified;
using detail::split_top_level;
using detail::trim;
using detail::without_comments;

// The whole text of an element: every text and CDATA part, without comments. pugixml's
// child_value() gives the first part alone, so `<eqn>60<!-- c -->+10</eqn>` would read as 60.
std::string text_of(const pugi::xml_node& n) {
  std::string out;
  for (const pugi::xml_node& part : n.children())
    if (part.type() == pugi::node_pcdata || part.type() == pugi::node_cdata) out += part.value();
  return out;
}

bool is_vendor(const pugi::xml_node& n) {
  return std::string(n.name()).find(':') != std::string::npos;
}

class Reader {
 public:
  Reader(const std::string& text, std::string file, std::vector<std::string>* warnings)
      : text_(text), file_(std::move(file)), warnings_(warnings) {
    line_starts_.push_back(0);
    for (std::size_t i = 0; i < text_.size(); ++i) {
      if (text_[i] == '\n' || (text_[i] == '\r' && (i + 1 >= text_.size() || text_[i + 1] != '\n')))
        line_starts_.push_back(i + 1);
    }
  }

  Model read() {
    const pugi::xml_parse_result parsed =
        doc_.load_buffer(text_.data(), text_.size(), pugi::parse_default, pugi::encoding_utf8);
    if (!parsed) {
      Location where;
      where.file = file_;
      where.line = line_of(parsed.offset);
      where.column = column_of(parsed.offset);
      throw ParseError(std::string("not well-formed XML: ") + parsed.description(), where);
    }
    check_document();
    const pugi::xml_node root = doc_.document_element();
    if (std::string(root.name()) != "xmile")
      fail(root, std::string("not an XMILE file: the root element is <") + root.name() +
                     ">, not <xmile>");

    model_ = Model(model_name(root));
    // Dimensions and behaviour first: variables refer to them wherever they stand.
    bool have_specs = false;
    for (const pugi::xml_node& n : root.children()) {
      if (n.type() != pugi::node_element) continue;
      if (is_vendor(n)) {
        ignore(n);
        continue;
      }
      const std::string tag = n.name();
      if (tag == "dimensions") {
        read_dimensions(n);
      } else if (tag == "behavior") {
        read_behavior(n);
      } else if (tag == "sim_specs") {
        read_sim_specs(n);
        have_specs = true;
      } else if (tag == "model") {
        const std::string name = canonical_name(n.attribute("name").value());
        if (models_.count(name) != 0)
          fail(n, name.empty() ? "more than one unnamed (main) <model>"
                               : "model '" + std::string(n.attribute("name").value()) +
                                     "' is defined twice");
        models_[name] = n;
      } else if (tag == "header" || tag == "model_units") {
        // Metadata: no effect on the results.
      } else if (tag == "macro") {
        fail(n, "XMILE macros (<macro>) are not supported");
      } else {
        ignore(n);  // <style>, <prefs>, <default_format>, ...: display settings
      }
    }
    if (!have_specs) fail(root, "the file has no <sim_specs> (start, stop and dt are required)");
    if (models_.empty()) fail(root, "the file has no <model>");

    // The main model: the unnamed one, or the only one.
    pugi::xml_node main;
    if (models_.count("") != 0) {
      main = models_[""];
    } else if (models_.size() == 1) {
      main = models_.begin()->second;
    } else {
      fail(root, "no main model: every <model> is named and none is unnamed");
    }
    std::vector<std::string> stack;
    read_model(main, "", {}, stack);
    report_skipped();
    return std::move(model_);
  }

 private:
  // How deep elements nest and how many there are, walked without recursion: the reader
  // goes through modules recursively, and everything after it is sized by the file.
  void check_document() const {
    const std::size_t max_depth = limit(Limit::Nesting);
    const std::size_t max_nodes = limit(Limit::DocumentNodes);
    std::size_t nodes = 0;
    std::vector<std::pair<pugi::xml_node, std::size_t>> pending{{doc_.document_element(), 1}};
    while (!pending.empty()) {
      const pugi::xml_node node = pending.back().first;  // a lambda below uses it: no binding
      const std::size_t depth = pending.back().second;
      pending.pop_back();
      if (++nodes > max_nodes)
        fail(node,
             limit_message(Limit::DocumentNodes, "the file has more than " +
                                                     std::to_string(max_nodes) + " XML elements"));
      if (depth > max_depth)
        fail(node, limit_message(Limit::Nesting,
                                 "the XML nests " + std::to_string(depth) + " elements deep"));
      // A character reference (&#xD800;) can name what is no Unicode character; pugixml
      // writes it as bytes that are not UTF-8.
      auto check_text = [&](const char* value) {
        const std::string text = value;
        if (detail::first_invalid_utf8(text) != text.size())
          fail(node,
               "a character reference (&#...;) names something that is not a Unicode character");
      };
      for (const pugi::xml_attribute& a : node.attributes()) check_text(a.value());
      for (const pugi::xml_node& child : node.children()) {
        if (child.type() == pugi::node_element) pending.emplace_back(child, depth + 1);
        if (child.type() == pugi::node_pcdata || child.type() == pugi::node_cdata)
          check_text(child.value());
      }
    }
  }

  // --- locations --------------------------------------------------------------------
  int line_of(std::ptrdiff_t offset) const {
    if (offset < 0) return 0;
    const auto it = std::upper_bound(line_starts_.begin(), line_starts_.end(),
                                     static_cast<std::size_t>(offset));
    return static_cast<int>(it - line_starts_.begin());
  }
  int column_of(std::ptrdiff_t offset) const {
    if (offset < 0) return 0;
    const int line = line_of(offset);
    return static_cast<int>(static_cast<std::size_t>(offset) -
                            line_starts_[static_cast<std::size_t>(line - 1)]) +
           1;
  }
  int line(const pugi::xml_node& n) const { return line_of(n.offset_debug()); }

  // XMILE asks readers to skip what they do not know (vendor extensions such as isee:...,
  // Stella's <default_format/>, display and interface blocks): note it, and go on. The
  // notes become one warning at the end (report_skipped).
  void ignore(const pugi::xml_node& n) { skipped_.emplace_back(n.name(), line(n)); }

  // "model.stmx:3: skipped what h2sim does not read (display, interface and vendor settings):
  // <default_format> (line 3), <isee:prefs> (line 16, 2 times), <views> (line 40)".
  void report_skipped() const {
    if (warnings_ == nullptr || skipped_.empty()) return;
    std::vector<std::pair<std::string, std::pair<int, int>>> seen;  // name, (first line, count)
    for (const auto& skipped : skipped_) {
      const std::string& name = skipped.first;  // a lambda uses it: no binding (clang 14)
      auto it =
          std::find_if(seen.begin(), seen.end(), [&](const auto& e) { return e.first == name; });
      if (it == seen.end())
        seen.push_back({name, {skipped.second, 1}});
      else
        ++it->second.second;
    }
    std::string list;
    for (const auto& [name, at] : seen)
      list += (list.empty() ? "" : ", ") + ("<" + name + "> (line " + std::to_string(at.first)) +
              (at.second > 1 ? ", " + std::to_string(at.second) + " times)" : ")");
    warnings_->push_back(file_ + ":" + std::to_string(seen.front().second.first) +
                         ": skipped what h2sim does not read (display, interface and vendor "
                         "settings, which XMILE lets a reader skip): " +
                         list);
  }

  [[noreturn]] void fail(const pugi::xml_node& n, const std::string& message,
                         const std::string& variable = {}) const {
    Location where;
    where.file = file_;
    where.line = line(n);
    where.variable = variable;
    throw ModelError(message, where);
  }

  // Adds the file and line to an error from the equation parser or the model.
  [[noreturn]] void relocate(const Error& e, int at_line) const {
    Location where = e.where();
    where.file = file_;
    if (where.line == 0) where.line = at_line;
    switch (e.kind()) {
      case ErrorKind::Parse:
        throw ParseError(e.message(), where);
      case ErrorKind::Scenario:
        throw ScenarioError(e.message(), where);
      case ErrorKind::Simulation:
        throw SimulationError(e.message(), where);
      case ErrorKind::Model:
        break;
    }
    throw ModelError(e.message(), where);
  }

  // --- top level ----------------------------------------------------------------------
  std::string model_name(const pugi::xml_node& root) const {
    std::string header_name = trim(text_of(root.child("header").child("name")));
    if (!header_name.empty()) return header_name;
    std::string stem = file_;
    const auto slash = stem.find_last_of("/\\");
    if (slash != std::string::npos) stem = stem.substr(slash + 1);
    const auto dot = stem.rfind('.');
    if (dot != std::string::npos && dot > 0) stem = stem.substr(0, dot);
    return stem;
  }

  double number(const pugi::xml_node& n, const std::string& what) const {
    const std::string s = trim(text_of(n));
    char* end = nullptr;
    const double v = std::strtod(s.c_str(), &end);
    if (s.empty() || end != s.c_str() + s.size() || !std::isfinite(v))
      fail(n, what + " must be a number, not '" + s + "'");
    return v;
  }

  bool flag(const pugi::xml_node& n) const {
    const std::string s = lower(trim(text_of(n)));
    if (s.empty() || s == "true") return true;
    if (s == "false") return false;
    fail(n, "<" + std::string(n.name()) + "> must be empty, true or false, not '" + s + "'");
  }

  void read_sim_specs(const pugi::xml_node& specs) {
    TimeSettings& t = model_.time();
    t.dt = 1.0;  // XMILE's default
    bool have_start = false;
    bool have_stop = false;
    t.location.file = file_;
    t.location.line = line(specs);
    if (const auto units = specs.attribute("time_units")) t.time_units = units.value();
    if (const auto method = specs.attribute("method")) {
      try {
        t.method = parse_method(method.value());
      } catch (const Error& e) {
        relocate(e, line(specs));
      }
      if (t.method != Method::Euler && t.method != Method::RK4)
        fail(specs, "integration method '" + std::string(method.value()) +
                        "' is not an XMILE method (Euler or RK4)");
    }
    std::set<std::string> seen;  // a setting given twice: which one should the run take?
    for (const pugi::xml_node& n : specs.children()) {
      if (n.type() != pugi::node_element) continue;
      if (is_vendor(n)) {
        ignore(n);
        continue;
      }
      const std::string tag = n.name();
      const bool save = tag == "savestep" || tag == "save_step" || tag == "save_interval" ||
                        tag == "saveper";  // four spellings of one setting
      if ((save || tag == "start" || tag == "stop" || tag == "dt") &&
          !seen.insert(save ? "save" : tag).second)
        fail(n, "<sim_specs> gives <" + tag + "> twice (or two save intervals)");
      if (tag == "start") {
        t.start = number(n, "<start>");
        have_start = true;
      } else if (tag == "stop") {
        t.stop = number(n, "<stop>");
        have_stop = true;
      } else if (tag == "dt") {
        const double v = number(n, "<dt>");
        const std::string reciprocal = lower(trim(n.attribute("reciprocal").value()));
        if (!reciprocal.empty() && reciprocal != "true" && reciprocal != "false")
          fail(n, "<dt reciprocal=\"" + reciprocal + "\">: reciprocal is true or false");
        if (reciprocal == "true") {
          if (!(v > 0)) fail(n, "<dt reciprocal=\"true\"> must be a positive number");
          t.dt = 1.0 / v;
        } else {
          t.dt = v;
        }
      } else if (save) {
        t.save_every = number(n, "<" + tag + ">");
        if (!(t.save_every > 0)) fail(n, "<" + tag + "> must be a positive number");
      } else {
        ignore(n);  // Stella's run settings (<run>, <pause>, ...): not the clock
      }
    }
    if (!have_start) t.start = 0.0;
    if (!have_stop) fail(specs, "<sim_specs> has no <stop>");
    if (!(t.dt > 0)) fail(specs, "dt must be positive");
  }

  void read_behavior(const pugi::xml_node& behavior) {
    for (const pugi::xml_node& n : behavior.children()) {
      if (n.type() != pugi::node_element || is_vendor(n)) continue;
      const std::string tag = n.name();
      if (tag == "non_negative") {
        stocks_non_negative_ = flows_non_negative_ = flag(n);
      } else if (tag == "stock" || tag == "flow") {
        for (const pugi::xml_node& m : n.children()) {
          if (m.type() != pugi::node_element || is_vendor(m)) continue;
          if (std::string(m.name()) != "non_negative")
            fail(m, "unsupported element <" + std::string(m.name()) + "> in <behavior>");
          (tag == "stock" ? stocks_non_negative_ : flows_non_negative_) = flag(m);
        }
      } else {
        fail(n, "unsupported element <" + tag + "> in <behavior>");
      }
    }
  }

  void read_dimensions(const pugi::xml_node& dims) {
    for (const pugi::xml_node& d : dims.children()) {
      if (d.type() != pugi::node_element || is_vendor(d)) continue;
      if (std::string(d.name()) != "dim")
        fail(d, "unsupported element <" + std::string(d.name()) + "> in <dimensions>");
      const std::string name = trim(d.attribute("name").value());
      if (name.empty()) fail(d, "a <dim> needs a name");
      std::vector<std::string> elements;
      std::string parent;
      std::vector<DimensionMapping> mappings;
      for (const pugi::xml_node& e : d.children()) {
        // h2sim's own extension (the writer's): subrange parents and mappings.
        if (std::string(e.name()) == "h2sim:parent") {
          parent = trim(e.attribute("name").value());
          continue;
        }
        if (std::string(e.name()) == "h2sim:map") {
          DimensionMapping m;
          m.target = trim(e.attribute("to").value());
          for (const pugi::xml_node& el : e.children("elem"))
            m.elements.push_back(trim(el.attribute("name").value()));
          mappings.push_back(std::move(m));
          continue;
        }
        if (e.type() != pugi::node_element || is_vendor(e)) continue;
        if (std::string(e.name()) != "elem")
          fail(e, "unsupported element <" + std::string(e.name()) + "> in <dim>");
        const std::string el = trim(e.attribute("name").value());
        if (el.empty()) fail(e, "an <elem> needs a name");
        elements.push_back(el);
      }
      if (const auto size = d.attribute("size")) {
        if (!elements.empty())
          fail(d, "dimension '" + name + "' has both a size and <elem> elements");
        const std::string s = trim(size.value());
        char* end = nullptr;
        const long n = std::strtol(s.c_str(), &end, 10);
        if (s.empty() || end != s.c_str() + s.size() || n < 1)
          fail(d, std::string("dimension '")
                      .append(name)
                      .append("': size must be a whole number from 1, not '")
                      .append(s)
                      .append("'"));
        if (static_cast<unsigned long>(n) > limit(Limit::Elements))
          fail(d, limit_message(Limit::Elements, "dimension '" + name + "' has size " + s));
        for (long k = 1; k <= n; ++k) elements.push_back(std::to_string(k));
      }
      try {
        Dimension dimension;
        dimension.name = display_name(name);
        dimension.elements = elements;
        dimension.parent = parent;
        dimension.mappings = std::move(mappings);
        model_.add_dimension(std::move(dimension));
      } catch (const Error& e) {
        relocate(e, line(d));
      }
    }
  }

  // --- models and modules ---------------------------------------------------------------
  struct Scope {
    std::string prefix;                         // "" or "hares." (canonical)
    std::string display_prefix;                 // "" or "hares."
    std::map<std::string, std::string> rename;  // local canonical -> model canonical
    bool renames = false;                       // some names differ (h2sim:dotted_name)
  };

  // A variable's name: the one h2sim wrote it under (h2sim:dotted_name), else its own.
  static std::string variable_name(const pugi::xml_node& v) {
    if (const auto original = v.attribute("h2sim:dotted_name")) return trim(original.value());
    return display_name(v.attribute("name").value());
  }

  // A connection into a module's input: the canonical name of the variable it reads.
  struct Connection {
    std::string source;
    pugi::xml_node at;
  };
  // Per input of a module instance (canonical; "sub.x" for an input of its submodule `sub`).
  using Inputs = std::map<std::string, Connection>;

  void read_model(const pugi::xml_node& model, const std::string& instance_display,
                  const Inputs& inputs, std::vector<std::string>& stack) {
    Scope scope;
    if (!instance_display.empty()) {
      scope.prefix = canonical_name(instance_display) + ".";
      scope.display_prefix = instance_display + ".";
    }
    pugi::xml_node variables;
    for (const pugi::xml_node& n : model.children()) {
      if (n.type() != pugi::node_element) continue;
      if (is_vendor(n)) {
        ignore(n);
        continue;
      }
      const std::string tag = n.name();
      if (tag == "variables") {
        if (variables) fail(n, "a <model> has more than one <variables>");
        variables = n;
      } else if (tag == "doc") {
        // documentation
      } else if (tag == "behavior") {
        read_behavior(n);
      } else if (tag == "sim_specs") {
        if (!scope.prefix.empty()) continue;  // a module runs on the main model's clock
        read_sim_specs(n);
      } else {
        ignore(n);  // <views>, <style>, interface blocks
      }
    }
    if (!variables) return;

    // Names this model defines: references to them are re-pointed at the prefixed names.
    for (const pugi::xml_node& v : variables.children()) {
      if (v.type() != pugi::node_element || is_vendor(v)) continue;
      const std::string name = display_name(v.attribute("name").value());
      if (name.empty()) continue;
      // h2sim's writer writes "vehicles.fleet" as vehicles_fleet and keeps the name as
      // h2sim:dotted_name: read it back under that name, and every reference to it.
      scope.rename[canonical_name(name)] = scope.prefix + canonical_name(variable_name(v));
      scope.renames = scope.renames || v.attribute("h2sim:dotted_name");
    }
    for (const auto& [local, connection] : inputs)
      if (local.find('.') == std::string::npos && scope.rename.count(local) == 0)
        fail(connection.at, "the module connects to '" + local + "', which model '" +
                                std::string(model.attribute("name").value()) + "' does not define");
    std::map<std::string, Inputs> into = connections(variables, scope, inputs);

    for (const pugi::xml_node& v : variables.children()) {
      if (v.type() != pugi::node_element) continue;
      if (is_vendor(v)) {
        ignore(v);
        continue;
      }
      const std::string tag = v.name();
      if (tag == "group") continue;               // a display grouping (XMILE 3.7.5)
      if (v.attribute("h2sim:helper")) continue;  // written by h2sim for other tools only
      if (tag != "stock" && tag != "flow" && tag != "aux" && tag != "gf" && tag != "module")
        fail(v, "unsupported XMILE element <" + tag + ">");
      const std::string name = variable_name(v);
      if (name.empty()) fail(v, "<" + tag + "> needs a name attribute");
      if (tag == "module") {
        read_module(v, scope, into[canonical_name(name)], stack);
        continue;
      }
      const auto input = inputs.find(canonical_name(name));
      if (input != inputs.end()) {
        add_input(v, scope, name, input->second.source);
        continue;
      }
      read_variable(v, scope, name);
    }
  }

  // The connections into the module instances of a model, by instance. Stella writes each
  // connection into both modules it joins (and again as <connect2>), with `to` as
  // "instance.input" and `from` as ".x" (a variable of this model) or "other.output"; older
  // files write `to` as the input alone, inside the module it belongs to. Connections that
  // reached this model for its submodules ("sub.x") are passed on.
  std::map<std::string, Inputs> connections(const pugi::xml_node& variables, const Scope& scope,
                                            const Inputs& inherited) {
    std::map<std::string, Inputs> into;
    for (const auto& [local, connection] : inherited) {
      const auto dot = local.find('.');
      if (dot != std::string::npos) into[local.substr(0, dot)][local.substr(dot + 1)] = connection;
    }
    for (const pugi::xml_node& m : variables.children("module")) {
      const std::string instance = canonical_name(display_name(m.attribute("name").value()));
      for (const pugi::xml_node& c : m.children()) {
        if (c.type() != pugi::node_element) continue;
        const std::string tag = c.name();
        if (tag != "connect" && tag != "connect2") {
          if (tag != "doc" && tag != "units") ignore(c);
          continue;
        }
        const std::vector<std::string> to = split_qualified(c.attribute("to").value());
        const std::vector<std::string> from = split_qualified(c.attribute("from").value());
        if (to.back().empty() || from.back().empty())
          fail(c, "a <" + tag + "> needs both 'to' and 'from'");
        std::string target = instance;
        std::string local;
        for (std::size_t k = to.size() == 1 ? 0 : 1; k < to.size(); ++k)
          local += (local.empty() ? "" : ".") + canonical_name(display_name(to[k]));
        if (to.size() > 1) target = canonical_name(display_name(to[0]));
        std::string source = scope.prefix;
        for (std::size_t k = 0; k < from.size(); ++k)
          source += (k ? "." : "") + canonical_name(display_name(from[k]));
        Inputs& inputs = into[target];
        const auto known = inputs.find(local);
        if (known != inputs.end() && known->second.source != source)
          fail(c, "module input '" + target + "." + local + "' is connected twice, to '" +
                      known->second.source + "' and to '" + source + "'");
        inputs.emplace(local, Connection{source, c});
      }
    }
    return into;
  }

  void read_module(const pugi::xml_node& v, const Scope& scope, const Inputs& inputs,
                   std::vector<std::string>& stack) {
    const std::string name = display_name(v.attribute("name").value());
    if (v.attribute("resource")) fail(v, "modules in other files (resource=...) are not supported");
    const std::string model_key =
        canonical_name(v.attribute("model") ? v.attribute("model").value() : name.c_str());
    const auto m = models_.find(model_key);
    if (m == models_.end() || model_key.empty())
      fail(v, "module '" + name + "' refers to model '" + model_key +
                  "', which the file does not define");
    if (std::find(stack.begin(), stack.end(), model_key) != stack.end())
      fail(v, "module '" + name + "' contains itself");
    if (stack.size() >= limit(Limit::Nesting))
      fail(v, limit_message(Limit::Nesting,
                            "modules nest " + std::to_string(stack.size() + 1) + " deep"));
    stack.push_back(model_key);
    read_model(m->second, scope.display_prefix + name, inputs, stack);
    stack.pop_back();
  }

  // A module input: an auxiliary that reads the connected variable.
  void add_input(const pugi::xml_node& v, const Scope& scope, const std::string& name,
                 const std::string& source) {
    const std::string full = scope.display_prefix + display_name(name);
    Variable var;
    var.name = full;
    var.location = location(v, full);
    var.equation = Equation("\"" + source + "\"", var.location);
    // A <flow> input stays a flow (its value comes from the connection): the module's stocks
    // may take it as an inflow or outflow, which must be flows.
    if (std::string(v.name()) == "flow") var.kind = VariableKind::Flow;
    var.units = trim(text_of(v.child("units")));
    var.description = trim(text_of(v.child("doc")));
    if (v.child("dimensions")) var.dimensions = dimension_list(v.child("dimensions"), full);
    try {
      model_.add(std::move(var));
    } catch (const Error& e) {
      relocate(e, line(v));
    }
  }

  std::vector<std::string> dimension_list(const pugi::xml_node& dims,
                                          const std::string& variable) const {
    std::vector<std::string> out;
    for (const pugi::xml_node& d : dims.children()) {
      if (d.type() != pugi::node_element || is_vendor(d)) continue;
      if (std::string(d.name()) != "dim")
        fail(d, "unsupported element <" + std::string(d.name()) + "> in a variable's <dimensions>");
      const std::string name = trim(d.attribute("name").value());
      if (name.empty()) fail(d, "a <dim> needs a name");
      if (model_.find_dimension(name) == nullptr) {
        std::string known;
        for (const auto& k : model_.dimensions()) known += (known.empty() ? "" : ", ") + k.name;
        fail(d,
             "unknown dimension '" + name + "'" +
                 (known.empty() ? std::string(" (the file defines none)")
                                : " (known: " + known + ")"),
             variable);
      }
      out.push_back(display_name(name));
    }
    if (out.empty()) fail(dims, "<dimensions> lists no <dim>", variable);
    return out;
  }

  GraphicalFunction read_gf(const pugi::xml_node& g) const {
    GraphicalFunction gf;
    const std::string type = lower(trim(g.attribute("type").value()));
    if (type.empty() || type == "continuous") {
      gf.interpolation = Interpolation::Continuous;
    } else if (type == "extrapolate") {
      gf.interpolation = Interpolation::Extrapolate;
    } else if (type == "discrete") {
      gf.interpolation = Interpolation::Discrete;
    } else {
      fail(g, "graphical function type '" + type + "' is not continuous, extrapolate or discrete");
    }
    if (const auto d = g.attribute("discrete")) {
      const std::string s = lower(trim(d.value()));
      if (s == "true")
        gf.interpolation = Interpolation::Discrete;
      else if (s != "false")
        fail(g, "discrete must be true or false, not '" + s + "'");
    }
    pugi::xml_node xpts, ypts, xscale;
    for (const pugi::xml_node& n : g.children()) {
      if (n.type() != pugi::node_element || is_vendor(n)) continue;
      const std::string tag = n.name();
      if (tag == "xpts")
        xpts = n;
      else if (tag == "ypts")
        ypts = n;
      else if (tag == "xscale")
        xscale = n;
      else if (tag == "yscale")
        continue;  // display range
      else
        fail(n, "unsupported element <" + tag + "> in <gf>");
    }
    auto points = [&](const pugi::xml_node& n) {
      std::string sep = n.attribute("sep") ? n.attribute("sep").value() : ",";
      if (sep.empty()) sep = ",";
      std::vector<double> out;
      const std::string s = text_of(n);
      std::size_t begin = 0;
      for (;;) {
        const std::size_t end = s.find(sep, begin);
        const std::string item =
            trim(s.substr(begin, end == std::string::npos ? std::string::npos : end - begin));
        char* stop = nullptr;
        const double v = std::strtod(item.c_str(), &stop);
        if (item.empty() || stop != item.c_str() + item.size() || !std::isfinite(v))
          fail(n, "<" + std::string(n.name()) + "> has '" + item + "' where a number should be");
        out.push_back(v);
        if (end == std::string::npos) break;
        begin = end + sep.size();
      }
      return out;
    };
    if (!ypts) fail(g, "a graphical function needs <ypts>");
    gf.y = points(ypts);
    if (xpts) {
      gf.x = points(xpts);
      if (gf.x.size() != gf.y.size())
        fail(g, "a graphical function has " + std::to_string(gf.x.size()) + " x points but " +
                    std::to_string(gf.y.size()) + " y points");
    } else {
      if (!xscale || !xscale.attribute("min") || !xscale.attribute("max"))
        fail(g, "a graphical function needs <xpts> or <xscale min=... max=...>");
      const double lo = xscale.attribute("min").as_double();
      const double hi = xscale.attribute("max").as_double();
      const std::size_t n = gf.y.size();
      if (n > 1 && !(hi > lo)) fail(xscale, "<xscale> max must be above min");
      for (std::size_t i = 0; i < n; ++i)
        gf.x.push_back(
            n == 1 ? lo : lo + (hi - lo) * static_cast<double>(i) / static_cast<double>(n - 1));
    }
    for (std::size_t i = 1; i < gf.x.size(); ++i)
      if (!(gf.x[i] > gf.x[i - 1])) fail(g, "graphical function x points must increase");
    return gf;
  }

  Location location(const pugi::xml_node& v, const std::string& variable) const {
    Location where;
    where.file = file_;
    where.line = line(v);
    where.variable = variable;
    return where;
  }

  // Parses `text` for variable `full` (errors carry the line of `at`), with the names of a
  // module's own variables re-pointed at their prefixed names.
  Equation equation(const std::string& text, const std::string& full, const pugi::xml_node& at,
                    const Scope& scope) const {
    Equation parsed(text, location(at, full));
    if (scope.prefix.empty() && !scope.renames) return parsed;
    return Equation::from_tree(
        detail::rename_variables(parsed.tree(), [&](const std::string& name) {
          const auto it = scope.rename.find(name);
          if (it != scope.rename.end()) return it->second;
          // An output of one of this model's own modules: inner.y.
          const auto dot = name.find('.');
          if (dot != std::string::npos && scope.rename.count(name.substr(0, dot)) != 0)
            return scope.prefix + name;
          return name;
        }));
  }

  // The children of a variable's element that read_variable handles in parts.
  struct VariableParts {
    std::vector<pugi::xml_node> eqns;
    pugi::xml_node init_eqn;  // Stella's initial equation (ACTIVE INITIAL)
    pugi::xml_node exact;     // h2sim:exact_eqn, what h2sim's writer wrote for h2sim to read
    std::vector<pugi::xml_node> elements;
    pugi::xml_node gf;
    pugi::xml_node dims;
  };

  // Units, doc, flows and flags go into `var`; equations, elements, <gf> and <dimensions>
  // are returned for later.
  VariableParts read_parts(const pugi::xml_node& v, const std::string& tag, const Scope& scope,
                           Variable& var) {
    VariableParts parts;
    if (tag == "gf") {
      parts.gf = v;
      return parts;
    }
    const std::string& full = var.name;
    for (const pugi::xml_node& n : v.children()) {
      if (n.type() != pugi::node_element) continue;
      if (std::string(n.name()) == "h2sim:exact_eqn") {  // the writer's exact spelling: preferred
        parts.exact = n;
        continue;
      }
      // A lever's step-wise table of TIME, which the writer spells as IF steps for other tools.
      if (std::string(n.name()) == "h2sim:schedule_gf" && tag != "stock") {
        if (parts.gf) fail(n, "a variable has more than one <gf>", full);
        parts.gf = n;
        continue;
      }
      if (is_vendor(n)) {
        ignore(n);
        continue;
      }
      const std::string child = n.name();
      if (child == "eqn") {
        parts.eqns.push_back(n);
      } else if (child == "init_eqn" && tag != "stock") {
        if (parts.init_eqn) fail(n, "a variable has more than one <init_eqn>", full);
        parts.init_eqn = n;
      } else if (child == "units") {
        var.units = trim(text_of(n));
      } else if (child == "doc") {
        var.description = trim(text_of(n));
      } else if (child == "dimensions") {
        parts.dims = n;
      } else if (child == "element") {
        parts.elements.push_back(n);
      } else if (child == "gf" && tag != "stock") {
        if (parts.gf) fail(n, "a variable has more than one <gf>", full);
        parts.gf = n;
      } else if (child == "non_negative" && tag != "aux") {
        var.non_negative = flag(n);
      } else if ((child == "inflow" || child == "outflow") && tag == "stock") {
        const std::string flow = trim(text_of(n));
        if (flow.empty()) fail(n, "an empty <" + child + ">", full);
        (child == "inflow" ? var.inflows : var.outflows)
            .push_back(scope.rename.count(canonical_name(flow)) != 0
                           ? scope.rename.at(canonical_name(flow))
                           : scope.prefix + canonical_name(flow));
      } else if (child == "range" || child == "scale" || child == "format") {
        // display hints
      } else if (child == "conveyor" || child == "queue" || child == "leak" ||
                 child == "leak_integers" || child == "overflow" || child == "leakage") {
        fail(n,
             "<" + child + "> (Stella's conveyors, queues and leakages) is not supported: " +
                 "h2sim's stocks are plain reservoirs",
             full);
      } else {
        ignore(n);  // display and vendor details of a variable
      }
    }
    return parts;
  }

  // The dimensions of `var`, and the element tuple at a row-major position.
  std::vector<const Dimension*> dimensions_of(const Variable& var) const {
    std::vector<const Dimension*> dims;
    for (const auto& d : var.dimensions) dims.push_back(model_.find_dimension(d));
    return dims;
  }
  static std::size_t count_elements(const std::vector<const Dimension*>& dims) {
    std::size_t count = 1;
    for (const Dimension* d : dims) count *= d->elements.size();
    return count;
  }
  static std::vector<std::string> element_tuple(const std::vector<const Dimension*>& dims,
                                                std::size_t linear) {
    std::vector<std::string> tuple(dims.size());
    for (std::size_t k = dims.size(); k-- > 0;) {
      tuple[k] = dims[k]->elements[linear % dims[k]->elements.size()];
      linear /= dims[k]->elements.size();
    }
    return tuple;
  }
  void add_element(Variable& var, std::vector<std::string> tuple, const std::string& text,
                   const pugi::xml_node& at, const Scope& scope) const {
    var.element_equations.push_back(
        {std::move(tuple), equation(trim(text), var.name, at, scope), std::nullopt});
  }

  // <eqn>: one equation; one per element (several <eqn>, or a list "1, 2, 3").
  void read_equations(const std::vector<pugi::xml_node>& eqns, const Scope& scope, Variable& var) {
    const std::vector<const Dimension*> dims = dimensions_of(var);
    const std::size_t element_count = count_elements(dims);
    const std::string& full = var.name;
    if (eqns.size() > 1) {
      if (dims.empty() || eqns.size() != element_count)
        fail(eqns[1],
             "a " +
                 std::string(dims.empty()
                                 ? "scalar variable"
                                 : "variable with " + std::to_string(element_count) + " elements") +
                 " has " + std::to_string(eqns.size()) + " <eqn> elements",
             full);
      for (std::size_t k = 0; k < eqns.size(); ++k)
        add_element(var, element_tuple(dims, k), text_of(eqns[k]), eqns[k], scope);
    } else if (eqns.size() == 1) {
      const std::string text = trim(text_of(eqns[0]));
      bool listed = false;
      const std::vector<std::string> parts =
          dims.empty() ? std::vector<std::string>{} : split_top_level(text, &listed);
      if (listed) {
        if (parts.size() != element_count)
          fail(eqns[0],
               "the list '" + text + "' has " + std::to_string(parts.size()) +
                   " values but the variable has " + std::to_string(element_count) + " elements",
               full);
        for (std::size_t k = 0; k < parts.size(); ++k)
          add_element(var, element_tuple(dims, k), parts[k], eqns[0], scope);
      } else {
        if (read_data_comment(text, eqns[0], var)) return;
        if (without_comments(text).empty())
          fail(eqns[0],
               std::string("has no equation: its <eqn> holds only a comment") +
                   (lower(eqns[0].parent().attribute("access").value()) == "input"
                        ? " (a module input that nothing connects to)"
                        : ""),
               full);
        var.equation = equation(text, full, eqns[0], scope);
      }
    }
  }

  // Converters keep Vensim's data functions in a comment, `0{GET_DIRECT_DATA('e.csv', ',',
  // 'A', 'B2')}`, so that the file still runs elsewhere (as zeros): read the data instead
  // (src/io/data_functions.cpp, shared with the Vensim reader). False when `text` is not one.
  bool read_data_comment(const std::string& text, const pugi::xml_node& at, Variable& var) {
    const std::string rest = without_comments(text);
    const auto open = text.find('{');
    const auto close = text.rfind('}');
    if ((rest != "0" && !rest.empty()) || open == std::string::npos || close < open) return false;
    std::string function;
    std::vector<std::string> args;
    if (!detail::parse_data_call(text.substr(open + 1, close - open - 1), function, args))
      return false;
    const std::string kind = detail::DataFiles::kind(function);
    const std::vector<const Dimension*> dims = dimensions_of(var);
    std::vector<std::size_t> shape;
    for (const Dimension* d : dims) shape.push_back(d->elements.size());
    const std::size_t count = count_elements(dims);
    try {
      if (kind == "constants") {
        const std::vector<double> values = data_files_.constants(args, shape);
        if (dims.empty()) var.equation = Equation::number(values[0]);
        for (std::size_t k = 0; k < values.size() && !dims.empty(); ++k)
          var.element_equations.push_back(
              {element_tuple(dims, k), Equation::number(values[k]), std::nullopt});
        return true;
      }
      if (dims.size() > 1)
        fail(at, "GET DIRECT " + lower(kind) + " for more than one dimension is not supported",
             var.name);
      std::vector<GraphicalFunction> series = data_files_.series(args, count);
      const bool data = kind == "data";  // a series of TIME; lookups are tables
      if (dims.empty()) {
        var.graphical_function = std::move(series[0]);
        if (data) var.equation = Equation("TIME", location(at, var.name));
        return true;
      }
      for (std::size_t k = 0; k < count; ++k)
        var.element_equations.push_back(
            {element_tuple(dims, k), data ? Equation("TIME", location(at, var.name)) : Equation(),
             std::move(series[k])});
    } catch (const std::runtime_error& e) {
      fail(at, std::string(e.what()) + " (in " + text.substr(open + 1, close - open - 1) + ")",
           var.name);
    }
    return true;
  }

  // <element subscript="..."><eqn>...</eqn></element>: one element's own equation.
  void read_element(const pugi::xml_node& el, const Scope& scope, Variable& var) const {
    const std::vector<const Dimension*> dims = dimensions_of(var);
    const std::string& full = var.name;
    if (dims.empty()) fail(el, "<element> in a variable without <dimensions>", full);
    std::vector<std::string> tuple;
    bool listed = false;
    for (const auto& s : split_top_level(el.attribute("subscript").value(), &listed))
      tuple.push_back(s);
    if (tuple.size() != dims.size())
      fail(el,
           "subscript=\"" + std::string(el.attribute("subscript").value()) + "\" names " +
               std::to_string(tuple.size()) + " elements but the variable has " +
               std::to_string(dims.size()) + " dimensions",
           full);
    for (std::size_t k = 0; k < dims.size(); ++k) {
      const auto& els = dims[k]->elements;
      if (std::none_of(els.begin(), els.end(),
                       [&](const std::string& e) { return subscript_covers(model_, tuple[k], e); }))
        fail(el, "'" + tuple[k] + "' is not an element of dimension '" + dims[k]->name + "'", full);
    }
    pugi::xml_node eqn;
    pugi::xml_node gf;
    pugi::xml_node exact;
    pugi::xml_node initial;
    for (const pugi::xml_node& n : el.children()) {
      if (std::string(n.name()) == "h2sim:exact_eqn") exact = n;
      if (n.type() != pugi::node_element || is_vendor(n)) continue;
      const std::string child = n.name();
      if (child == "init_eqn" && !initial)
        initial = n;
      else if (child == "eqn" && !eqn)
        eqn = n;
      else if (child == "gf" && !gf)
        gf = n;  // this element's own graphical function
      else
        fail(n, "unsupported element <" + child + "> in <element>", full);
    }
    if (!eqn && !gf) fail(el, "<element> has no <eqn>", full);
    if (exact) {
      add_element(var, tuple, text_of(exact), exact, scope);
    } else if (eqn) {
      add_element(var, tuple, text_of(eqn), eqn, scope);
      if (initial) {  // this element's ACTIVE INITIAL
        const Equation start = equation(trim(text_of(initial)), full, initial, scope);
        Equation& running = var.element_equations.back().equation;
        running = Equation::from_tree(active_initial(running.tree(), start.tree()));
      }
    } else {  // an element of an array of lookup tables: table[element](x)
      var.element_equations.push_back({tuple, Equation(), std::nullopt});
    }
    if (gf) var.element_equations.back().graphical_function = read_gf(gf);
  }

  static ExprPtr active_initial(const ExprPtr& running, const ExprPtr& start) {
    auto call = std::make_shared<detail::Expr>();
    call->kind = detail::ExprKind::Call;
    call->name = "active_initial";
    call->column = 1;
    call->args = {running, start};
    return call;
  }

  // Stella's <init_eqn>: the value while the initial values are computed, the <eqn> after
  // (Vensim's ACTIVE INITIAL), for the apply-to-all equation and every element's own.
  void initial_equation(const pugi::xml_node& n, const Scope& scope, Variable& var) const {
    const Equation initial = equation(trim(text_of(n)), var.name, n, scope);
    auto wrap = [&](Equation& eq) {
      if (eq) eq = Equation::from_tree(active_initial(eq.tree(), initial.tree()));
    };
    if (!var.equation && var.element_equations.empty())
      fail(n, "has an <init_eqn> but no <eqn>", var.name);
    wrap(var.equation);
    for (ElementEquation& e : var.element_equations) wrap(e.equation);
  }

  void read_variable(const pugi::xml_node& v, const Scope& scope, const std::string& name) {
    const std::string tag = v.name();
    const std::string full = scope.display_prefix + display_name(name);

    Variable var;
    var.name = full;
    var.location = location(v, full);
    var.kind = tag == "stock"  ? VariableKind::Stock
               : tag == "flow" ? VariableKind::Flow
                               : VariableKind::Auxiliary;
    var.non_negative = tag == "stock"  ? stocks_non_negative_
                       : tag == "flow" ? flows_non_negative_
                                       : false;
    const VariableParts parts = read_parts(v, tag, scope, var);
    if (parts.gf) var.graphical_function = read_gf(parts.gf);
    if (parts.dims) var.dimensions = dimension_list(parts.dims, full);
    read_equations(parts.exact ? std::vector<pugi::xml_node>{parts.exact} : parts.eqns, scope, var);
    std::set<std::vector<std::string>> given;  // an element's equation given twice: which one?
    for (const pugi::xml_node& el : parts.elements) {
      read_element(el, scope, var);
      std::vector<std::string> key;
      for (const std::string& s : var.element_equations.back().elements)
        key.push_back(canonical_name(s));
      if (!given.insert(key).second)
        fail(el,
             "<element subscript=\"" + std::string(el.attribute("subscript").value()) +
                 "\"> is given twice",
             full);
    }
    if (parts.init_eqn && !parts.exact) initial_equation(parts.init_eqn, scope, var);
    const bool scalar = var.dimensions.empty();

    const bool has_equation = var.equation || !var.element_equations.empty();
    if (!has_equation) {
      if (var.graphical_function && tag != "stock" && scalar) {
        // A lookup table, called as name(x).
      } else {
        fail(v,
             std::string(tag == "stock" ? "stock has no initial value (<eqn>)"
                                        : "has no equation (<eqn>)"),
             full);
      }
    }
    // A lookup table is an auxiliary, whatever element it was written as.
    if (tag == "gf" || var.is_lookup_table()) var.kind = VariableKind::Auxiliary;
    if (model_.find(full) != nullptr) fail(v, "a variable with this name is already defined", full);
    try {
      model_.add(std::move(var));
    } catch (const Error& e) {
      relocate(e, line(v));
    }
  }

  const std::string& text_;
  std::string file_;
  std::vector<std::string>* warnings_ = nullptr;
  std::vector<std::size_t> line_starts_;
  pugi::xml_document doc_;
  Model model_;
  std::map<std::string, pugi::xml_node> models_;
  std::vector<std::pair<std::string, int>> skipped_;  // elements skipped, and their lines
  detail::DataFiles data_files_{file_};               // data files converters refer to
  bool stocks_non_negative_ = false;
  bool flows_non_negative_ = false;
};

}  // namespace

Model detail::read_xmile(const std::string& text, const std::string& file,
                         std::vector<std::string>* warnings) {
  return Reader(text, file, warnings).read();
}

}  // namespace h2sim
