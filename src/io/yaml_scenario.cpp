// YAML scenario files: a model, time settings, parameter overrides, lever schedules,
// outputs, and `extends:` chains in which later files override earlier ones by path.
// Translation only: what the model's equations mean is checked by check_model, which
// load_scenario (src/load/) runs next.
#include <algorithm>
#include <filesystem>
#include <map>
#include <set>

#include "core/counting.hpp"
#include "expr/ast.hpp"
#include "h2sim/limits.hpp"
#include "h2sim/scenario.hpp"
#include "io/readers.hpp"
#include "io/yaml_loader.hpp"
#include "io/yaml_support.hpp"

namespace h2sim {

namespace fs = std::filesystem;
using detail::did_you_mean;
using detail::path_exists;
using detail::path_is_folder;
using detail::path_key;
using detail::YamlReader;

namespace {

struct Layer {
  YamlReader reader;
  YAML::Node root;
};

// XMILE by extension (.xmile, .stmx, .itmx, .xml) or by content that starts with '<'.
bool is_xmile(const std::string& text, const std::string& file) {
  std::string ext = fs::path(file).extension().string();
  std::transform(ext.begin(), ext.end(), ext.begin(),
                 [](unsigned char c) { return std::tolower(c); });
  if (ext == ".xmile" || ext == ".stmx" || ext == ".itmx" || ext == ".xml") return true;
  const auto first = text.find_first_not_of(" \t\r\n\xEF\xBB\xBF");
  return first != std::string::npos && text[first] == '<';
}

// Vensim by extension (.mdl).
bool is_vensim(const std::string& file) {
  std::string ext = fs::path(file).extension().string();
  std::transform(ext.begin(), ext.end(), ext.begin(),
                 [](unsigned char c) { return std::tolower(c); });
  return ext == ".mdl";
}

bool is_model_file(const YAML::Node& root) {
  if (root["model"] || root["extends"]) return false;
  for (const char* key :
       {"stocks", "flows", "auxiliaries", "constants", "components", "lookups", "dimensions"})
    if (root[key]) return true;
  // Neither kind's sections: a file with a key only a model has (`name:`, `inputs:`) or a
  // misspelled section (`constans:`) is a model file, so that the typo is what gets reported.
  for (const char* key : {"scenario", "parameters", "levers"})
    if (root[key]) return false;
  for (const auto& item : root) {
    const std::string key = item.first.Scalar();
    const auto& analysis = analysis_section_names();
    if (key != "description" && key != "time" && key != "outputs" &&
        std::find(analysis.begin(), analysis.end(), key) == analysis.end())
      return true;
  }
  return false;
}

class ScenarioLoader {
 public:
  Scenario load(const std::string& text, const std::string& file) {
    // An XMILE or Vensim model runs as a scenario of itself.
    if (is_vensim(file) || is_xmile(text, file)) {
      Scenario s;
      s.file = s.model_file = file;
      s.chain = {file};
      s.model = is_vensim(file) ? detail::read_vensim(text, file)
                                : detail::read_xmile(text, file, &s.warnings);
      s.name = s.model.name().empty() ? fs::path(file).stem().string() : s.model.name();
      return s;
    }
    YamlReader reader(file);
    const YAML::Node root = reader.parse(text);
    reader.expect_map(root, "", "a scenario or model file");
    Scenario s;
    s.file = file;
    if (is_model_file(root)) {
      detail::LoadContext context;
      context.stack = {key_of(file)};
      detail::LoadedModel loaded = detail::load_model_node(root, file, context);
      s.name = loaded.model.name();
      s.description = loaded.description;
      s.model_file = file;
      s.model = std::move(loaded.model);
      s.outputs = loaded.outputs;
      s.sections = std::move(loaded.sections);
      s.chain = {file};
      return s;
    }
    collect(Layer{reader, root}, file);
    const Layer* with_model = nullptr;
    for (const Layer& l : chain_)
      if (l.root["model"]) with_model = &l;
    if (with_model == nullptr)
      chain_.back().reader.fail(chain_.back().root, "",
                                "a scenario needs `model:` (the model file it runs), or `extends:` "
                                "a scenario that has one");
    const YAML::Node model_node = with_model->root["model"];
    const fs::path model_path = fs::path(with_model->reader.file()).parent_path() /
                                with_model->reader.text(model_node, "model");
    if (!path_exists(model_path))
      with_model->reader.fail(model_node, "model", "no such model file: " + model_path.string());
    if (path_is_folder(model_path))
      with_model->reader.fail(model_node, "model",
                              "names a folder, not a model file: " + model_path.string());
    detail::LoadContext context;
    context.stack = {key_of(model_path.string())};
    detail::LoadedModel loaded;
    const std::string model_text = detail::read_file(model_path.string());
    if (is_vensim(model_path.string())) {
      loaded.model = detail::read_vensim(model_text, model_path.string());
    } else if (is_xmile("", model_path.string())) {
      loaded.model = detail::read_xmile(model_text, model_path.string(), &s.warnings);
    } else {
      loaded = detail::load_model_file(model_path.string(), context);
    }
    s.model = std::move(loaded.model);
    s.model_file = model_path.string();
    s.outputs = loaded.outputs;
    s.sections = std::move(loaded.sections);
    s.name = fs::path(file).stem().string();

    // Later layers override earlier ones; levers by name, lists whole.
    std::map<std::string, std::pair<const Layer*, YAML::Node>> levers;
    std::vector<std::string> lever_order;
    for (const Layer& l : chain_) {
      s.chain.push_back(l.reader.file());
      const YAML::Node& r = l.root;
      if (r["scenario"]) s.name = l.reader.text(r["scenario"], "scenario");
      if (r["description"]) s.description = l.reader.text(r["description"], "description");
      if (r["time"]) detail::read_time(r["time"], "time", s.model.time(), l.reader);
      if (r["dimensions"]) replace_dimensions(s, l, r["dimensions"]);
      if (r["parameters"]) apply_parameters(s, l, r["parameters"]);
      if (r["outputs"]) s.outputs = read_outputs(s.model, l, r["outputs"]);
      detail::read_analysis_sections(r, l.reader, s.sections);
      if (r["levers"]) {
        l.reader.expect_map(r["levers"], "levers", "a mapping of constants to schedules");
        std::map<std::string, std::string> here;  // one file names a lever once
        for (const auto& item : r["levers"]) {
          const std::string name = l.reader.text(item.first, "levers");
          const std::string key = canonical_name(name);
          if (const auto [at, fresh] = here.emplace(key, name); !fresh)
            l.reader.fail(item.first, "levers." + name,
                          "names the lever `" + at->second + "` again (names compare without "
                          "case, and _ is a space): which schedule should it take?");
          if (!levers.count(key)) lever_order.push_back(key);
          levers[key] = {&l, item.second};
          lever_names_[key] = {name, item.first};
        }
      }
    }
    check_replaced_elements(s);
    for (const auto& key : lever_order) {
      const auto& [layer, spec] = levers[key];
      apply_lever(s, *layer, lever_names_[key].first, lever_names_[key].second, spec);
    }
    return s;
  }

 private:
  static std::string key_of(const std::string& file) { return path_key(file); }

  void collect(Layer layer, const std::string& file) {
    const YAML::Node& root = layer.root;
    layer.reader.check_keys(root, "",
                            {"scenario", "description", "model", "extends", "time", "dimensions",
                             "parameters", "levers", "outputs", "outcomes", "targets",
                             "uncertainties", "calibration", "reality_checks"});
    const std::string key = key_of(file);
    if (std::find(visiting_.begin(), visiting_.end(), key) != visiting_.end()) {
      std::string cycle;
      for (auto it = std::find(visiting_.begin(), visiting_.end(), key); it != visiting_.end();
           ++it)
        cycle += fs::path(*it).filename().string() + " -> ";
      layer.reader.fail(
          root["extends"], "extends",
          "scenarios extend each other in a cycle: " + cycle + fs::path(key).filename().string());
    }
    visiting_.push_back(key);
    if (root["extends"] && visiting_.size() >= limit(Limit::Nesting))
      layer.reader.fail(
          root["extends"], "extends",
          limit_message(Limit::Nesting, "scenarios extend each other " +
                                            std::to_string(visiting_.size()) + " deep"));
    if (root["extends"]) {
      const fs::path parent =
          fs::path(file).parent_path() / layer.reader.text(root["extends"], "extends");
      if (!path_exists(parent))
        layer.reader.fail(root["extends"], "extends", "no such scenario file: " + parent.string());
      if (path_is_folder(parent))
        layer.reader.fail(root["extends"], "extends",
                          "names a folder, not a scenario file: " + parent.string());
      const std::string parent_key = key_of(parent.string());
      if (std::find(visiting_.begin(), visiting_.end(), parent_key) != visiting_.end()) {
        std::string cycle;
        for (auto it = std::find(visiting_.begin(), visiting_.end(), parent_key);
             it != visiting_.end(); ++it)
          cycle += fs::path(*it).filename().string() + " -> ";
        layer.reader.fail(root["extends"], "extends",
                          "scenarios extend each other in a cycle: " + cycle +
                              fs::path(parent_key).filename().string());
      }
      YamlReader parent_reader(parent.string());
      const YAML::Node parent_root = parent_reader.parse(detail::read_file(parent.string()));
      parent_reader.expect_map(parent_root, "", "a scenario file");
      if (is_model_file(parent_root))
        layer.reader.fail(root["extends"], "extends",
                          "`extends:` names a model file; use `model:` for models");
      collect(Layer{parent_reader, parent_root}, parent.string());
    }
    chain_.push_back(std::move(layer));
  }

  // A constant by name ("price" or "subsidy[bus]"): the variable and its elements.
  std::pair<const Variable*, std::vector<std::string>> find_constant(const Model& model,
                                                                     const Layer& l,
                                                                     const YAML::Node& at,
                                                                     const std::string& path,
                                                                     const std::string& name) {
    const auto open = name.find('[');
    const std::string base = name.substr(0, open);
    const Variable* v = model.find(base);
    if (v == nullptr) {
      std::vector<std::string> constants;
      for (const auto& var : model.variables())
        if (var.kind == VariableKind::Constant) constants.push_back(var.name);
      l.reader.fail(at, path, "unknown constant `" + base + "`" + did_you_mean(base, constants));
    }
    if (!is_settable_constant(*v))
      l.reader.fail(
          at, path,
          "`" + v->name + "` is computed by an equation; only constants can be set by a scenario");
    std::vector<std::string> elements;
    if (open != std::string::npos) {
      if (name.back() != ']') l.reader.fail(at, path, "expected `name[element]`");
      std::stringstream inner(name.substr(open + 1, name.size() - open - 2));
      std::string part;
      while (std::getline(inner, part, ',')) elements.push_back(canonical_name(part));
      if (elements.size() != v->dimensions.size())
        l.reader.fail(
            at, path,
            "`" + v->name + "` has " + std::to_string(v->dimensions.size()) + " dimension(s)");
      for (std::size_t d = 0; d < elements.size(); ++d) {
        const Dimension* dim = model.find_dimension(v->dimensions[d]);
        if (std::none_of(dim->elements.begin(), dim->elements.end(),
                         [&](const std::string& e) { return canonical_name(e) == elements[d]; }))
          l.reader.fail(at, path,
                        "`" + elements[d] + "` is not an element of `" + dim->name + "`" +
                            did_you_mean(elements[d], dim->elements));
      }
    }
    return {v, elements};
  }

  // dimensions: {city: [china]} - the scenario's own elements. Variables that were
  // given per element lose those values and must get new ones under `parameters:`.
  void replace_dimensions(Scenario& s, const Layer& l, const YAML::Node& node) {
    l.reader.expect_map(node, "dimensions", "a mapping of dimension names to element lists");
    for (const auto& item : node) {
      const std::string name = l.reader.text(item.first, "dimensions");
      const std::string path = "dimensions." + name;
      if (s.model.find_dimension(name) == nullptr) {
        std::vector<std::string> known;
        for (const auto& d : s.model.dimensions()) known.push_back(d.name);
        l.reader.fail(item.first, path,
                      "the model has no dimension `" + name + "`" + did_you_mean(name, known));
      }
      try {
        for (const auto& v :
             s.model.set_dimension_elements(name, l.reader.text_list(item.second, path)))
          needs_elements_.push_back({v, &l, item.first});
      } catch (const ModelError& e) {
        l.reader.fail(item.second, path, e.message());
      }
    }
  }

  // Every variable whose per-element values a new dimension dropped has new ones: each
  // element (tuple) is matched by an equation, or the scenario set one value for all.
  void check_replaced_elements(const Scenario& s) {
    for (const auto& [name, layer, at] : needs_elements_) {
      const Variable* v = s.model.find(name);
      if (v->element_equations.empty() && set_whole_.count(canonical_name(v->name)) != 0) continue;
      std::vector<const Dimension*> dims;
      std::size_t count = 1;
      for (const auto& d : v->dimensions) {
        dims.push_back(s.model.find_dimension(d));
        count = detail::saturating_product(count, dims.back()->elements.size());
      }
      if (count > limit(Limit::Elements))
        layer->reader.fail(at, "dimensions",
                           limit_message(Limit::Elements, "`" + v->name + "` would have " +
                                                              std::to_string(count) + " elements"));
      std::vector<std::size_t> index(dims.size(), 0);
      for (;;) {
        const bool covered = std::any_of(
            v->element_equations.begin(), v->element_equations.end(),
            [&](const ElementEquation& eq) {
              for (std::size_t d = 0; d < dims.size(); ++d)
                if (eq.elements[d] != "*" &&
                    canonical_name(eq.elements[d]) != canonical_name(dims[d]->elements[index[d]]))
                  return false;
              return true;
            });
        if (!covered) {
          std::string element;
          for (std::size_t d = 0; d < dims.size(); ++d)
            element += (d ? "," : "") + dims[d]->elements[index[d]];
          layer->reader.fail(
              at, "dimensions",
              "`" + v->name + "` was given per element; give it a value for `" + v->name + "[" +
                  element +
                  "]` (and each other new element) under `parameters:`, or one value for all");
        }
        std::size_t d = dims.size();
        while (d > 0 && ++index[d - 1] == dims[d - 1]->elements.size()) index[--d] = 0;
        if (d == 0) break;
      }
    }
  }

  void apply_parameters(Scenario& s, const Layer& l, const YAML::Node& node) {
    l.reader.expect_map(node, "parameters", "a mapping of constants to values");
    std::map<std::vector<std::string>, std::string> here;  // one file sets a value once
    for (const auto& item : node) {
      const std::string name = l.reader.text(item.first, "parameters");
      const std::string path = "parameters." + name;
      auto [v, elements] = find_constant(s.model, l, item.first, path, name);
      std::vector<std::string> key{canonical_name(v->name)};
      for (const std::string& e : elements) key.push_back(canonical_name(e));
      if (const auto [at, fresh] = here.emplace(key, name); !fresh)
        l.reader.fail(item.first, path,
                      "sets `" + at->second + "` again (names compare without case, and _ is "
                      "a space): which value should it take?");
      const double value = l.reader.number(item.second, path);
      s.model.set_constant(v->name, value, elements);
      if (elements.empty()) set_whole_.insert(canonical_name(v->name));
      s.parameters.emplace_back(name, value);
    }
  }

  std::vector<std::string> read_outputs(const Model& model, const Layer& l,
                                        const YAML::Node& node) {
    auto outputs = l.reader.text_list(node, "outputs");
    std::vector<std::string> names;
    for (const auto& v : model.variables()) names.push_back(v.name);
    for (std::size_t i = 0; i < outputs.size(); ++i) {
      const std::string base = outputs[i].substr(0, outputs[i].find('['));
      if (model.find(base) == nullptr)
        l.reader.fail(node.IsSequence() ? node[i] : node, "outputs[" + std::to_string(i) + "]",
                      "unknown variable `" + outputs[i] + "`" + did_you_mean(base, names));
    }
    return outputs;
  }

  // levers: {name: 10} | {name: {step: {2020: 1, 2025: 0}}} | {linear: ...} | {ramp: {...}}
  void apply_lever(Scenario& s, const Layer& l, const std::string& name,
                   const YAML::Node& name_node, const YAML::Node& spec) {
    const std::string path = "levers." + name;
    auto [v, elements] = find_constant(s.model, l, name_node, path, name);
    if (!elements.empty())
      l.reader.fail(name_node, path,
                    "a schedule drives every element of `" + v->name +
                        "`; name the variable without [elements]");
    LeverSchedule lever;
    lever.name = v->name;
    lever.before = v->equation && v->equation.tree()->kind == detail::ExprKind::Number
                       ? v->equation.tree()->number
                       : 0.0;
    if (spec.IsScalar()) {
      lever.kind = LeverSchedule::Kind::Constant;
      lever.values = {l.reader.number(spec, path)};
      s.model.set_constant(v->name, lever.values[0]);
      s.levers.push_back(lever);
      return;
    }
    l.reader.expect_map(spec, path, "a number or one of {constant:, step:, linear:, ramp:}");
    l.reader.check_keys(spec, path, {"constant", "step", "linear", "ramp", "description"});
    int kinds = 0;
    for (const char* k : {"constant", "step", "linear", "ramp"}) kinds += spec[k] ? 1 : 0;
    if (kinds != 1)
      l.reader.fail(spec, path, "give exactly one of `constant:`, `step:`, `linear:` or `ramp:`");
    const double base = lever.before;
    if (spec["constant"]) {
      lever.kind = LeverSchedule::Kind::Constant;
      lever.values = {l.reader.number(spec["constant"], path + ".constant")};
      s.model.set_constant(v->name, lever.values[0]);
      s.levers.push_back(lever);
      return;
    }
    if (spec["ramp"]) {
      const YAML::Node r = spec["ramp"];
      const std::string rp = path + ".ramp";
      l.reader.expect_map(r, rp, "{start:, end:, to:} and optionally from:");
      l.reader.check_keys(r, rp, {"start", "end", "from", "to"});
      for (const char* k : {"start", "end", "to"})
        if (!r[k]) l.reader.fail(r, rp, std::string("a ramp needs `") + k + ":`");
      const double start = l.reader.number(r["start"], rp + ".start");
      const double end = l.reader.number(r["end"], rp + ".end");
      const double from = r["from"] ? l.reader.number(r["from"], rp + ".from") : base;
      const double to = l.reader.number(r["to"], rp + ".to");
      if (!(end > start)) l.reader.fail(r["end"], rp + ".end", "the ramp must end after it starts");
      lever.kind = LeverSchedule::Kind::Ramp;
      lever.times = {start, end};
      lever.values = {from, to};
    } else {
      const bool step = static_cast<bool>(spec["step"]);
      const YAML::Node points = step ? spec["step"] : spec["linear"];
      const std::string pp = path + (step ? ".step" : ".linear");
      l.reader.expect_map(points, pp, "a mapping of years to values, e.g. {2020: 1, 2025: 0}");
      for (const auto& item : points) {
        const std::string t = l.reader.text(item.first, pp);
        lever.times.push_back(l.reader.number(item.first, pp + "." + t));
        lever.values.push_back(l.reader.number(item.second, pp + "." + t));
        if (lever.times.size() > 1 && !(lever.times.back() > lever.times[lever.times.size() - 2]))
          l.reader.fail(item.first, pp + "." + t, "the times of a schedule must increase");
      }
      if (lever.times.empty()) l.reader.fail(points, pp, "a schedule needs at least one point");
      lever.kind = step ? LeverSchedule::Kind::Step : LeverSchedule::Kind::Linear;
    }
    s.model.set_time_schedule(v->name, schedule_table(lever, s.model.time().start));
    s.levers.push_back(lever);
  }

  std::vector<Layer> chain_;
  std::vector<std::string> visiting_;
  std::map<std::string, std::pair<std::string, YAML::Node>> lever_names_;
  struct NeedsElements {
    std::string variable;
    const Layer* layer;
    YAML::Node at;
  };
  std::vector<NeedsElements> needs_elements_;
  std::set<std::string> set_whole_;  // constants a scenario set to one value for every element
};

}  // namespace

GraphicalFunction schedule_table(const LeverSchedule& lever, double start) {
  GraphicalFunction gf;
  gf.x = lever.times;
  gf.y = lever.values;
  switch (lever.kind) {
    case LeverSchedule::Kind::Constant:
      gf.x = {start};
      gf.y = {lever.values.empty() ? lever.before : lever.values.front()};
      break;
    case LeverSchedule::Kind::Step:
      gf.interpolation = Interpolation::Discrete;
      // The model's value until the first change.
      if (!gf.x.empty() && gf.x.front() > start) {
        gf.x.insert(gf.x.begin(), start);
        gf.y.insert(gf.y.begin(), lever.before);
      }
      break;
    case LeverSchedule::Kind::Linear:
    case LeverSchedule::Kind::Ramp:
      gf.interpolation = Interpolation::Continuous;
      break;
  }
  return gf;
}

std::string to_string(LeverSchedule::Kind kind) {
  switch (kind) {
    case LeverSchedule::Kind::Constant:
      return "constant";
    case LeverSchedule::Kind::Step:
      return "step";
    case LeverSchedule::Kind::Linear:
      return "linear";
    case LeverSchedule::Kind::Ramp:
      return "ramp";
  }
  return "constant";
}

Scenario detail::read_scenario(const std::string& text, const std::string& file) {
  return ScenarioLoader().load(text, file);
}

}  // namespace h2sim
