// _h2sim: the compiled core of the h2sim Python package. The pure-Python package
// (python/h2sim) builds pandas and xarray objects on top of these few calls.
#include <pybind11/functional.h>
#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <cmath>
#include <h2sim/h2sim.hpp>
#include <regex>

namespace py = pybind11;
using namespace h2sim;

namespace {

// Text for Python whatever bytes it holds: a message may quote part of a file, or cut a
// UTF-8 sequence short; bytes that are not UTF-8 come out as \xNN instead of failing.
py::str python_text(const std::string& s) {
  PyObject* o =
      PyUnicode_DecodeUTF8(s.data(), static_cast<Py_ssize_t>(s.size()), "backslashreplace");
  if (o == nullptr) throw py::error_already_set();
  return py::reinterpret_steal<py::str>(o);
}

// Raises the matching h2sim.errors class with the message and where it happened.
void raise_python_error(const char* class_name, const Error& e) {
  py::object errors = py::module_::import("h2sim.errors");
  py::object cls = errors.attr(class_name);
  const Location& w = e.where();
  py::object instance = cls(
      python_text(e.what()), py::arg("message") = python_text(e.message()),
      py::arg("file") = python_text(w.file), py::arg("line") = w.line, py::arg("column") = w.column,
      py::arg("variable") = python_text(w.variable), py::arg("equation") = python_text(w.equation));
  PyErr_SetObject(cls.ptr(), instance.ptr());
}

// Raises h2sim.errors.Error for what is not an h2sim::Error: memory running out, or a bug.
void raise_plain_error(const std::string& message) {
  py::object cls = py::module_::import("h2sim.errors").attr("Error");
  py::object instance = cls(python_text(message));
  PyErr_SetObject(cls.ptr(), instance.ptr());
}

// The one rule of h2sim::is_settable_constant, with the error a run gives for the others.
const Variable& settable(const Scenario& s, const std::string& name) {
  const Variable* v = s.model.find(name);
  Location where;
  where.variable = name;
  if (v == nullptr) throw ModelError("no constant with this name", where);
  if (!is_settable_constant(*v)) {
    where = v->location;
    where.variable = v->name;
    throw ModelError("is " + std::string(v->kind == VariableKind::Auxiliary ? "an " : "a ") +
                         to_string(v->kind) +
                         " computed by an equation, not a constant: only constants can be set",
                     where);
  }
  return *v;
}

SimulationOptions make_options(std::optional<double> start, std::optional<double> stop,
                               std::optional<double> dt, std::optional<double> save_every,
                               std::optional<std::string> method,
                               std::vector<std::string> outputs) {
  SimulationOptions o;
  o.start = start;
  o.stop = stop;
  o.dt = dt;
  o.save_every = save_every;
  if (method) o.method = parse_method(*method);
  o.outputs = std::move(outputs);
  return o;
}

// How the Python package names a schedule table's interpolation.
Interpolation table_interpolation(const std::string& name) {
  if (name == "step") return Interpolation::Discrete;
  if (name == "linear") return Interpolation::Continuous;
  throw ModelError("a lever trajectory is 'linear' or 'step', not '" + name + "'");
}
const char* table_interpolation_name(Interpolation i) {
  return i == Interpolation::Discrete ? "step" : "linear";
}

using DoubleArray = py::array_t<double, py::array::c_style | py::array::forcecast>;
using IndexArray = py::array_t<std::int64_t, py::array::c_style | py::array::forcecast>;

GraphicalFunction make_table(const DoubleArray& times, const DoubleArray& values,
                             const std::string& interpolation) {
  GraphicalFunction gf;
  gf.x.assign(times.data(), times.data() + times.size());
  gf.y.assign(values.data(), values.data() + values.size());
  gf.interpolation = table_interpolation(interpolation);
  return gf;
}

// A column of lever trajectories from flat arrays: table t has the points
// [offsets[t], offsets[t + 1]) of times and values; lanes[i] is lane i's table (empty: one
// table per lane, or one for all).
ScheduleColumn make_schedule_column(const std::string& name, const IndexArray& offsets,
                                    const DoubleArray& times, const DoubleArray& values,
                                    const std::vector<std::string>& interpolations,
                                    const IndexArray& lanes) {
  ScheduleColumn column;
  column.name = name;
  const auto n = static_cast<std::size_t>(offsets.size());
  if (n == 0 || interpolations.size() + 1 != n || times.size() != values.size())
    throw ModelError("lever trajectories of '" + name + "': offsets, times and values disagree");
  const std::int64_t* o = offsets.data();
  for (std::size_t t = 0; t + 1 < n; ++t) {
    if (o[t] < 0 || o[t + 1] < o[t] || o[t + 1] > static_cast<std::int64_t>(times.size()))
      throw ModelError("lever trajectories of '" + name + "': offsets out of order");
    GraphicalFunction gf;
    gf.x.assign(times.data() + o[t], times.data() + o[t + 1]);
    gf.y.assign(values.data() + o[t], values.data() + o[t + 1]);
    gf.interpolation = table_interpolation(interpolations[t]);
    column.tables.push_back(std::move(gf));
  }
  for (py::ssize_t i = 0; i < lanes.size(); ++i) {
    if (lanes.data()[i] < 0) throw ModelError("lever trajectories of '" + name + "': bad lane");
    column.table_of_lane.push_back(static_cast<std::size_t>(lanes.data()[i]));
  }
  return column;
}

// A result's numbers, handed to numpy without a copy: the array owns the vector.
py::array_t<double> to_numpy(std::vector<double>&& values, std::vector<py::ssize_t> shape) {
  auto* owner = new std::vector<double>(std::move(values));
  py::capsule free_when_done(owner, [](void* v) { delete static_cast<std::vector<double>*>(v); });
  return py::array_t<double>(shape, owner->data(), free_when_done);
}

py::dict variable_dict(const Variable& v) {
  py::dict d;
  d["name"] = v.name;
  d["kind"] = to_string(v.kind);
  d["equation"] = v.equation.text();
  d["units"] = v.units;
  d["label"] = v.label;
  d["description"] = v.description;
  d["source"] = v.source;
  d["basis"] = v.basis;
  d["dimensions"] = v.dimensions;
  d["lever"] = v.lever;
  py::object domain = py::none();  // the values a policy study may give the lever
  if (!v.lever_range.empty()) {
    py::dict r;
    r["range"] = v.lever_range;
    domain = r;
  } else if (!v.lever_options.empty()) {
    py::dict o;
    o["options"] = v.lever_options;
    domain = o;
  }
  d["lever_domain"] = domain;
  d["inflows"] = v.inflows;
  d["outflows"] = v.outflows;
  d["non_negative"] = v.non_negative;
  // Where the variable is defined, so that run-time errors can point at it.
  d["file"] = v.location.file;
  d["line"] = v.location.line;
  d["column"] = v.location.column;
  py::object range = py::none();
  if (v.uncertainty) {
    const Uncertainty& u = *v.uncertainty;
    py::dict r;
    r["type"] = to_string(u.kind);
    r["low"] = u.low;
    r["high"] = u.high;
    r["mode"] = u.mode;
    r["mean"] = u.mean;
    r["sd"] = u.sd;
    range = r;
  }
  d["uncertainty"] = range;
  return d;
}

// A YAML scalar as the YAML 1.2 core schema types it (quoted scalars stay strings).
py::object scalar_value(const DataNode& node) {
  if (node.quoted) return py::str(node.scalar);
  const std::string& t = node.scalar;
  if (t.empty() || t == "~" || t == "null" || t == "Null" || t == "NULL") return py::none();
  if (t == "true" || t == "True" || t == "TRUE") return py::bool_(true);
  if (t == "false" || t == "False" || t == "FALSE") return py::bool_(false);
  static const std::regex integer(R"([-+]?[0-9]+)");
  static const std::regex real(
      R"([-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?|[-+]?\.(inf|Inf|INF)|\.(nan|NaN|NAN))");
  if (std::regex_match(t, integer)) return py::int_(py::str(t));
  if (std::regex_match(t, real)) {
    std::string v = t;
    if (v.find("inf") != std::string::npos || v.find("Inf") != std::string::npos ||
        v.find("INF") != std::string::npos)
      return py::float_(v[0] == '-' ? -INFINITY : INFINITY);
    if (v.find(".nan") != std::string::npos || v.find(".NaN") != std::string::npos ||
        v.find(".NAN") != std::string::npos)
      return py::float_(NAN);
    return py::float_(std::stod(v));
  }
  return py::str(t);
}

// The section as plain Python data, and every node's (file, line, column) by its path.
py::object section_value(const DataNode& node, py::tuple path, py::dict& locations) {
  locations[path] = py::make_tuple(node.where.file, node.where.line, node.where.column);
  switch (node.kind) {
    case DataNode::Kind::Scalar:
      return scalar_value(node);
    case DataNode::Kind::List: {
      py::list out;
      for (std::size_t i = 0; i < node.children.size(); ++i)
        out.append(section_value(node.children[i], path + py::make_tuple(i), locations));
      return out;
    }
    case DataNode::Kind::Map: {
      py::dict out;
      for (std::size_t i = 0; i < node.keys.size(); ++i)
        out[py::str(node.keys[i])] =
            section_value(node.children[i], path + py::make_tuple(node.keys[i]), locations);
      return out;
    }
    default:
      return py::none();
  }
}

// Longer than 100 lines: one statement per bound method of Program, PreparedRun and their
// helpers, a list read line by line against include/h2sim/program.hpp.
void bind_program(py::module_& m) {
  py::class_<Program>(m, "Program")
      .def_property_readonly("outputs",
                             [](const Program& p) {
                               py::list out;
                               for (const auto& o : p.outputs())
                                 out.append(py::make_tuple(o.name, o.variable, o.units));
                               return out;
                             })
      .def_property_readonly("parameters",
                             [](const Program& p) {
                               py::list out;
                               for (const auto& o : p.parameters())
                                 out.append(py::make_tuple(o.name, o.value, o.units));
                               return out;
                             })
      .def_property_readonly("structural_parameters",
                             [](const Program& p) {
                               std::vector<std::string> out;
                               for (const auto& o : p.parameters())
                                 if (o.structural) out.push_back(o.name);
                               return out;
                             })
      .def_property_readonly(
          "schedules",
          [](const Program& p) {
            py::list out;
            for (const auto& o : p.schedules())
              out.append(py::make_tuple(o.name, o.variable, o.units, o.table.x, o.table.y,
                                        table_interpolation_name(o.table.interpolation)));
            return out;
          })
      .def(
          "settable",
          [](const Program& p, const std::string& name) {
            const Settable s = p.settable(name);
            return py::make_tuple(s.parameters, s.schedules);
          },
          py::arg("name"),
          "(parameter indices, schedule indices) a run sets by this name; ModelError saying what "
          "the name is (an auxiliary, a flow, a stock and the levers it depends on) otherwise.")
      .def_property_readonly("backend", &Program::backend,
                             "\"interpreter\", or \"compiled\" for machine code (build_native).")
      .def_property_readonly("stock_count", &Program::stock_count)
      .def_property_readonly("instruction_count", &Program::instruction_count)
      .def(
          "run",
          [](const Program& p, const std::vector<std::pair<std::string, double>>& overrides,
             std::optional<double> start, std::optional<double> stop, std::optional<double> dt,
             std::optional<double> save_every, std::optional<std::string> method,
             std::vector<std::string> outputs,
             const std::vector<std::tuple<std::string, DoubleArray, DoubleArray, std::string>>&
                 schedules) {
            const SimulationOptions o =
                make_options(start, stop, dt, save_every, method, std::move(outputs));
            std::vector<std::pair<std::string, GraphicalFunction>> tables;
            for (const auto& [name, times, values, interpolation] : schedules)
              tables.emplace_back(name, make_table(times, values, interpolation));
            Result r;
            {
              py::gil_scoped_release release;
              r = simulate(p, o, overrides, tables);
            }
            py::array_t<double> values =
                to_numpy(std::move(r.values), {static_cast<py::ssize_t>(r.times.size()),
                                               static_cast<py::ssize_t>(r.names.size())});
            py::array_t<double> times(static_cast<py::ssize_t>(r.times.size()), r.times.data());
            return py::make_tuple(times, values, r.names, r.units);
          },
          py::arg("overrides"), py::arg("start") = py::none(), py::arg("stop") = py::none(),
          py::arg("dt") = py::none(), py::arg("save_every") = py::none(),
          py::arg("method") = py::none(), py::arg("outputs") = std::vector<std::string>{},
          py::arg("schedules") =
              std::vector<std::tuple<std::string, DoubleArray, DoubleArray, std::string>>{},
          "One run: (times, values[time, output], names, units). `schedules`: (name, times, "
          "values, 'linear' or 'step') tables that levers follow in this run.")
      .def(
          "run_batch",
          [](const Program& p, const std::vector<std::string>& names,
             py::array_t<double, py::array::c_style | py::array::forcecast> table,
             std::optional<double> start, std::optional<double> stop, std::optional<double> dt,
             std::optional<double> save_every, std::optional<std::string> method,
             std::vector<std::string> outputs, unsigned threads,
             std::function<void(std::size_t, std::size_t)> progress,
             const std::vector<std::tuple<std::string, IndexArray, DoubleArray, DoubleArray,
                                          std::vector<std::string>, IndexArray>>& schedules) {
            SimulationOptions o =
                make_options(start, stop, dt, save_every, method, std::move(outputs));
            o.threads = threads;
            if (progress) {
              // Called on this thread while the GIL is released: take it back for Python.
              o.progress = [progress](std::size_t done, std::size_t total) {
                py::gil_scoped_acquire acquire;
                progress(done, total);
              };
            }
            if (table.ndim() != 2)
              throw ModelError("the parameter table must be two-dimensional (runs x parameters)");
            ParameterTable t;
            t.names = names;
            t.values.resize(table.shape(0), table.shape(1));
            auto tv = table.unchecked<2>();
            for (py::ssize_t i = 0; i < table.shape(0); ++i)
              for (py::ssize_t j = 0; j < table.shape(1); ++j) t.values(i, j) = tv(i, j);
            for (const auto& [name, offsets, times, values, interpolations, lanes] : schedules)
              t.schedules.push_back(
                  make_schedule_column(name, offsets, times, values, interpolations, lanes));
            BatchResult r;
            {
              py::gil_scoped_release release;
              r = simulate_batch(p, t, o);
            }
            py::array_t<double> values =
                to_numpy(std::move(r.values), {static_cast<py::ssize_t>(r.lanes),
                                               static_cast<py::ssize_t>(r.times.size()),
                                               static_cast<py::ssize_t>(r.names.size())});
            py::array_t<double> times(static_cast<py::ssize_t>(r.times.size()), r.times.data());
            return py::make_tuple(times, values, r.names, r.units);
          },
          py::arg("names"), py::arg("table"), py::arg("start") = py::none(),
          py::arg("stop") = py::none(), py::arg("dt") = py::none(),
          py::arg("save_every") = py::none(), py::arg("method") = py::none(),
          py::arg("outputs") = std::vector<std::string>{}, py::arg("threads") = 0u,
          py::arg("progress") = nullptr,
          py::arg("schedules") =
              std::vector<std::tuple<std::string, IndexArray, DoubleArray, DoubleArray,
                                     std::vector<std::string>, IndexArray>>{},
          "Many runs on the lanes: (times, values[run, time, output], names, units). "
          "`schedules`: per lever, (name, offsets, times, values, interpolations, lane tables): "
          "table t is points offsets[t]:offsets[t+1], lane i reads table lanes[i] (empty: one "
          "table per lane, or one for all).")
      .def(
          "prepare",
          [](const Program& p, std::vector<std::string> outputs, std::optional<double> start,
             std::optional<double> stop, std::optional<double> dt, std::optional<double> save_every,
             std::optional<std::string> method) {
            return PreparedRun(
                p, make_options(start, stop, dt, save_every, method, std::move(outputs)));
          },
          py::arg("outputs") = std::vector<std::string>{}, py::arg("start") = py::none(),
          py::arg("stop") = py::none(), py::arg("dt") = py::none(),
          py::arg("save_every") = py::none(), py::arg("method") = py::none(),
          "A single run prepared for many calls (outputs and time settings resolved once).");
}

// A prepared single run: what Model.run calls, with nothing looked up by name per call.
void bind_prepared_run(py::module_& m) {
  py::class_<PreparedRun>(m, "PreparedRun")
      .def_property_readonly("names", &PreparedRun::names)
      .def_property_readonly("units", &PreparedRun::units)
      .def_property_readonly("times",
                             [](const PreparedRun& r) {
                               return py::array_t<double>(
                                   static_cast<py::ssize_t>(r.times().size()), r.times().data());
                             })
      .def("parameters", &PreparedRun::parameters, py::arg("name"),
           "The parameter indices a name sets (every element of an arrayed constant).")
      .def(
          "run",
          [](const PreparedRun& r, const std::vector<int>& indices,
             const std::vector<double>& values,
             const std::vector<std::tuple<int, DoubleArray, DoubleArray, std::string>>& schedules) {
            std::vector<std::pair<int, GraphicalFunction>> tables;
            for (const auto& [k, times, points, interpolation] : schedules)
              tables.emplace_back(k, make_table(times, points, interpolation));
            py::array_t<double> out({static_cast<py::ssize_t>(r.times().size()),
                                     static_cast<py::ssize_t>(r.names().size())});
            double* data = out.mutable_data();
            {
              py::gil_scoped_release release;
              r.run(indices, values, data, tables);
            }
            return out;
          },
          py::arg("indices") = std::vector<int>{}, py::arg("values") = std::vector<double>{},
          py::arg("schedules") =
              std::vector<std::tuple<int, DoubleArray, DoubleArray, std::string>>{},
          "One run: values[time, output], with values[k] for parameter indices[k] and, per "
          "(schedule index, times, values, 'linear' or 'step'), that lever trajectory.")
      .def(
          "settable",
          [](const PreparedRun& r, const std::string& name) {
            const Settable s = r.settable(name);
            return py::make_tuple(s.parameters, s.schedules);
          },
          py::arg("name"), "(parameter indices, schedule indices) a run sets by this name.");
}

// The compiled backend (h2sim/native.hpp).
void bind_native(py::module_& m) {
  m.def(
      "build_native",
      [](const Program& p, const std::string& compiler, const std::string& cache_dir) {
        NativeOptions o;
        o.compiler = compiler;
        o.cache_dir = cache_dir;
        NativeBuild b(p);
        {
          py::gil_scoped_release release;
          b = build_native(p, o);
        }
        py::dict d;
        d["program"] = b.program;
        d["compiled"] = b.compiled;
        d["from_cache"] = b.from_cache;
        d["failed"] = b.failed;
        d["reason"] = b.reason;
        d["library"] = b.library;
        d["compiler"] = b.compiler;
        d["seconds"] = b.seconds;
        return d;
      },
      py::arg("program"), py::arg("compiler") = "", py::arg("cache_dir") = "",
      "The program as machine code, built now or found in the cache; the interpreted program "
      "with the reason where no compiler works.");
  m.def("native_source", &native_source, py::arg("program"), py::arg("standalone") = true,
        py::arg("title") = "",
        "The program as C: a standalone file for embedding, or the backend's source.");
  m.def("math_functions_in_use", &math_functions_in_use,
        "Which SLEEF functions compute exp, log and pow on this processor.");
}

// What changes a Scenario's model, and what compiles and checks it.
void bind_scenario_changes(py::class_<Scenario>& scenario) {
  scenario
      .def(
          "set_constant",
          [](Scenario& s, const std::string& name, double value,
             const std::vector<std::string>& elements) {
            settable(s, name);
            s.model.set_constant(name, value, elements);
            s.program.reset();  // the model changed: its Program is no longer this model's
          },
          py::arg("name"), py::arg("value"), py::arg("elements") = std::vector<std::string>{})
      .def(
          "set_time_schedule",
          [](Scenario& s, const std::string& name, std::vector<double> times,
             std::vector<double> values, const std::string& interpolation) {
            settable(s, name);
            GraphicalFunction gf;
            gf.x = std::move(times);
            gf.y = std::move(values);
            gf.interpolation = table_interpolation(interpolation);
            s.model.set_time_schedule(name, gf);
            s.program.reset();
          },
          py::arg("name"), py::arg("times"), py::arg("values"), py::arg("interpolation") = "linear")
      .def("equations", [](const Scenario& s) { return list_equations(s.model); })
      .def("dependency_graph", [](const Scenario& s) { return dependency_graph_dot(s.model); })
      .def("compile", [](const Scenario& s) { return compile_model(s.model); })
      .def(
          "check",
          [](const Scenario& s, bool strict_units) {
            CheckOptions o;
            o.strict_units = strict_units;
            py::list out;
            for (const Diagnostic& d : check_model(s.model, o).diagnostics) {
              py::dict item;
              item["severity"] = d.is_error() ? "error" : "warning";
              item["message"] = python_text(d.message);
              item["text"] = python_text(d.text());
              item["file"] = python_text(d.where.file);
              item["line"] = d.where.line;
              item["column"] = d.where.column;
              item["variable"] = python_text(d.where.variable);
              out.append(item);
            }
            return out;
          },
          py::arg("strict_units") = false,
          "Everything check_model finds: names, units, loops, as diagnostics (errors first).");
}

void bind_scenario(py::module_& m) {
  py::class_<Scenario> scenario(m, "Scenario");
  scenario.def_readonly("name", &Scenario::name)
      .def_readonly("description", &Scenario::description)
      .def_readonly("file", &Scenario::file)
      .def_readonly("model_file", &Scenario::model_file)
      .def_readonly("chain", &Scenario::chain)
      .def_readonly("outputs", &Scenario::outputs)
      .def_property_readonly("warnings",
                             [](const Scenario& s) {
                               py::list out;
                               for (const auto& w : s.warnings) out.append(python_text(w));
                               return out;
                             })
      .def_readonly("parameters", &Scenario::parameters)
      .def_property_readonly("levers",
                             [](const Scenario& s) {
                               py::list out;
                               for (const auto& l : s.levers) {
                                 py::dict d;
                                 d["name"] = l.name;
                                 d["kind"] = to_string(l.kind);
                                 d["times"] = l.times;
                                 d["values"] = l.values;
                                 d["before"] = l.before;
                                 out.append(d);
                               }
                               return out;
                             })
      .def("copy", [](const Scenario& s) { return Scenario(s); })
      .def_property_readonly(
          "program",
          [](const Scenario& s) -> py::object {
            return s.program ? py::cast(*s.program) : py::object(py::none());
          },
          "The Program load compiled, until the model is changed (then None).")
      .def(
          "sections",
          [](const Scenario& s) {
            py::dict values;
            py::dict locations;
            for (const auto& [name, node] : s.sections)
              values[py::str(name)] = section_value(node, py::make_tuple(name), locations);
            return py::make_tuple(values, locations);
          },
          "Analysis sections as (values by name, (file, line, column) by path tuple).")
      .def_property_readonly("time",
                             [](const Scenario& s) {
                               const TimeSettings& t = s.model.time();
                               py::dict d;
                               d["start"] = t.start;
                               d["stop"] = t.stop;
                               d["dt"] = t.dt;
                               d["save_every"] = t.save_every > 0 ? t.save_every : t.dt;
                               d["method"] = to_string(t.method);
                               d["units"] = t.time_units;
                               return d;
                             })
      .def("variables",
           [](const Scenario& s) {
             py::list out;
             for (const auto& v : s.model.variables()) out.append(variable_dict(v));
             return out;
           })
      .def("dimensions", [](const Scenario& s) {
        py::dict out;
        for (const auto& d : s.model.dimensions()) out[py::str(d.name)] = d.elements;
        return out;
      });
  bind_scenario_changes(scenario);
}

void bind_functions(py::module_& m) {
  m.def(
      "load_scenario",
      [](const std::string& path, bool strict_units) {
        LoadOptions o;
        o.strict_units = strict_units;
        return load_scenario(path, o);
      },
      py::arg("path"), py::arg("strict_units") = false);
  m.def(
      "parse_scenario",
      [](const std::string& text, const std::string& file, bool strict_units) {
        LoadOptions o;
        o.strict_units = strict_units;
        return parse_scenario(text, file, o);
      },
      py::arg("text"), py::arg("file"), py::arg("strict_units") = false);
  m.def(
      "schedule_table",
      [](const std::string& kind, std::vector<double> times, std::vector<double> values,
         double before, double start) {
        LeverSchedule lever;
        if (kind == "constant") {
          lever.kind = LeverSchedule::Kind::Constant;
        } else if (kind == "step") {
          lever.kind = LeverSchedule::Kind::Step;
        } else if (kind == "linear") {
          lever.kind = LeverSchedule::Kind::Linear;
        } else if (kind == "ramp") {
          lever.kind = LeverSchedule::Kind::Ramp;
        } else {
          throw ModelError("a schedule is constant, step, linear or ramp, not '" + kind + "'");
        }
        lever.times = std::move(times);
        lever.values = std::move(values);
        lever.before = before;
        const GraphicalFunction gf = schedule_table(lever, start);
        return py::make_tuple(gf.x, gf.y, table_interpolation_name(gf.interpolation));
      },
      py::arg("kind"), py::arg("times"), py::arg("values"), py::arg("before"), py::arg("start"),
      "The table a scenario's schedule runs as: (times, values, 'linear' or 'step'), by the "
      "rule scenario files use (h2sim/scenario.hpp, schedule_table).");
  m.def(
      "limits",
      [] {
        py::dict out;
        for (const Limit l : {Limit::Nesting, Limit::EquationLength, Limit::ExpressionSize,
                              Limit::FileSize, Limit::DocumentNodes, Limit::Variables,
                              Limit::Elements, Limit::CompiledTerms, Limit::Steps,
                              Limit::SavedValues})
          out[limit_variable(l)] = limit(l);
        return out;
      },
      "The limits in force (docs/limits.md), by the environment variable that sets each.");
  m.def("canonical_name", &canonical_name);
  m.def("canonical_element_name", &canonical_element_name);
  m.def(
      "builtin_functions",
      [] {
        py::list out;
        for (const FunctionInfo& f : builtin_functions()) {
          py::dict d;
          d["name"] = f.name;
          d["aliases"] = f.aliases;
          d["min_arguments"] = f.min_arguments;
          d["max_arguments"] = f.max_arguments;
          d["bare"] = f.bare;
          d["signature"] = f.signature;
          d["description"] = f.description;
          out.append(d);
        }
        return out;
      },
      "The equation language's builtin functions, from the registry (h2sim/functions.hpp).");
  m.def(
      "unit_conversion_factor",
      [](const std::string& from, const std::string& to) { return conversion_factor(from, to); },
      py::arg("from_units"), py::arg("to_units"),
      "The factor that turns a value in `from_units` into one in `to_units` (t/day to kg/year is "
      "365000); ModelError when the dimensions differ, ParseError when a unit does not parse.");
  m.def(
      "to_xmile", [](const Scenario& s) { return to_xmile(s.model); }, py::arg("scenario"),
      "The scenario's model (overrides and levers applied) as XMILE 1.0 text.");
}

}  // namespace

PYBIND11_MODULE(_h2sim, m) {
  m.doc() = "Compiled core of h2sim: YAML/XMILE loading, compilation and simulation.";
  m.attr("__version__") = h2sim::version;
  m.attr("lane_block_width") = lane_block_width();

  py::register_exception_translator([](std::exception_ptr p) {
    try {
      if (p) std::rethrow_exception(p);
    } catch (const ParseError& e) {
      raise_python_error("ParseError", e);
    } catch (const ScenarioError& e) {
      raise_python_error("ScenarioError", e);
    } catch (const ModelError& e) {
      raise_python_error("ModelError", e);
    } catch (const SimulationError& e) {
      raise_python_error("SimulationError", e);
    } catch (const Error& e) {
      raise_python_error("Error", e);
    } catch (const std::bad_alloc&) {
      raise_plain_error(
          "not enough memory (docs/limits.md lists the limits that keep models and runs to a size "
          "that fits)");
    } catch (const py::error_already_set&) {
      throw;  // a Python exception (from a progress callback, say): as it is
    } catch (const py::builtin_exception&) {
      throw;
    } catch (const std::exception& e) {
      raise_plain_error(std::string("internal error in h2sim (please report it): ") + e.what());
    }
  });

  bind_program(m);
  bind_prepared_run(m);
  bind_native(m);
  bind_scenario(m);
  bind_functions(m);
}
