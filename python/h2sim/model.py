"""h2sim.Model: a loaded scenario you can run, vary and inspect from Python.

Over 800 lines: the one class users hold, with its run, batch, settings and inspection
methods together as the docs present them; conversion lives in h2sim.results and
h2sim.trajectories.
"""

from __future__ import annotations

import datetime
import gc
import math
import os
import stat
import time as _time
import warnings
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from . import _h2sim, arguments, results
from .errors import ArgumentError, ArgumentTypeError, ScenarioError
from .sections import SECTION_NAMES, Section
from .trajectories import Trajectory, is_setting_object, resolve


#: How a Model's program runs: the interpreter, or machine code built by the system's C
#: compiler (docs/compiled.md). The results are the same, bit for bit.
BACKENDS = ("interpreter", "compiled")



def _variable_rows(scenario: Any) -> list[dict]:
    """The scenario's variables as dicts, one per variable. Python's cyclic garbage collector
    is paused while the C++ side makes them: for a model of 150,000 variables it otherwise
    ran again and again over the growing list, and took four fifths of the time (2.1 s, 0.47 s
    without it). The dicts hold no cycles, so nothing is left for it to find."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        return scenario.variables()
    finally:
        if enabled:
            gc.enable()

def load(path: str | os.PathLike, strict_units: bool = False, backend: str = "interpreter") -> "Model":
    """Loads a YAML scenario or model file (or an XMILE or Vensim .mdl model) as a
    :class:`Model`.

    ``strict_units=True`` turns unit mismatches into errors; otherwise they are
    warnings, listed in ``Model.warnings``. ``backend="compiled"`` runs the model as machine
    code (see :meth:`Model.compiled`): built once per model by the system's C compiler
    (seconds for a large model), then taken from the cache; the interpreter where there is
    no compiler.

    The file is read as bytes and decoded by the library's one rule (UTF-8, or UTF-16/32
    with a byte-order mark; Vensim files from before its ``{UTF-8}`` header in the Windows
    code page): text that is neither is a ``ParseError`` naming the file and the byte.
    """
    path = arguments.path(path, "path")
    strict_units = arguments.flag(strict_units, "strict_units")
    if backend not in BACKENDS:
        raise ArgumentError(f"backend must be one of {', '.join(BACKENDS)}, not {backend!r:.60}")
    data = _read_bytes(path)
    scenario = _h2sim.parse_scenario(data, path, strict_units)
    model = Model(scenario, source=(path, data, strict_units))
    return model.compiled() if backend == "compiled" else model


def _read_bytes(path: str) -> bytes:
    """A model or scenario file's bytes; a folder, a missing or unreadable file, or one over
    the file size limit (docs/limits.md) is a ScenarioError naming it."""
    def fail(message: str) -> ScenarioError:
        return ScenarioError(f"{path}: {message}", message=message, file=path)

    if os.path.isdir(path):
        raise fail("is a folder, not a model or scenario file")
    try:
        if os.path.exists(path) and not stat.S_ISREG(os.stat(path).st_mode):
            raise fail("is not a regular file (a device or a pipe?)")
        with open(path, "rb") as handle:
            largest = _h2sim.limits()["H2SIM_MAX_FILE_SIZE"]
            data = handle.read(largest + 1)
            if len(data) > largest:
                raise fail(f"the file has more than {largest} bytes, the limit (raise it with the "
                           "environment variable H2SIM_MAX_FILE_SIZE; docs/limits.md)")
            return data
    except FileNotFoundError:
        raise fail("no such file") from None
    except OSError as error:
        raise fail(f"cannot read the file: {error.strerror or error}") from None


def _restore(path: str, text: str, strict_units: bool, overrides: dict,
             backend: str = "interpreter") -> "Model":
    model = Model(_h2sim.parse_scenario(text, path, strict_units), source=(path, text, strict_units))
    model = model.with_params(overrides) if overrides else model
    return model.compiled() if backend == "compiled" else model


class Model:
    """A scenario, ready to run: its model, time settings, parameters and outputs.

    A Model is a value: :meth:`with_params` returns a new one and leaves this one as
    it is. The compiled program is built once (when the file is loaded) and reused by
    every run, and by every Model that :meth:`with_params` makes with numbers for constants
    or with any setting of a scheduled lever (h2sim.trajectories).

    (In C++ this is an ``h2sim::Scenario``, which holds an ``h2sim::Model``, the graph,
    and its ``h2sim::Program``; docs/architecture.md has the whole mapping.)
    """

    def __init__(self, scenario: Any, source: tuple | None = None, overrides: dict | None = None,
                 program: Any = None, run_params: dict | None = None, index: "_ProgramIndex | None" = None,
                 backend: str = "interpreter") -> None:
        self._scenario = scenario
        self._source = source
        self._overrides = dict(overrides or {})
        # The Program load compiled; or, after with_params with settings a run can make, the
        # Program of the Model it came from, run with `_run_params` set (numbers for
        # constants, numbers or Trajectories for scheduled levers).
        self._program = program if program is not None else scenario.program
        self._run_params: dict[str, float | Trajectory] = dict(run_params or {})
        self._index = index if program is not None else None
        self._variants: dict[frozenset, Model] = {}
        self._backend = backend
        self._native_options = ("", "")  # compiler, cache folder (see compiled)
        self._build_info: dict | None = None
        self._label_cache: dict[str, str] | None = None
        # What does not change with parameter values, shared by the Models with_params makes
        # from this one: each variable's description, and single runs prepared per program,
        # outputs and time settings (see _prepared).
        self._variable_cache: tuple | None = None
        self._prepared_runs: dict = {}

    # --- what it is -------------------------------------------------------------
    @property
    def name(self) -> str:
        return self._scenario.name

    @property
    def description(self) -> str:
        return self._scenario.description

    @property
    def file(self) -> str:
        return self._scenario.file

    @property
    def time(self) -> dict:
        """Time settings: start, stop, dt, save_every, method, units."""
        return dict(self._scenario.time)

    @property
    def warnings(self) -> list[str]:
        """Unit mismatches and other notes found while loading."""
        return list(self._scenario.warnings)

    @property
    def chain(self) -> list[str]:
        """The scenario files of the ``extends:`` chain, base first, ending with this
        scenario's file (a model file loaded alone: just that file)."""
        return list(self._scenario.chain) or ([self.file] if self.file else [])

    @property
    def model_file(self) -> str:
        """The model file the chain runs (the file itself for a model file)."""
        return self._scenario.model_file or self.file

    @property
    def files(self) -> list[str]:
        """Every file the scenario was read from: the chain, the model file and the files
        of its components, each once, as absolute paths."""
        out: dict[str, None] = {}
        named = [*self.chain, self.model_file, *(v.get("file", "") for v in _variable_rows(self._scenario))]
        for f in named:
            if f:
                out.setdefault(os.path.normpath(os.path.abspath(f)), None)
        return list(out)

    @property
    def outputs(self) -> list[str]:
        """The variables the scenario reports by default (all when empty)."""
        return list(self._scenario.outputs)

    @property
    def levers(self) -> list[dict]:
        """The lever schedules the scenario applied (name, kind, times, values)."""
        return list(self._scenario.levers)

    @property
    def sections(self) -> dict[str, "Section"]:
        """The analysis sections the model and scenario files declare (``outcomes:``,
        ``targets:``, ``uncertainties:``, ``calibration:``, ``reality_checks:``), by name;
        see :mod:`h2sim.sections`."""
        values, locations = self._scenario.sections()
        return {name: Section(name, value, locations) for name, value in values.items()}

    def section(self, name: str) -> "Section | None":
        """One analysis section by name, or None when no file declares it."""
        if not isinstance(name, str) or name not in SECTION_NAMES:
            raise ArgumentError(f"unknown section {name!r}: h2sim carries {', '.join(SECTION_NAMES)}")
        return self.sections.get(name)

    @property
    def variables(self) -> pd.DataFrame:
        """Every variable: name, kind, units, label, dimensions, equation, description, source,
        basis, lever, lever_domain (``{"range": [low, high]}`` or ``{"options": [...]}`` when the
        lever declares its values), uncertainty, inflows, outflows, non_negative."""
        rows = _variable_rows(self._scenario)
        frame = pd.DataFrame(rows, columns=["name", "kind", "units", "label", "dimensions", "equation",
                                            "description", "source", "basis", "lever", "lever_domain",
                                            "uncertainty",
                                            "inflows", "outflows", "non_negative"])
        return frame.set_index("name")

    def label(self, column: str) -> str:
        """The human label of a variable or result column: the variable's ``label:`` (or its
        name when it has none), with the elements of ``name[element]`` appended."""
        base, bracket, rest = arguments.text(column, "column").partition("[")
        label = self._labels().get(_h2sim.canonical_name(base.strip()))
        if not label:
            return column
        return f"{label} [{rest}" if bracket else label

    def _variable_descriptions(self) -> tuple[dict[str, dict], dict[str, list[str]]]:
        """Each variable's dimensions, description, source and label by canonical name, and the
        dimensions' elements: what results need beside the numbers. Made once per Model (and
        shared with the Models :meth:`with_params` makes), since values do not change them."""
        if self._variable_cache is None:
            keys = ("dimensions", "description", "source", "label")
            info = {_h2sim.canonical_name(v["name"]): {k: v[k] for k in keys} for v in _variable_rows(self._scenario)}
            self._variable_cache = (info, self.dimensions)
        return self._variable_cache

    def _labels(self) -> dict[str, str]:
        if self._label_cache is None:
            self._label_cache = {_h2sim.canonical_name(v["name"]): v.get("label", "")
                                 for v in _variable_rows(self._scenario)}
        return self._label_cache

    @property
    def parameters(self) -> pd.DataFrame:
        """Constants that a run can set: name, value, units, description, source, basis
        (published, calibrated, assumption, or "" when not declared), range (the
        uncertainty, if declared) and lever."""
        info = {_h2sim.canonical_name(v["name"]): v for v in _variable_rows(self._scenario)}
        rows = []
        set_here = {_h2sim.canonical_element_name(k): v for k, v in self._run_params.items()
                    if not isinstance(v, Trajectory)}
        for name, value, units in self.program.parameters:
            key = _h2sim.canonical_element_name(name)
            value = set_here.get(key, set_here.get(key.split("[", 1)[0], value))
            base = name.split("[", 1)[0]
            v = info.get(_h2sim.canonical_name(base), {})
            rows.append({"name": name, "value": value, "units": units,
                         "description": v.get("description", ""), "source": v.get("source", ""),
                         "basis": v.get("basis", ""),
                         "range": _range_text(v.get("uncertainty")), "lever": bool(v.get("lever", False))})
        return pd.DataFrame(rows, columns=["name", "value", "units", "description", "source",
                                           "basis", "range", "lever"]).set_index("name")

    def units_of(self, name: str) -> str:
        """The units of a variable, a constant or an element of one (``name[element]``);
        "" when it has none or there is no such name."""
        key = _h2sim.canonical_name(arguments.text(name, "name").split("[", 1)[0])
        for variable in _variable_rows(self._scenario):
            if _h2sim.canonical_name(variable["name"]) == key:
                return variable["units"]
        return ""

    @property
    def dimensions(self) -> dict[str, list[str]]:
        return dict(self._scenario.dimensions())

    def equations(self) -> str:
        """Every equation the scenario expands to, with units and sources."""
        return self._scenario.equations()

    def dependency_graph(self) -> str:
        """The dependency graph as Graphviz DOT text."""
        return self._scenario.dependency_graph()

    def to_xmile(self, path: str | os.PathLike | None = None) -> str:
        """The model as XMILE 1.0 text (with every parameter set by :meth:`with_params`
        and every lever schedule), which Stella and :func:`load` read back to the same
        results. With ``path``, also writes it there: through a temporary file beside
        it, renamed into place, so that a failed write leaves no file behind.
        Adaptive and stiff methods are written as Euler (XMILE knows Euler and RK4).
        """
        if path is not None:
            path = arguments.path(path, "path")
        text = _h2sim.to_xmile(self._scenario)
        if path is not None:
            results.write_atomically(path, text)
        return text

    def to_c(self, path: str | os.PathLike | None = None) -> str:
        """The model (with every parameter set by :meth:`with_params` and every lever
        schedule) as one standalone C file: the compiled backend's code, the lookup tables, the
        names and default values of parameters and outputs, and ``h2sim_model_run``, which runs
        it with Euler or RK4 as h2sim does (docs/compiled.md has its interface). With ``path``,
        also writes it there, all or nothing. Raises ModelError for an adaptive method."""
        if path is not None:
            path = arguments.path(path, "path")
        program = self._scenario.compile() if self._run_params else self.program
        text = _h2sim.native_source(program, True, f"{self.name} ({os.path.basename(self.file)})")
        if path is not None:
            results.write_atomically(path, text)
        return text

    @property
    def program(self) -> Any:
        """The compiled model (compiled once, on first use when load did not)."""
        if self._program is None:
            self._program = self._scenario.compile()
        if self._backend == "compiled" and self._build_info is None:  # one attempt per program
            self._program = self._build(self._program)
        return self._program

    # --- the compiled backend ------------------------------------------------------
    @property
    def backend(self) -> str:
        """How runs execute: ``"interpreter"``, or ``"compiled"`` for machine code (see
        :meth:`compiled`)."""
        return self.program.backend

    @property
    def build_info(self) -> dict | None:
        """For a compiled Model, what building it took: ``compiled`` (False where no compiler
        works: the interpreter runs it), ``from_cache``, ``seconds``, ``library``, ``compiler``
        and ``reason`` (why it is not compiled); None for an interpreted Model."""
        self.program  # noqa: B018 - builds on first use
        return None if self._build_info is None else dict(self._build_info)

    def compiled(self, compiler: str | None = None, cache_dir: str | os.PathLike | None = None) -> "Model":
        """This Model, run as machine code: its program as C, built by the system's C compiler
        once per model, compiler and processor and kept in a cache folder (``cache_dir``, else
        ``$H2SIM_CACHE_DIR``, else ``~/.cache/h2sim``), so later loads take it from there. The
        same results as the interpreter, bit for bit, for every method, run and batch.

        ``compiler`` is a C compiler (default: ``$H2SIM_CC``, ``$CC``, then cc, gcc or clang on
        PATH). Where none is found, the interpreter runs the model and ``build_info["reason"]``
        says why; where one is found but fails, also a warning. Building takes a fraction of a
        second for a small model and seconds for a large one (the hydrogen model: about 7 s).
        """
        model = Model(self._scenario, self._source, self._overrides, self._program, self._run_params,
                      backend="compiled")
        model._label_cache = self._label_cache
        model._variable_cache = self._variable_cache
        model._native_options = (compiler or "", os.fspath(cache_dir) if cache_dir else "")
        model.program  # noqa: B018 - build now, so that the time is spent here
        return model

    def _build(self, program: Any) -> Any:
        compiler, cache_dir = self._native_options
        build = _h2sim.build_native(program, compiler, cache_dir)
        self._build_info = {k: build[k] for k in ("compiled", "from_cache", "seconds", "library", "compiler",
                                                   "reason")}
        if build["failed"]:
            warnings.warn(f"h2sim: the compiled backend could not build {self.name!r}, so the interpreter "
                          f"runs it (the same results, more slowly): {build['reason']}", RuntimeWarning,
                          stacklevel=3)
        return build["program"]

    def check(self, strict_units: bool = False) -> list[dict]:
        """Everything that can be found wrong without running: unknown names, dimensions,
        algebraic loops, unit mismatches (errors with ``strict_units``, else warnings), as
        dicts with severity, message, text (the full located message), file, line, column
        and variable; errors first. Empty when all is well."""
        return list(self._scenario.check(arguments.flag(strict_units, "strict_units")))

    # --- changing it ------------------------------------------------------------
    def with_params(self, params: Mapping[str, Any] | None = None, **kwargs: Any) -> "Model":
        """A new Model with constants and levers set: numbers, pandas Series indexed by time,
        or any lever setting of :mod:`h2sim.trajectories` (``{"step": {...}}``,
        ``{"scale": 1.5}``, ``{"from": 2023, "value": 0.5}``, ...). Numbers for constants and
        every setting of a scheduled lever reuse the compiled program; a trajectory for a
        constant the scenario does not schedule, or a new order of SMTHN/DELAYN, compiles anew.
        Setting an auxiliary, a flow or a stock is a ModelError that says what it is."""
        settings = self._settings({**arguments.mapping(params, "params"), **kwargs})
        scenario = self._scenario.copy()
        for name, value in settings.items():
            _apply(scenario, name, value, self._targets(name)[1])
        overrides = {**self._overrides, **settings}
        if self._needs_compiling(settings):
            model = Model(scenario, self._source, overrides, backend=self._backend)
        else:
            # Settings a run can make need no new program: the new Model runs this one's
            # with them set, and shares its prepared runs and build.
            model = Model(scenario, self._source, overrides, self.program,
                          _merged(self._run_params, settings), self._program_index(), backend=self._backend)
            model._prepared_runs = self._prepared_runs
            model._build_info = self._build_info
        model._native_options = self._native_options
        model._label_cache = self._label_cache  # labels and descriptions do not depend on values
        model._variable_cache = self._variable_cache
        return model

    def trajectory(self, name: str) -> Trajectory:
        """What a run of this Model reads for a lever or constant: the scenario's schedule,
        or what :meth:`with_params` set, as a :class:`h2sim.Trajectory` (a constant is one
        point at the start time)."""
        name = arguments.name(name, "name")
        parameters, schedules = self._targets(name)
        return self._current(name, parameters, schedules)

    def _program_index(self) -> "_ProgramIndex":
        if self._index is None:
            self._index = _ProgramIndex(self.program)
        return self._index

    def _targets(self, name: str) -> tuple[list[int], list[int]]:
        """The parameters and schedules of the compiled program that `name` sets; ModelError
        (what the name is, which levers it depends on) for anything a run cannot set."""
        return self._program_index().settable(name)

    def _settings(self, params: Mapping[str, Any] | None) -> dict[str, float | Trajectory]:
        """Each setting checked against the program and resolved: a number or a Trajectory."""
        out: dict[str, float | Trajectory] = {}
        spelled: dict[str, str] = {}  # canonical name -> as given: one constant named twice is ambiguous
        for name, value in (params or {}).items():
            name = arguments.name(name, "a name in params")
            key = _h2sim.canonical_element_name(name)
            if key in spelled:
                raise ArgumentError(f"params names the same constant twice, as {spelled[key]!r} and {name!r} "
                                    "(names compare without case, and _ is a space); give it once")
            spelled[key] = name
            parameters, schedules = self._targets(name)
            if not is_setting_object(value):
                if not arguments.is_number(value):
                    raise ArgumentTypeError(f"params[{name!r}]: expected a number or a lever setting, got "
                                            f"{type(value).__name__} {value!r:.60}")
                out[name] = arguments.number(value, f"params[{name!r}]")
                continue
            if isinstance(value, pd.Series):
                value = arguments.parameter_value(value, f"params[{name!r}]")
            resolved = resolve(value, name, self._current(name, parameters, schedules),
                               self._before(name, parameters, schedules), self.time["start"])
            if isinstance(resolved, Trajectory) and len(resolved.times) == 1:
                resolved = resolved.values[0]  # one point is a number: no table needed
            if isinstance(resolved, Trajectory) and not schedules and "[" in name:
                raise ArgumentError(f"{name}: a time series drives every element of a constant the scenario does not "
                                 "schedule; name the variable without [elements]")
            out[name] = resolved
        return out

    def _current(self, name: str, parameters: list[int], schedules: list[int]) -> Trajectory:
        start = self.time["start"]
        key = _h2sim.canonical_element_name(name)
        base = key.split("[", 1)[0]
        for candidate in (key, base):
            for set_name, value in reversed(list(self._run_params.items())):
                if _h2sim.canonical_element_name(set_name) == candidate:
                    return value if isinstance(value, Trajectory) else Trajectory.constant(value, start)
        if schedules:
            _, _, _, times, values, interpolation = self._program_index().schedules[schedules[0]]
            return Trajectory(tuple(times), tuple(values), interpolation)
        return Trajectory.constant(self.program.parameters[parameters[0]][1], start)

    def _before(self, name: str, parameters: list[int], schedules: list[int]) -> float:
        """The value a step schedule holds before its first time: the constant the scenario's
        schedule replaced, or the constant's value."""
        base = _h2sim.canonical_name(name.split("[", 1)[0])
        for lever in self._scenario.levers:
            if _h2sim.canonical_name(lever["name"]) == base:
                return float(lever["before"])
        if parameters:
            return float(self.program.parameters[parameters[0]][1])
        return self._current(name, parameters, schedules).values[0]

    def _needs_compiling(self, settings: Mapping[str, float | Trajectory]) -> bool:
        """Whether the settings need a new program: a trajectory for a constant the program
        does not schedule, or a new value of a structural parameter."""
        if self._program is None:
            return True
        structural = self._program_index().structural
        for name, value in settings.items():
            parameters, schedules = self._targets(name)
            if isinstance(value, Trajectory) and not schedules:
                return True
            if any(k in structural and value != self.program.parameters[k][1] for k in parameters):
                return True
        return False

    def _variant(self, names: Sequence[str]) -> "Model":
        """This Model with the constants `names` turned into schedules (their own value at
        every time), compiled once and kept: runs can then give them trajectories."""
        key = frozenset(_h2sim.canonical_name(n.split("[", 1)[0]) for n in names)
        if key not in self._variants:
            scenario = self._scenario.copy()
            for name in names:
                base = name.split("[", 1)[0]
                if "[" in name:
                    raise ArgumentError(f"{name}: a time series drives every element of a constant the scenario does "
                                     "not schedule; name the variable without [elements]")
                parameters, schedules = self._targets(base)
                values = {self.program.parameters[k][1] for k in parameters}
                if len(values) > 1:
                    raise ArgumentError(f"{base}: its elements have different values, and a time series would drive "
                                     "them all alike; schedule it in the scenario (levers:) to vary it over time")
                value = self._current(base, parameters, schedules)
                scenario.set_time_schedule(base, list(value.times), list(value.values), value.interpolation)
            numbers = {n: v for n, v in self._run_params.items() if not isinstance(v, Trajectory)
                       and _h2sim.canonical_name(n.split("[", 1)[0]) not in key}
            trajectories = {n: v for n, v in self._run_params.items() if isinstance(v, Trajectory)}
            variant = Model(scenario, self._source, self._overrides, scenario.compile(), {**numbers, **trajectories},
                            backend=self._backend)
            variant._native_options = self._native_options
            variant._label_cache = self._label_cache
            variant._variable_cache = self._variable_cache
            self._variants[key] = variant
        return self._variants[key]

    def _run_inputs(self, settings: Mapping[str, float | Trajectory]) -> tuple[list, list]:
        """(numbers for parameters, tables for schedules) of this Model's settings and then
        `settings`, later ones winning, for Program.run."""
        numbers, tables = [], []
        start = self.time["start"]
        for name, value in _merged(self._run_params, settings).items():
            if self._targets(name)[1]:
                t = value if isinstance(value, Trajectory) else Trajectory.constant(value, start)
                tables.append((name, np.asarray(t.times), np.asarray(t.values), t.interpolation))
            else:
                numbers.append((name, float(value)))
        return numbers, tables

    # --- running it -------------------------------------------------------------
    def run(self, params: Mapping[str, Any] | None = None, return_columns: Sequence[str] | None = None,
            start: float | None = None, stop: float | None = None, dt: float | None = None,
            save_every: float | None = None, method: str | None = None,
            as_xarray: bool = False) -> pd.DataFrame:
        """Runs the model once.

        ``params`` sets constants and levers for this run: numbers, pandas Series indexed by
        time, or lever settings (h2sim.trajectories: a schedule in the scenario's forms,
        ``{"scale": x}``, ``{"shift": years}``, ``{"from": time, "value": v}``).
        ``return_columns`` names variables (an arrayed variable gives a ``name[element]``
        column per element) or single elements.
        Returns a DataFrame indexed by time (units in ``df.attrs["units"]``), or an
        xarray Dataset with ``as_xarray=True``.
        """
        settings = self._settings(arguments.mapping(params, "params")) if params is not None else {}
        requested = _requested_columns(return_columns)
        time = arguments.time_settings(start, stop, dt, save_every, method)
        as_xarray = arguments.flag(as_xarray, "as_xarray")
        driven = [n for n, v in settings.items() if isinstance(v, Trajectory) and not self._targets(n)[1]]
        model = self._variant(driven) if driven else self
        columns = self.outputs if requested is None else requested
        prepared = model._prepared(columns, (time["start"], time["stop"], time["dt"], time["save_every"],
                                             time["method"]))
        values = prepared.values(*model._run_inputs(settings)) if settings or model._run_params else prepared.values()
        if as_xarray:
            return results.dataset(self, values[None, ...], prepared.times, prepared.names, prepared.units)
        return prepared.frame(values, self.name)

    def _prepared(self, columns: list[str], time_options: tuple) -> "_PreparedRun":
        """The single run of these outputs and time settings, prepared once for this program."""
        program = self.program
        key = (id(program), tuple(columns), time_options)
        prepared = self._prepared_runs.get(key)
        if prepared is None or prepared.program is not program:
            if len(self._prepared_runs) >= 32:
                self._prepared_runs.clear()
            prepared = self._prepared_runs[key] = _PreparedRun(self, program, columns, time_options)
        return prepared

    def run_batch(self, params_table: pd.DataFrame | Mapping[str, Sequence[Any]],
                  return_columns: Sequence[str] | None = None, threads: int | None = None,
                  start: float | None = None, stop: float | None = None, dt: float | None = None,
                  save_every: float | None = None, method: str | None = None,
                  progress: bool | None = None):
        """Runs one simulation per row of ``params_table`` on the C++ lanes, across
        ``threads`` threads (default: every core) with the GIL released, all in one call.
        Columns name constants and levers; a cell holds a number, or for a lever any setting
        ``run`` takes (a pandas Series, a schedule dict, ``{"scale": x}``, a Trajectory), so
        each run may carry its own lever trajectory. Returns an xarray Dataset with
        dimensions (run, time, ...).

        A progress bar (tqdm) appears when the batch takes more than a moment;
        ``progress=False`` hides it, ``True`` always shows it.
        """
        table = _batch_table(params_table)
        requested = _requested_columns(return_columns)
        time = arguments.time_settings(start, stop, dt, save_every, method)
        # More threads than a few per core only wait for each other (the library caps them).
        threads = 0 if threads is None else min(arguments.whole_number(threads, "threads"), 1 << 16)
        progress = arguments.optional_flag(progress, "progress")
        columns_in = [str(c) for c in table.columns]
        trajectory_columns = {}
        numeric = []
        for position, name in enumerate(columns_in):
            cells = table.iloc[:, position]
            if cells.dtype == object and any(is_setting_object(v) for v in cells):
                trajectory_columns[name] = self._column_settings(name, cells)
            else:
                numeric.append(position)
        driven = [n for n, cells in trajectory_columns.items()
                  if not self._targets(n)[1] and any(isinstance(v, Trajectory) for v in cells)]
        if driven:
            return self._variant(driven).run_batch(params_table, return_columns, threads, start, stop, dt,
                                                  save_every, method, progress)
        names = [columns_in[i] for i in numeric]
        for position in numeric:  # text that looks like a number is refused, as run(params=) does
            cells = table.iloc[:, position]
            if cells.dtype.kind in "OSU" or isinstance(cells.dtype, pd.StringDtype):
                text = [k for k, v in enumerate(cells) if isinstance(v, (str, bytes))]
                if text:
                    raise ArgumentTypeError(
                        f"params_table: run {table.index[text[0]]!r}, column {columns_in[position]!r} holds the "
                        f"text {str(cells.iloc[text[0]])!r:.40}, not a number (pd.to_numeric converts a column)")
            _check_number_column(cells, f"params_table: column {columns_in[position]!r}")
        try:
            values = table.iloc[:, numeric].to_numpy(dtype=float)
        except (TypeError, ValueError, OverflowError):
            raise ArgumentTypeError("params_table: a column holds something that is neither a number nor a lever "
                                    "setting (a pandas Series, a schedule dict, a Trajectory)") from None
        bad = ~np.isfinite(values)
        if bad.any():
            row, column = (int(k) for k in np.argwhere(bad)[0])
            raise ArgumentError(f"params_table: run {table.index[row]!r}, column {names[column]!r} is "
                                f"{values[row, column]} (every value must be a finite number)")
        for name in names:
            self._targets(name)  # a ModelError for anything a run cannot set
        # What with_params set on a shared program comes first, so that the table's own
        # columns (later ones win) override it.
        table_keys = {_h2sim.canonical_element_name(n) for n in columns_in}
        fixed = {n: v for n, v in self._run_params.items() if _h2sim.canonical_element_name(n) not in table_keys}
        fixed_numbers = {n: v for n, v in fixed.items() if not self._targets(n)[1]}
        fixed_tables = {n: v for n, v in fixed.items() if self._targets(n)[1]}
        if fixed_numbers:
            stacked = np.tile(np.array(list(fixed_numbers.values()), dtype=float), (len(table), 1))
            names = list(fixed_numbers) + names
            values = np.hstack([stacked, values])
        start_time = self.time["start"]
        schedules = [_schedule_column(n, [v] , start_time) for n, v in fixed_tables.items()]
        # A table's number for a schedule that a fixed trajectory also drives must come after it.
        driven_here = {k for n in fixed_tables for k in self._targets(n)[1]}
        for name in [n for n in names[len(fixed_numbers):] if set(self._targets(n)[1]) & driven_here]:
            column = names.index(name)
            schedules.append(_schedule_column(name, list(values[:, column]), start_time))
            names.pop(column)
            values = np.delete(values, column, axis=1)
        schedules += [_schedule_column(n, cells, start_time) for n, cells in trajectory_columns.items()]
        columns = requested if requested is not None else self.outputs
        bar = _ProgressBar(len(table), progress)
        try:
            times, result, out_names, units = self.program.run_batch(
                names, values.reshape(len(table), len(names)), time["start"], time["stop"], time["dt"],
                time["save_every"], time["method"], columns, threads, bar.update, schedules)
        finally:
            bar.close()
        return results.dataset(self, result, times, out_names, units, runs=table.index)

    def _column_settings(self, name: str, cells: pd.Series) -> list[float | Trajectory]:
        """Each run's setting of one lever, resolved against this Model's own (a cell object
        seen before is resolved once)."""
        parameters, schedules = self._targets(name)
        current = self._current(name, parameters, schedules)
        before = self._before(name, parameters, schedules)
        start = self.time["start"]
        seen: dict[int, float | Trajectory] = {}
        out: list[float | Trajectory] = []
        for cell in cells:
            if cell is None or (isinstance(cell, float) and math.isnan(cell)):
                raise ArgumentError(f"params_table: `{name}` has an empty cell; give every run a value")
            if id(cell) not in seen:
                value = resolve(cell, name, current, before, start)
                if isinstance(value, Trajectory) and len(value.times) == 1:
                    value = value.values[0]
                seen[id(cell)] = value
            out.append(seen[id(cell)])
        return out

    def __repr__(self) -> str:
        t = self.time
        return (f"<h2sim.Model {self.name!r}: {t['start']}-{t['stop']} {t['units']}, dt {t['dt']}, "
                f"{t['method']}, {len(_variable_rows(self._scenario))} variables>")

    def __reduce__(self):
        # Pickled by its scenario text and overrides, so that it crosses process
        # boundaries (concurrent.futures, distributed executors).
        if self._source is None:
            raise TypeError("only Models loaded from a file can be pickled")
        path, text, strict = self._source
        return (_restore, (path, text, strict, self._overrides, self._backend))



# Every public method checks its arguments and raises h2sim.Errors; the wrapper also makes a
# call that does not fit the signature (an unknown keyword, too many arguments) and anything a
# library under it raises for a bad argument an ArgumentError or ArgumentTypeError.
for _method in ("section", "label", "units_of", "equations", "dependency_graph", "to_xmile", "to_c", "compiled",
                "check", "with_params", "trajectory", "run", "run_batch"):
    setattr(Model, _method, arguments.api(getattr(Model, _method)))
load = arguments.api(load)

class _PreparedRun:
    """A single run of one program, outputs and time settings, prepared once: the C++ side
    resolved the names and the time grid, and the pandas axes, units and labels are built
    here once, so that a run of a small model costs microseconds, not a DataFrame's making."""

    def __init__(self, model: Model, program: Any, columns: list[str], time_options: tuple) -> None:
        self.program = program
        self.runner = program.prepare(columns, *time_options)
        self.times = self.runner.times
        self.names = list(self.runner.names)
        self.units = list(self.runner.units)
        self.index = pd.Index(self.times, name="time")
        self.columns = pd.Index(self.names)
        self.unit_of = dict(zip(self.names, self.units))
        self.labels = {n: model.label(n) for n in self.names}
        self.targets: dict[str, tuple] = {}  # name -> (its parameter indices, its schedule indices)

    def _targets(self, name: str) -> tuple:
        found = self.targets.get(name)
        if found is None:
            found = self.targets[name] = self.runner.settable(name)
        return found

    def values(self, numbers: Sequence[tuple] = (), tables: Sequence[tuple] = ()) -> np.ndarray:
        """values[time, output] of one run with these constants set, ``(name, number)``, and
        these lever trajectories, ``(name, times, values, interpolation)``."""
        if not numbers and not tables:
            return self.runner.run()
        indices: list[int] = []
        values: list[float] = []
        for name, value in numbers:
            found = self._targets(name)[0]
            indices += found
            values += [value] * len(found)
        schedules = [(k, times, points, interpolation) for name, times, points, interpolation in tables
                     for k in self._targets(name)[1]]
        return self.runner.run(indices, values, schedules)

    def frame(self, values: np.ndarray, scenario: str) -> pd.DataFrame:
        # Views of the prepared axes: a frame may rename its own index without touching others.
        frame = pd.DataFrame(values, index=self.index.view(), columns=self.columns.view(), copy=False)
        frame.attrs["units"] = dict(self.unit_of)
        frame.attrs["labels"] = dict(self.labels)
        frame.attrs["scenario"] = scenario
        return frame


class _ProgramIndex:
    """What a compiled program lets a run set, looked up once per name and shared by the
    Models that run the program."""

    def __init__(self, program: Any) -> None:
        self.program = program
        self.schedules = list(program.schedules)
        self.structural = {i for i, (n, _, _) in enumerate(program.parameters)
                           if n in set(program.structural_parameters)}
        self._cache: dict[str, tuple[list[int], list[int]]] = {}

    def settable(self, name: str) -> tuple[list[int], list[int]]:
        key = _h2sim.canonical_element_name(name)
        if key not in self._cache:
            parameters, schedules = self.program.settable(name)
            self._cache[key] = (list(parameters), list(schedules))
        return self._cache[key]


def _requested_columns(return_columns: Any) -> list[str] | None:
    """return_columns as a list of names, or None for the scenario's outputs. An empty list
    is refused: it would have returned every variable, the opposite of what it says."""
    requested = arguments.names(return_columns, "return_columns")
    if requested is not None and not requested:
        raise ArgumentError("return_columns is empty: name the variables to return, or give None for the "
                            "scenario's outputs (every variable when it lists none)")
    return requested


def _check_number_column(cells: pd.Series, what: str) -> None:
    """Refuses a batch column that to_numpy(float) would convert silently: True/False (as
    1/0), complex numbers (the imaginary part dropped), dates and durations (nanoseconds).
    run(params=) refuses each of these values too."""
    kind = getattr(cells.dtype, "kind", "O")
    if isinstance(cells.dtype, pd.CategoricalDtype):
        cells = cells.astype(object)
        kind = "O"
    if kind == "b" or str(cells.dtype) == "boolean" or (
            kind == "O" and any(isinstance(v, (bool, np.bool_)) for v in cells)):
        raise ArgumentTypeError(f"{what} holds True/False, not numbers (give 1.0 and 0.0 if you mean them)")
    if kind == "c" or (kind == "O" and any(isinstance(v, (complex, np.complexfloating)) for v in cells)):
        raise ArgumentTypeError(f"{what} holds complex numbers; a constant takes real numbers")
    if kind in "mM" or isinstance(cells.dtype, pd.DatetimeTZDtype) or (
            kind == "O" and any(isinstance(v, (datetime.date, datetime.timedelta, np.datetime64, np.timedelta64))
                                for v in cells)):
        raise ArgumentTypeError(f"{what} holds dates or durations, not numbers")


def _merged(first: Mapping[str, Any], then: Mapping[str, Any]) -> dict[str, Any]:
    """Both settings, `then` winning for a name both set (names compared canonically), in
    the order they were made."""
    out: dict[str, tuple[str, Any]] = {}
    for name, value in [*first.items(), *then.items()]:
        key = _h2sim.canonical_element_name(name)
        out.pop(key, None)
        out[key] = (name, value)
    return dict(out.values())


def _apply(scenario: Any, name: str, value: Any, schedules: list[int]) -> None:
    """The setting written into the scenario's model, so that equations(), to_xmile() and a
    compile of it say what runs. One element of a scheduled lever is set only in runs: a
    model cannot schedule one element alone."""
    base, _, rest = name.partition("[")
    elements = [e.strip() for e in rest.rstrip("]").split(",")] if rest else []
    if elements and schedules:
        return
    if isinstance(value, Trajectory):
        scenario.set_time_schedule(base, list(value.times), list(value.values), value.interpolation)
    else:
        scenario.set_constant(base.strip(), float(value), elements)


def _schedule_column(name: str, settings: Sequence[Any], start: float) -> tuple:
    """A column of per-run trajectories as Program.run_batch takes it: the distinct tables
    as flat arrays and each run's table (one table for every run when all share it)."""
    tables: dict[Trajectory, int] = {}
    lanes = []
    for value in settings:
        t = value if isinstance(value, Trajectory) else Trajectory.constant(float(value), start)
        lanes.append(tables.setdefault(t, len(tables)))
    distinct = list(tables)
    offsets = np.cumsum([0] + [len(t.times) for t in distinct]).astype(np.int64)
    times = np.array([x for t in distinct for x in t.times], dtype=float)
    values = np.array([y for t in distinct for y in t.values], dtype=float)
    lane_tables = np.array([] if len(distinct) == 1 else lanes, dtype=np.int64)
    return (name, offsets, times, values, [t.interpolation for t in distinct], lane_tables)


def _batch_table(params_table: Any) -> pd.DataFrame:
    """run_batch's table, checked: a DataFrame or a mapping of names to equal-length lists,
    with at least one row and text column names that name no constant twice."""
    if isinstance(params_table, Mapping):
        table = _object_frame(arguments.mapping(params_table, "params_table"))
    elif isinstance(params_table, pd.DataFrame):
        table = params_table
    else:
        raise ArgumentTypeError("params_table must be a pandas DataFrame or a mapping of names to lists, "
                                f"not {type(params_table).__name__}")
    if len(table) == 0:
        raise ArgumentError("params_table has no rows: a batch needs at least one run")
    seen: dict[str, str] = {}
    for n in [arguments.name(c, "a column of params_table") for c in table.columns]:
        key = _h2sim.canonical_element_name(n)
        if key in seen:
            raise ArgumentError(f"params_table names {n!r}" + (" twice" if seen[key] == n else f" and {seen[key]!r}, "
                                "the same constant") + ": which value should a run take?")
        seen[key] = n
    return table


def _object_frame(columns: Mapping[str, Sequence[Any]]) -> pd.DataFrame:
    """A table from a dict of columns, keeping Series and dicts in cells (pandas would
    unpack them)."""
    columns = dict(columns)
    for name, cells in columns.items():
        if isinstance(cells, (str, bytes, Mapping)) or not hasattr(cells, "__len__"):
            raise ArgumentTypeError(f"params_table[{name!r}] must be a list of values, one per run, "
                                    f"not {type(cells).__name__}")
    lengths = {len(v) for v in columns.values()}
    if len(lengths) > 1:
        raise ArgumentError("params_table: the columns have different lengths (give equal-length lists, one value per run)")
    n = lengths.pop() if lengths else 0
    frame = pd.DataFrame(index=pd.RangeIndex(n))
    for name, cells in columns.items():
        if isinstance(cells, np.ndarray) and cells.ndim == 1 and cells.dtype.kind in "iuf":
            # Numbers only: no cell to look at one by one (10^7 runs took seconds of Python
            # before the batch's size was even checked).
            frame[name] = cells.astype(float)
            continue
        cells = list(cells)
        if any(is_setting_object(v) for v in cells):
            column = pd.Series([None] * n, dtype=object)
            for i, v in enumerate(cells):
                column.iat[i] = v
            frame[name] = column
        else:
            text = [k for k, v in enumerate(cells) if isinstance(v, (str, bytes))]
            if text:
                raise ArgumentTypeError(f"params_table[{name!r}][{text[0]}] is the text {str(cells[text[0]])!r:.40}, "
                                        "not a number")
            _check_number_column(pd.Series(cells, dtype=object), f"params_table[{name!r}]")
            try:
                frame[name] = np.asarray(cells, dtype=float) if n else []
            except (TypeError, ValueError):
                raise ArgumentTypeError(f"params_table[{name!r}] must hold numbers or lever settings") from None
    return frame


def _range_text(u: dict | None) -> str:
    if not u:
        return ""
    kind = u["type"]
    if kind == "uniform":
        return f"uniform {u['low']:g} to {u['high']:g}"
    if kind == "triangular":
        return f"triangular {u['low']:g}, {u['mode']:g}, {u['high']:g}"
    return f"{kind} mean {u['mean']:g} sd {u['sd']:g}"


class _ProgressBar:
    """A tqdm bar that appears only when a batch takes more than a second."""

    def __init__(self, total: int, show: bool | None) -> None:
        self.total = total
        self.show = show
        self.started = _time.monotonic()
        self.bar = None

    def update(self, done: int, total: int) -> None:
        if self.show is False:
            return
        if self.bar is None:
            if self.show is None and _time.monotonic() - self.started < 1.0:
                return
            try:
                from tqdm.auto import tqdm
            except ImportError:
                self.show = False
                return
            self.bar = tqdm(total=total, unit="run", desc="h2sim")
        self.bar.n = done
        self.bar.refresh()

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()
