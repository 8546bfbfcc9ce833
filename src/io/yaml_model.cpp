// YAML model files: dimensions, constants, stocks, flows, auxiliaries, lookups,
// components and outputs, into an h2sim::Model. docs/scenario-format.md describes
// the format; every error points at file:line:column and the YAML path.
#include <algorithm>
#include <filesystem>
#include <map>
#include <set>
#include <unordered_map>

#include "core/counting.hpp"
#include "expr/ast.hpp"
#include "expr/transform.hpp"
#include "h2sim/limits.hpp"
#include "io/readers.hpp"
#include "io/yaml_loader.hpp"
#include "io/yaml_support.hpp"

namespace h2sim::detail {

namespace fs = std::filesystem;

namespace {

const std::initializer_list<const char*> kModelKeys = {
    "name", "description", "source", "time", "dimensions", "inputs", "constants", "stocks", "flows",
    "auxiliaries", "lookups", "components", "outputs",
    // analysis sections, carried as data (yaml_sections.cpp)
    "outcomes", "targets", "uncertainties", "calibration", "reality_checks"};
const std::initializer_list<const char*> kCommonKeys = {"units", "label", "description", "source",
                                                        "dimensions"};

class ModelLoader {
 public:
  ModelLoader(const std::string& file, LoadContext& context) : reader_(file), context_(context) {}

  LoadedModel load(const YAML::Node& root) {
    reader_.expect_map(root, "", "a model file");
    reader_.check_keys(root, "", kModelKeys);
    LoadedModel out;
    out.model = Model(root["name"] ? reader_.text(root["name"], "name")
                                   : fs::path(reader_.file()).stem().string());
    model_ = &out.model;
    if (root["description"]) out.description = reader_.text(root["description"], "description");
    if (root["time"]) read_time(root["time"], "time", model_->time(), reader_);
    if (root["dimensions"]) read_dimensions(root["dimensions"]);
    // Components first, so that this model's equations can refer to their variables.
    if (root["components"]) read_components(root["components"]);
    if (root["constants"])
      read_section(root["constants"], "constants", &ModelLoader::read_constant);
    if (root["stocks"]) read_section(root["stocks"], "stocks", &ModelLoader::read_stock);
    if (root["flows"]) read_section(root["flows"], "flows", &ModelLoader::read_flow);
    if (root["auxiliaries"])
      read_section(root["auxiliaries"], "auxiliaries", &ModelLoader::read_auxiliary);
    if (root["lookups"]) read_section(root["lookups"], "lookups", &ModelLoader::read_lookup);
    if (root["inputs"]) {
      for (const auto& name : reader_.text_list(root["inputs"], "inputs")) {
        const Variable* v = model_->find(name);
        if (v == nullptr)
          reader_.fail(root["inputs"], "inputs",
                       "input `" + name +
                           "` is not defined in this model: give it a default value under "
                           "constants or auxiliaries" +
                           did_you_mean(name, names()));
        out.inputs.push_back(v->name);
      }
    }
    if (const YAML::Node outputs = root["outputs"]) {
      out.outputs = reader_.text_list(outputs, "outputs");
      for (std::size_t i = 0; i < out.outputs.size(); ++i) {
        const std::string base = out.outputs[i].substr(0, out.outputs[i].find('['));
        // One name may stand alone (`outputs: fleet`): a scalar has no items to point at.
        if (model_->find(base) == nullptr)
          reader_.fail(outputs.IsSequence() ? outputs[i] : outputs,
                       "outputs[" + std::to_string(i) + "]",
                       "unknown variable `" + out.outputs[i] + "`" + did_you_mean(base, names()));
      }
    }
    read_analysis_sections(root, reader_, out.sections);
    return out;
  }

 private:
  using SectionReader = void (ModelLoader::*)(const std::string&, const YAML::Node&,
                                              const std::string&);

  std::vector<std::string> names() const {
    std::vector<std::string> n;
    for (const auto& v : model_->variables()) n.push_back(v.name);
    return n;
  }

  void read_section(const YAML::Node& node, const std::string& section, SectionReader f) {
    if (node.IsNull()) return;
    reader_.expect_map(node, section, "a mapping of names to definitions");
    std::set<std::string> seen;
    for (const auto& item : node) {
      const std::string name = reader_.text(item.first, section);
      const std::string path = section + "." + name;
      if (!seen.insert(canonical_name(name)).second)
        reader_.fail(item.first, path, "`" + name + "` is defined twice in " + section);
      if (const Variable* other = model_->find(name))
        reader_.fail(
            item.first, path,
            "`" + name + "` is already defined" +
                (other->location.line > 0 ? " at line " + std::to_string(other->location.line)
                                          : std::string()));
      location_ = reader_.where(item.first);
      (this->*f)(name, item.second, path);
    }
  }

  // Parses an equation; a syntax error points at the equation's line in the file.
  Equation parse(const std::string& text, const std::string& variable, const YAML::Node& node) {
    Location where = reader_.where(node);
    where.variable = variable;
    return Equation(text, where);
  }

  // A new variable of this model, defined at the key being read.
  Variable new_variable(const std::string& name, VariableKind kind) const {
    Variable v;
    v.name = name;
    v.kind = kind;
    v.location = location_;
    return v;
  }

  // Adds a variable; a model error (an empty name, say) points at its definition.
  VariableEditor add(Variable v, const YAML::Node& at, const std::string& path) {
    count_variables(1, at, path);
    try {
      return model_->add(std::move(v));
    } catch (const ModelError& e) {
      reader_.fail(at, path, e.message());
    }
  }

  // `basis:` says how a default was obtained (docs/scenario-format.md), checked so that a
  // typo is an error with file:line; "" when not given.
  std::string check_basis(const YAML::Node& node, const std::string& path) {
    if (!node["basis"]) return "";
    const std::string basis = reader_.text(node["basis"], path + ".basis");
    if (basis != "published" && basis != "calibrated" && basis != "assumption")
      reader_.fail(node["basis"], path + ".basis",
                   "`" + basis + "` is not a basis: give published, calibrated or assumption");
    return basis;
  }

  void read_common(Variable& v, const YAML::Node& node, const std::string& path) {
    if (!node.IsMap()) return;
    if (node["units"]) v.units = reader_.text(node["units"], path + ".units");
    if (node["label"]) v.label = reader_.text(node["label"], path + ".label");
    if (node["description"])
      v.description = reader_.text(node["description"], path + ".description");
    if (node["source"]) v.source = reader_.text(node["source"], path + ".source");
    if (node["dimensions"]) {
      v.dimensions = reader_.text_list(node["dimensions"], path + ".dimensions");
      for (std::size_t i = 0; i < v.dimensions.size(); ++i)
        if (model_->find_dimension(v.dimensions[i]) == nullptr) {
          std::vector<std::string> known;
          for (const auto& d : model_->dimensions()) known.push_back(d.name);
          reader_.fail(
              node["dimensions"].IsSequence() ? node["dimensions"][i] : node["dimensions"],
              path + ".dimensions",
              "unknown dimension `" + v.dimensions[i] + "`" + did_you_mean(v.dimensions[i], known) +
                  (known.empty() ? "; declare it under `dimensions:` at the top of the file" : ""));
        }
    }
  }

  // One key for a tuple of elements however it is spelt (`a` and `A`, "a, x" and "a,x").
  static std::string tuple_key(const std::vector<std::string>& elements) {
    std::string key;
    for (const auto& e : elements) key += canonical_name(e) + ",";
    return key;
  }

  // `equation:` as one text for every element, or a mapping element -> equation.
  void read_equation(Variable& v, const YAML::Node& node, const std::string& path, bool set_main) {
    if (node.IsMap()) {
      if (v.dimensions.empty())
        reader_.fail(node, path, "per-element equations need `dimensions:` on the variable");
      const ElementIndex index = element_index(v.dimensions);
      // The same key twice (`a` and `A`, "a, x" and "a,x"): the later one would be ignored.
      std::unordered_map<std::string, std::string> seen;
      for (const auto& item : node) {
        const std::string key = reader_.text(item.first, path);
        const std::vector<std::string> elements =
            element_key(key, index, v, item.first, path + "." + key, true);
        if (const auto [at, added] = seen.emplace(tuple_key(elements), key); !added)
          reader_.fail(item.first, path + "." + key,
                       "names the element(s) of `" + at->second + "` again (names compare "
                       "without case, and _ is a space): which equation should they take?");
        const std::string text = reader_.equation_text(item.second, path + "." + key);
        v.element_equations.push_back({elements, parse(text, v.name, item.second), std::nullopt});
      }
      if (set_main) {
        // Every element must have an equation when there is no apply-to-all one: a key of
        // its own or a key with `*` that covers it ("bus, *"). Marked equation by equation,
        // so that a dimension of n elements with n keys takes n steps, not n^2.
        check_element_count(index.count, v.name, node, path);
        // Keys with `*` written a million times would take a million passes: the elements
        // they name, in all, are bounded as the resolver bounds them.
        std::size_t named = 0;
        for (const ElementEquation& eq : v.element_equations) {
          std::size_t count = 1;
          for (std::size_t d = 0; d < eq.elements.size(); ++d)
            if (eq.elements[d] == "*")
              count = saturating_product(count, index.dimensions[d]->elements.size());
          named = saturating_sum(named, count);
        }
        if (named > limit(Limit::Elements))
          reader_.fail(
              node, path,
              limit_message(Limit::Elements, "the per-element equations of `" + v.name + "` name " +
                                                 std::to_string(named) + " elements in all"));
        std::vector<char> has(index.count, 0);
        for (const ElementEquation& eq : v.element_equations) mark(eq.elements, index, has);
        const auto missing = std::find(has.begin(), has.end(), 0);
        if (missing != has.end()) {
          std::string tuple;
          auto rest = static_cast<std::size_t>(missing - has.begin());
          for (std::size_t d = index.dimensions.size(); d-- > 0;) {
            const auto& elements = index.dimensions[d]->elements;
            tuple = elements[rest % elements.size()] + (tuple.empty() ? "" : ", " + tuple);
            rest /= elements.size();
          }
          reader_.fail(node, path,
                       "gives " + std::to_string(std::count(has.begin(), has.end(), 1)) +
                           " of the " + std::to_string(index.count) + " elements of `" + v.name +
                           "`; give every element (none for `" + tuple + "`)");
        }
        v.equation = v.element_equations.front().equation;
      }
      return;
    }
    const std::string text = reader_.equation_text(node, path);
    v.equation = parse(text, v.name, node);
  }

  void read_constant(const std::string& name, const YAML::Node& node, const std::string& path) {
    Variable v = new_variable(name, VariableKind::Constant);
    if (node.IsScalar()) {
      v.equation = Equation::number(reader_.number(node, path));
      add(std::move(v), node, path);
      return;
    }
    reader_.expect_map(node, path, "a number or a mapping with `value:`");
    reader_.check_keys(node, path,
                       {"value", "units", "label", "description", "source", "basis", "dimensions",
                        "range", "distribution", "lever"});
    read_common(v, node, path);
    v.basis = check_basis(node, path);
    v.equation = Equation::number(0.0);
    if (!node["value"]) reader_.fail(node, path, "a constant needs `value:`");
    const YAML::Node value = node["value"];
    if (value.IsMap()) {
      if (v.dimensions.empty())
        reader_.fail(value, path + ".value", "values per element need `dimensions:`");
      // One value per element tuple (the same tuple twice, as `a` and `A`, is refused),
      // counted as read: n elements take n steps.
      const ElementIndex index = element_index(v.dimensions);
      check_element_count(index.count, name, value, path + ".value");
      std::unordered_map<std::string, std::size_t> seen;
      for (const auto& item : value) {
        const std::string key = reader_.text(item.first, path + ".value");
        const std::string here = path + ".value." + key;
        std::vector<std::string> elements = element_key(key, index, v, item.first, here, false);
        const std::string tuple = tuple_key(elements);
        ElementEquation eq{std::move(elements), Equation::number(reader_.number(item.second, here)),
                           std::nullopt};
        const auto [at, added] = seen.emplace(tuple, v.element_equations.size());
        if (!added)
          reader_.fail(item.first, here,
                       "gives the value of an element again (names compare without case, and _ "
                       "is a space; this key names what an earlier one did): which value "
                       "should it take?");
        v.element_equations.push_back(std::move(eq));
      }
      if (v.element_equations.size() < index.count)
        reader_.fail(value, path + ".value",
                     "gives " + std::to_string(v.element_equations.size()) + " of the " +
                         std::to_string(index.count) +
                         " elements; give every element or one number for all");
    } else {
      v.equation = Equation::number(reader_.number(value, path + ".value"));
    }
    VariableEditor constant = add(std::move(v), node, path);
    if (node["lever"]) read_lever(constant, node["lever"], path + ".lever");
    if (node["range"] && node["distribution"])
      reader_.fail(node["distribution"], path + ".distribution",
                   "give either `range:` or `distribution:`, not both");
    if (node["range"]) {
      const auto r = reader_.number_list(node["range"], path + ".range");
      if (r.size() != 2 || !(r[0] < r[1]))
        reader_.fail(node["range"], path + ".range", "expected [low, high] with low < high");
      Uncertainty u;
      u.kind = Uncertainty::Kind::Uniform;
      u.low = r[0];
      u.high = r[1];
      constant.with_uncertainty(u);
    }
    if (node["distribution"])
      constant.with_uncertainty(read_distribution(node["distribution"], path + ".distribution"));
  }

  // lever: true | false | {range: [low, high]} | {options: [v1, v2, ...]}
  void read_lever(VariableEditor& constant, const YAML::Node& node, const std::string& path) {
    if (!node.IsMap()) {
      constant.as_lever(reader_.boolean(node, path));
      return;
    }
    reader_.check_keys(node, path, {"range", "options"});
    if (static_cast<bool>(node["range"]) == static_cast<bool>(node["options"]))
      reader_.fail(node, path, "give `true`, `{range: [low, high]}` or `{options: [v1, v2, ...]}`");
    constant.as_lever(true);
    if (node["range"]) {
      const std::vector<double> range = reader_.number_list(node["range"], path + ".range");
      if (range.size() != 2 || !(range[0] < range[1]))
        reader_.fail(node["range"], path + ".range", "expected [low, high] with low < high");
      constant.with_lever_range(range);
      return;
    }
    const std::vector<double> options = reader_.number_list(node["options"], path + ".options");
    if (options.empty())
      reader_.fail(node["options"], path + ".options", "give at least one option");
    // Sorted, so that a long list of options is checked in n log n, not pairwise.
    std::vector<std::size_t> order(options.size());
    for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
    std::stable_sort(order.begin(), order.end(),
                     [&](std::size_t a, std::size_t b) { return options[a] < options[b]; });
    std::size_t twice = options.size();
    for (std::size_t k = 1; k < order.size(); ++k)
      if (options[order[k]] == options[order[k - 1]]) twice = std::min(twice, order[k]);
    if (twice < options.size())
      reader_.fail(node["options"][twice], path + ".options[" + std::to_string(twice) + "]",
                   "the option " + node["options"][twice].Scalar() + " is given twice");
    constant.with_lever_options(options);
  }

  Uncertainty read_distribution(const YAML::Node& node, const std::string& path) {
    reader_.expect_map(node, path, "a distribution such as {type: normal, mean: 1, sd: 0.1}");
    reader_.check_keys(node, path, {"type", "low", "high", "mode", "mean", "sd"});
    if (!node["type"])
      reader_.fail(node, path,
                   "a distribution needs `type:` (uniform, normal, triangular or lognormal)");
    const std::string type = reader_.text(node["type"], path + ".type");
    Uncertainty u;
    // A key the type does not use (`mean:` on a uniform) would be ignored: refused instead.
    auto only = [&](std::initializer_list<const char*> keys, const std::string& takes) {
      for (const auto& item : node) {
        const std::string key = item.first.Scalar();
        if (key != "type" &&
            std::none_of(keys.begin(), keys.end(), [&](const char* k) { return key == k; }))
          reader_.fail(item.first, path + "." + key,
                       "a " + type + " distribution does not use `" + key + "` (it takes " +
                           takes + ")");
      }
    };
    auto need = [&](const char* key) {
      if (!node[key]) reader_.fail(node, path, "a " + type + " distribution needs `" + key + ":`");
      return reader_.number(node[key], path + "." + key);
    };
    if (type == "uniform") {
      only({"low", "high"}, "low and high");
      u.kind = Uncertainty::Kind::Uniform;
      u.low = need("low");
      u.high = need("high");
      if (!(u.low < u.high)) reader_.fail(node, path, "uniform: low must be below high");
    } else if (type == "normal" || type == "lognormal") {
      only({"mean", "sd", "low", "high"}, "mean and sd (and low and high to truncate it)");
      u.kind = type == "normal" ? Uncertainty::Kind::Normal : Uncertainty::Kind::Lognormal;
      u.mean = need("mean");
      u.sd = need("sd");
      if (!(u.sd > 0))
        reader_.fail(node["sd"], path + ".sd", "the standard deviation must be positive");
      u.low = node["low"] ? reader_.number(node["low"], path + ".low") : -HUGE_VAL;
      u.high = node["high"] ? reader_.number(node["high"], path + ".high") : HUGE_VAL;
    } else if (type == "triangular") {
      only({"low", "mode", "high"}, "low, mode and high");
      u.kind = Uncertainty::Kind::Triangular;
      u.low = need("low");
      u.mode = need("mode");
      u.high = need("high");
      if (!(u.low <= u.mode && u.mode <= u.high && u.low < u.high))
        reader_.fail(node, path, "triangular: expected low <= mode <= high, low < high");
    } else {
      reader_.fail(node["type"], path + ".type",
                   "unknown distribution `" + type + "`" +
                       did_you_mean(type, {"uniform", "normal", "triangular", "lognormal"}) +
                       "; expected uniform, normal, triangular or lognormal");
    }
    return u;
  }

  void read_stock(const std::string& name, const YAML::Node& node, const std::string& path) {
    reader_.expect_map(node, path, "a stock definition with `initial:`");
    reader_.check_keys(node, path,
                       {"initial", "inflows", "outflows", "non_negative", "units", "label",
                        "description", "source", "dimensions"});
    if (!node["initial"])
      reader_.fail(node, path, "a stock needs `initial:` (its value at the start time)");
    Variable v = new_variable(name, VariableKind::Stock);
    read_common(v, node, path);
    read_equation(v, node["initial"], path + ".initial", true);
    if (node["inflows"]) v.inflows = reader_.text_list(node["inflows"], path + ".inflows");
    if (node["outflows"]) v.outflows = reader_.text_list(node["outflows"], path + ".outflows");
    if (node["non_negative"])
      v.non_negative = reader_.boolean(node["non_negative"], path + ".non_negative");
    add(std::move(v), node, path);
    flow_references_.push_back({name, path, node});
  }

  void read_flow(const std::string& name, const YAML::Node& node, const std::string& path) {
    if (node.IsMap()) {
      reader_.check_keys(
          node, path,
          {"equation", "non_negative", "units", "label", "description", "source", "dimensions"});
      if (!node["equation"]) reader_.fail(node, path, "a flow needs `equation:`");
    }
    Variable v = new_variable(name, VariableKind::Flow);
    read_common(v, node, path);
    read_equation(v, node.IsMap() ? node["equation"] : node,
                  path + (node.IsMap() ? ".equation" : ""), true);
    if (node.IsMap() && node["non_negative"])
      v.non_negative = reader_.boolean(node["non_negative"], path + ".non_negative");
    add(std::move(v), node, path);
  }

  void read_auxiliary(const std::string& name, const YAML::Node& node, const std::string& path) {
    if (node.IsMap()) {
      reader_.check_keys(
          node, path,
          {"equation", "lookup", "units", "label", "description", "source", "dimensions"});
      if (!node["equation"]) reader_.fail(node, path, "an auxiliary needs `equation:`");
    }
    Variable v = new_variable(name, VariableKind::Auxiliary);
    read_common(v, node, path);
    read_equation(v, node.IsMap() ? node["equation"] : node,
                  path + (node.IsMap() ? ".equation" : ""), true);
    if (node.IsMap() && node["lookup"])
      v.graphical_function = read_graphical_function(node["lookup"], path + ".lookup");
    add(std::move(v), node, path);
  }

  void read_lookup(const std::string& name, const YAML::Node& node, const std::string& path) {
    Variable v = new_variable(name, VariableKind::Auxiliary);
    v.graphical_function = read_graphical_function(node, path);
    v.description =
        node["description"] ? reader_.text(node["description"], path + ".description") : "";
    v.source = node["source"] ? reader_.text(node["source"], path + ".source") : "";
    v.basis = check_basis(node, path);
    v.units = v.graphical_function->y_units;
    add(std::move(v), node, path);
  }

  GraphicalFunction read_graphical_function(const YAML::Node& node, const std::string& path) {
    reader_.expect_map(node, path, "a lookup with `points:` or `x:` and `y:`");
    reader_.check_keys(node, path,
                       {"points", "x", "y", "interpolation", "x_units", "y_units", "description",
                        "source", "basis"});
    check_basis(node, path);
    GraphicalFunction gf;
    if (node["points"]) {
      if (node["x"] || node["y"])
        reader_.fail(node, path, "give either `points:` or `x:` and `y:`, not both");
      reader_.expect_sequence(node["points"], path + ".points", "a list of [x, y] pairs");
      for (std::size_t i = 0; i < node["points"].size(); ++i) {
        const std::string p = path + ".points[" + std::to_string(i) + "]";
        const auto xy = reader_.number_list(node["points"][i], p);
        if (xy.size() != 2) reader_.fail(node["points"][i], p, "expected a pair [x, y]");
        gf.x.push_back(xy[0]);
        gf.y.push_back(xy[1]);
      }
    } else {
      if (!node["x"] || !node["y"])
        reader_.fail(node, path, "a lookup needs `points:`, or both `x:` and `y:`");
      gf.x = reader_.number_list(node["x"], path + ".x");
      gf.y = reader_.number_list(node["y"], path + ".y");
      if (gf.x.size() != gf.y.size())
        reader_.fail(node["y"], path + ".y",
                     "has " + std::to_string(gf.y.size()) + " values but `x` has " +
                         std::to_string(gf.x.size()));
    }
    if (gf.x.empty()) reader_.fail(node, path, "a lookup needs at least one point");
    for (std::size_t i = 1; i < gf.x.size(); ++i)
      if (!(gf.x[i] > gf.x[i - 1]))
        reader_.fail(node, path,
                     "x values must increase: " + std::to_string(gf.x[i]) + " follows " +
                         std::to_string(gf.x[i - 1]));
    if (node["interpolation"]) {
      const std::string kind = reader_.text(node["interpolation"], path + ".interpolation");
      if (kind == "continuous")
        gf.interpolation = Interpolation::Continuous;
      else if (kind == "extrapolate")
        gf.interpolation = Interpolation::Extrapolate;
      else if (kind == "discrete")
        gf.interpolation = Interpolation::Discrete;
      else
        reader_.fail(node["interpolation"], path + ".interpolation",
                     "unknown interpolation `" + kind + "`" +
                         did_you_mean(kind, {"continuous", "extrapolate", "discrete"}) +
                         "; expected continuous, extrapolate or discrete");
    }
    if (node["x_units"]) gf.x_units = reader_.text(node["x_units"], path + ".x_units");
    if (node["y_units"]) gf.y_units = reader_.text(node["y_units"], path + ".y_units");
    return gf;
  }

  void read_dimensions(const YAML::Node& node) {
    reader_.expect_map(node, "dimensions", "a mapping of dimension names to element lists");
    for (const auto& item : node) {
      const std::string name = reader_.text(item.first, "dimensions");
      const std::string path = "dimensions." + name;
      const auto elements = reader_.text_list(item.second, path);
      try {
        model_->add_dimension(name, elements);
      } catch (const ModelError& e) {
        reader_.fail(item.first, path, e.message());
      }
    }
  }

  // components: {prefix: {file: path, inputs: {input: expression}}}
  void read_components(const YAML::Node& node) {
    reader_.expect_map(node, "components", "a mapping of component names to {file:, inputs:}");
    for (const auto& item : node) {
      const std::string prefix = reader_.text(item.first, "components");
      const std::string path = "components." + prefix;
      // The prefix names the copies (prefix.variable): it must be a name.
      if (canonical_name(prefix).empty() || prefix.find_first_of("[](){}\"") != std::string::npos ||
          prefix.front() == '.' || prefix.back() == '.')
        reader_.fail(item.first, path,
                     "a component needs a name (its variables are called `name.variable`), "
                     "not `" +
                         prefix + "`");
      reader_.expect_map(item.second, path, "a component with `file:`");
      reader_.check_keys(item.second, path, {"file", "inputs", "description"});
      if (!item.second["file"]) reader_.fail(item.second, path, "a component needs `file:`");
      const fs::path file = fs::path(reader_.file()).parent_path() /
                            reader_.text(item.second["file"], path + ".file");
      if (!path_exists(file))
        reader_.fail(item.second["file"], path + ".file", "no such file: " + file.string());
      if (path_is_folder(file))
        reader_.fail(item.second["file"], path + ".file",
                     "names a folder, not a model file: " + file.string());
      const std::string key = path_key(file);
      if (std::find(context_.stack.begin(), context_.stack.end(), key) != context_.stack.end())
        reader_.fail(item.second["file"], path + ".file",
                     "components include each other in a cycle: " + cycle_text(key));
      auto cached = context_.components.find(key);
      if (cached == context_.components.end() && context_.stack.size() >= limit(Limit::Nesting))
        reader_.fail(
            item.second["file"], path + ".file",
            limit_message(Limit::Nesting, "components include components " +
                                              std::to_string(context_.stack.size()) + " deep"));
      if (cached == context_.components.end()) {
        context_.stack.push_back(key);
        LoadedModel loaded = load_model_file(file.string(), context_);
        context_.stack.pop_back();
        cached = context_.components.emplace(key, std::move(loaded)).first;
      }
      const LoadedModel& component = cached->second;
      count_variables(component.model.variables().size(), item.first, path);
      include_component(prefix, component, item.first, item.second["inputs"], path);
    }
  }

  // A variable's dimensions, with each one's elements by canonical name, and their product.
  struct ElementIndex {
    std::vector<const Dimension*> dimensions;
    std::vector<std::unordered_map<std::string, std::size_t>> positions;
    std::size_t count = 1;
  };
  ElementIndex element_index(const std::vector<std::string>& dimensions) const {
    ElementIndex index;
    for (const auto& name : dimensions) {
      const Dimension* d = model_->find_dimension(name);
      index.dimensions.push_back(d);
      auto& positions = index.positions.emplace_back();
      for (std::size_t k = 0; k < d->elements.size(); ++k)
        positions.emplace(canonical_name(d->elements[k]), k);
      index.count = saturating_product(index.count, d->elements.size());
    }
    return index;
  }

  // "bus, north": the canonical elements a per-element key names, one per dimension ("*"
  // for all, when `wildcards`), each checked against its dimension.
  std::vector<std::string> element_key(const std::string& key, const ElementIndex& index,
                                       const Variable& v, const YAML::Node& at,
                                       const std::string& path, bool wildcards) const {
    std::vector<std::string> elements;
    std::string part;
    std::stringstream split(key);
    while (std::getline(split, part, ',')) elements.push_back(canonical_name(part));
    if (elements.size() != index.dimensions.size())
      reader_.fail(at, path,
                   "names " + std::to_string(elements.size()) + " element(s) but `" + v.name +
                       "` has " + std::to_string(index.dimensions.size()) +
                       " dimension(s); write them as `a, b`");
    for (std::size_t d = 0; d < elements.size(); ++d) {
      if ((wildcards && elements[d] == "*") || index.positions[d].count(elements[d]) != 0) continue;
      const Dimension* dim = index.dimensions[d];
      reader_.fail(at, path,
                   "`" + elements[d] + "` is not an element of `" + dim->name + "`" +
                       did_you_mean(elements[d], dim->elements));
    }
    return elements;
  }

  // Marks in `has` (row-major over the variable's elements) the tuples `elements` names.
  static void mark(const std::vector<std::string>& elements, const ElementIndex& index,
                   std::vector<char>& has) {
    std::vector<std::vector<std::size_t>> choices;
    for (std::size_t d = 0; d < elements.size(); ++d) {
      auto& options = choices.emplace_back();
      if (elements[d] == "*") {
        for (std::size_t k = 0; k < index.dimensions[d]->elements.size(); ++k) options.push_back(k);
      } else {
        options.push_back(index.positions[d].at(elements[d]));
      }
    }
    std::vector<std::size_t> at(choices.size(), 0);  // an odometer over the choices
    for (;;) {
      std::size_t linear = 0;
      for (std::size_t d = 0; d < choices.size(); ++d)
        linear = linear * index.dimensions[d]->elements.size() + choices[d][at[d]];
      has[linear] = 1;
      std::size_t d = choices.size();
      while (d > 0 && ++at[d - 1] == choices[d - 1].size()) at[--d] = 0;
      if (d == 0) return;
    }
  }

  // Before going through a variable's elements one by one: there are not too many.
  void check_element_count(std::size_t count, const std::string& name, const YAML::Node& at,
                           const std::string& path) {
    if (count > limit(Limit::Elements))
      reader_.fail(
          at, path,
          limit_message(Limit::Elements, "`" + name + "` has " +
                                             (count == SIZE_MAX ? std::string("more than 2^64")
                                                                : std::to_string(count)) +
                                             " elements"));
  }

  // Every variable a load reads or copies counts against one budget: components included
  // ten times over, nine deep, would otherwise copy 10^9 variables before any model
  // exceeded the limit.
  void count_variables(std::size_t more, const YAML::Node& at, const std::string& path) {
    context_.variables = saturating_sum(context_.variables, more);
    if (context_.variables > limit(Limit::Variables))
      reader_.fail(at, path,
                   limit_message(Limit::Variables,
                                 "with its components (each included copy counted) the model "
                                 "has more than " +
                                     std::to_string(limit(Limit::Variables)) + " variables"));
  }

  std::string cycle_text(const std::string& again) const {
    std::string s;
    for (auto it = std::find(context_.stack.begin(), context_.stack.end(), again);
         it != context_.stack.end(); ++it)
      s += fs::path(*it).filename().string() + " -> ";
    return s + fs::path(again).filename().string();
  }

  // `at`: the component's key in `components:` (where a clash of names is reported).
  void include_component(const std::string& prefix, const LoadedModel& component,
                         const YAML::Node& at, const YAML::Node& inputs, const std::string& path) {
    const Model& c = component.model;
    // A dimension the including model declares wins over the component's own list,
    // so that one component serves any set of cities; the component's list is the
    // default when it runs alone.
    for (const Dimension& d : c.dimensions())
      if (model_->find_dimension(d.name) == nullptr) model_->add_dimension(d.name, d.elements);
    std::set<std::string> own;
    for (const Variable& v : c.variables()) own.insert(canonical_name(v.name));
    const std::string p = canonical_name(prefix) + ".";
    auto rename = [&](const std::string& n) { return own.count(n) ? p + n : n; };
    for (const Variable& v : c.variables()) {
      Variable copy = v;
      copy.name = prefix + "." + v.name;
      if (copy.equation)
        copy.equation = Equation::from_tree(rename_variables(copy.equation.tree(), rename));
      for (auto& eq : copy.element_equations)
        eq.equation = Equation::from_tree(rename_variables(eq.equation.tree(), rename));
      for (auto& f : copy.inflows) f = prefix + "." + f;
      for (auto& f : copy.outflows) f = prefix + "." + f;
      if (model_->find(copy.name) != nullptr)
        reader_.fail(at, path,
                     "`" + copy.name + "` is defined twice (a prefix and a name, or two "
                     "prefixes, that are one name: names compare without case, and _ is a space)");
      model_->add(std::move(copy));
    }
    if (!inputs) return;
    reader_.expect_map(inputs, path + ".inputs",
                       "a mapping of the component's inputs to equations");
    for (const auto& item : inputs) {
      const std::string input = reader_.text(item.first, path + ".inputs");
      const std::string here = path + ".inputs." + input;
      const auto declared = std::find_if(
          component.inputs.begin(), component.inputs.end(),
          [&](const std::string& n) { return canonical_name(n) == canonical_name(input); });
      if (declared == component.inputs.end())
        reader_.fail(item.first, here,
                     "`" + input + "` is not an input of the component" +
                         did_you_mean(input, component.inputs) +
                         (component.inputs.empty() ? "; it declares no `inputs:`" : ""));
      // By the component's own spelling: the name as given may only match on its own
      // ("\fdemand" is `demand`, but "p.\fdemand" is not "p.demand"). Every declared input
      // is a variable of the component (checked when it was read), copied above.
      Variable v = *model_->find(prefix + "." + *declared);
      const std::string text = reader_.equation_text(item.second, here);
      // Bound inputs read the including model's names, so they are not prefixed.
      v.equation = parse(text, v.name, item.second);
      v.element_equations.clear();
      if (v.kind == VariableKind::Constant) v.kind = VariableKind::Auxiliary;
      v.location = reader_.where(item.first);
      model_->replace(std::move(v));
    }
  }

  YamlReader reader_;
  LoadContext& context_;
  Model* model_ = nullptr;
  Location location_;  // the key of the variable being read
  struct FlowReference {
    std::string stock;
    std::string path;
    YAML::Node node;
  };
  std::vector<FlowReference> flow_references_;

 public:
  // Inflows and outflows must name flows of this model; checked once all are read.
  void check_flow_references() {
    for (const auto& ref : flow_references_) {
      const Variable* stock = model_->find(ref.stock);
      for (const char* key : {"inflows", "outflows"}) {
        const auto& list = std::string(key) == "inflows" ? stock->inflows : stock->outflows;
        for (std::size_t i = 0; i < list.size(); ++i) {
          const Variable* f = model_->find(list[i]);
          const std::string here = ref.path + "." + key;
          const YAML::Node at = ref.node[key].IsSequence() ? ref.node[key][i] : ref.node[key];
          if (f == nullptr) {
            std::vector<std::string> flows;
            for (const auto& v : model_->variables())
              if (v.kind == VariableKind::Flow) flows.push_back(v.name);
            reader_.fail(at, here, "unknown flow `" + list[i] + "`" + did_you_mean(list[i], flows));
          }
          if (f->kind != VariableKind::Flow)
            reader_.fail(at, here, "`" + list[i] + "` is not a flow; define it under `flows:`");
        }
      }
    }
  }
};

}  // namespace

void read_time(const YAML::Node& node, const std::string& path, TimeSettings& time,
               const YamlReader& reader) {
  reader.expect_map(node, path, "time settings");
  reader.check_keys(node, path, {"start", "stop", "dt", "save_every", "method", "units"});
  time.location = reader.where(node);
  time.location.column = 0;
  if (node["start"]) time.start = reader.number(node["start"], path + ".start");
  if (node["stop"]) time.stop = reader.number(node["stop"], path + ".stop");
  if (node["dt"]) {
    time.dt = reader.number(node["dt"], path + ".dt");
    if (!(time.dt > 0)) reader.fail(node["dt"], path + ".dt", "dt must be positive");
  }
  if (node["save_every"]) {
    time.save_every = reader.number(node["save_every"], path + ".save_every");
    if (!(time.save_every > 0))
      reader.fail(node["save_every"], path + ".save_every", "save_every must be positive");
  }
  if (node["method"]) {
    try {
      time.method = parse_method(reader.text(node["method"], path + ".method"));
    } catch (const ModelError& e) {
      reader.fail(node["method"], path + ".method", e.message());
    }
  }
  if (node["units"]) time.time_units = reader.text(node["units"], path + ".units");
  if (!(time.stop > time.start))
    reader.fail(node, path,
                "stop (" + std::to_string(time.stop) + ") must be after start (" +
                    std::to_string(time.start) + ")");
}

LoadedModel load_model_file(const std::string& path, LoadContext& context) {
  YamlReader reader(path);
  const YAML::Node root = reader.parse(read_file(path));
  if (context.stack.empty()) context.stack.push_back(path_key(path));
  ModelLoader loader(path, context);
  LoadedModel out = loader.load(root);
  loader.check_flow_references();
  out.file = path;
  return out;
}

LoadedModel load_model_node(const YAML::Node& root, const std::string& path, LoadContext& context) {
  ModelLoader loader(path, context);
  LoadedModel out = loader.load(root);
  loader.check_flow_references();
  out.file = path;
  return out;
}

}  // namespace h2sim::detail
