"""h2sim.Model: a loaded scenario you can run, vary and inspect from Python."""

from __future__ import annotations

import os
import time as _time
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from . import _h2sim, results
from .sections import SECTION_NAMES, Section


def load(path: str | os.PathLike, strict_units: bool = False) -> "Model":
    """Loads a YAML scenario or model file (or an XMILE or Vensim .mdl model) as a
    :class:`Model`.

    ``strict_units=True`` turns unit mismatches into errors; otherwise they are
    warnings, listed in ``Model.warnings``.
    """
    path = os.fspath(path)
    if path.lower().endswith(".mdl"):
        # Vensim files from before {UTF-8} are in the Windows code page.
        with open(path, "rb") as binary:
            raw = binary.read()
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:
            text = raw.decode("cp1252", errors="replace")
    else:
        with open(path, encoding="utf-8") as handle:
            text = handle.read()
    scenario = _h2sim.parse_scenario(text, path, strict_units)
    return Model(scenario, source=(path, text, strict_units))


def _restore(path: str, text: str, strict_units: bool, overrides: dict) -> "Model":
    model = Model(_h2sim.parse_scenario(text, path, strict_units), source=(path, text, strict_units))
    return model.with_params(overrides) if overrides else model


class Model:
    """A scenario, ready to run: its model, time settings, parameters and outputs.

    A Model is a value: :meth:`with_params` returns a new one and leaves this one as
    it is. The compiled program is built once (when the file is loaded) and reused by
    every run, and by every Model that :meth:`with_params` makes with plain numbers.

    (In C++ this is an ``h2sim::Scenario``, which holds an ``h2sim::Model``, the graph,
    and its ``h2sim::Program``; docs/architecture.md has the whole mapping.)
    """

    def __init__(self, scenario: Any, source: tuple | None = None, overrides: dict | None = None,
                 program: Any = None, run_params: dict | None = None) -> None:
        self._scenario = scenario
        self._source = source
        self._overrides = dict(overrides or {})
        # The Program load compiled; or, after with_params with plain numbers, the Program
        # of the Model it came from, run with `_run_params` set.
        self._program = program if program is not None else scenario.program
        self._run_params = dict(run_params or {})
        self._label_cache: dict[str, str] | None = None

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
        named = [*self.chain, self.model_file, *(v.get("file", "") for v in self._scenario.variables())]
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
        if name not in SECTION_NAMES:
            raise ValueError(f"unknown section {name!r}: h2sim carries {', '.join(SECTION_NAMES)}")
        return self.sections.get(name)

    @property
    def variables(self) -> pd.DataFrame:
        """Every variable: name, kind, units, label, dimensions, equation, description, source,
        basis, lever, lever_domain (``{"range": [low, high]}`` or ``{"options": [...]}`` when the
        lever declares its values), uncertainty, inflows, outflows, non_negative."""
        rows = self._scenario.variables()
        frame = pd.DataFrame(rows, columns=["name", "kind", "units", "label", "dimensions", "equation",
                                            "description", "source", "basis", "lever", "lever_domain",
                                            "uncertainty",
                                            "inflows", "outflows", "non_negative"])
        return frame.set_index("name")

    def label(self, column: str) -> str:
        """The human label of a variable or result column: the variable's ``label:`` (or its
        name when it has none), with the elements of ``name[element]`` appended."""
        base, bracket, rest = column.partition("[")
        label = self._labels().get(_h2sim.canonical_name(base.strip()))
        if not label:
            return column
        return f"{label} [{rest}" if bracket else label

    def _labels(self) -> dict[str, str]:
        if self._label_cache is None:
            self._label_cache = {_h2sim.canonical_name(v["name"]): v.get("label", "")
                                 for v in self._scenario.variables()}
        return self._label_cache

    @property
    def parameters(self) -> pd.DataFrame:
        """Constants that a run can set: name, value, units, description, source, basis
        (published, calibrated, assumption, or "" when not declared), range (the
        uncertainty, if declared) and lever."""
        info = {_h2sim.canonical_name(v["name"]): v for v in self._scenario.variables()}
        rows = []
        set_here = {_h2sim.canonical_element_name(k): v for k, v in self._run_params.items()}
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
        key = _h2sim.canonical_name(name.split("[", 1)[0])
        for variable in self._scenario.variables():
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
        text = _h2sim.to_xmile(self._scenario)
        if path is not None:
            results.write_atomically(path, text)
        return text

    @property
    def program(self) -> Any:
        """The compiled model (compiled once, on first use when load did not)."""
        if self._program is None:
            self._program = self._scenario.compile()
        return self._program

    def check(self, strict_units: bool = False) -> list[dict]:
        """Everything that can be found wrong without running: unknown names, dimensions,
        algebraic loops, unit mismatches (errors with ``strict_units``, else warnings), as
        dicts with severity, message, text (the full located message), file, line, column
        and variable; errors first. Empty when all is well."""
        return list(self._scenario.check(strict_units))

    # --- changing it ------------------------------------------------------------
    def with_params(self, params: Mapping[str, Any] | None = None, **kwargs: Any) -> "Model":
        """A new Model with constants set: numbers, or pandas Series indexed by time
        (a lever trajectory, interpolated linearly and held beyond its ends)."""
        params = {**(params or {}), **kwargs}
        scenario = self._scenario.copy()
        for name, value in params.items():
            _apply(scenario, name, value)
        # Plain numbers for constants the compiled program can set per run need no new
        # program: the new Model runs this one's with the numbers set.
        if self._program is not None and self._settable(params):
            numbers = {name: float(value) for name, value in params.items()}
            model = Model(scenario, self._source, {**self._overrides, **params}, self._program,
                          {**self._run_params, **numbers})
        else:
            model = Model(scenario, self._source, {**self._overrides, **params})
        model._label_cache = self._label_cache  # labels do not depend on values
        return model

    def _settable(self, params: Mapping[str, Any]) -> bool:
        """Whether every entry is a plain number for a parameter of the compiled program that
        does not fix its structure (the order of a SMTHN/DELAYN does)."""
        if any(isinstance(v, pd.Series) for v in params.values()):
            return False
        names = {_h2sim.canonical_element_name(n) for n, _, _ in self._program.parameters}
        bases = {n.split("[", 1)[0] for n in names}
        structural = {_h2sim.canonical_element_name(n).split("[", 1)[0]
                      for n in self._program.structural_parameters}
        for name in params:
            key = _h2sim.canonical_element_name(name)
            if (key not in names and key not in bases) or key.split("[", 1)[0] in structural:
                return False
        return True

    # --- running it -------------------------------------------------------------
    def run(self, params: Mapping[str, Any] | None = None, return_columns: Sequence[str] | None = None,
            start: float | None = None, stop: float | None = None, dt: float | None = None,
            save_every: float | None = None, method: str | None = None,
            as_xarray: bool = False) -> pd.DataFrame:
        """Runs the model once.

        ``params`` sets constants for this run: numbers, or pandas Series indexed by
        time for a lever trajectory. ``return_columns`` names variables (an arrayed
        variable gives a ``name[element]`` column per element) or single elements.
        Returns a DataFrame indexed by time (units in ``df.attrs["units"]``), or an
        xarray Dataset with ``as_xarray=True``.
        """
        numbers, schedules = _split_params(params)
        model = self.with_params(schedules) if schedules else self
        columns = list(return_columns) if return_columns is not None else self.outputs
        overrides = {**model._run_params, **numbers}
        times, values, names, units = model.program.run(
            list(overrides.items()), start, stop, dt, save_every, method, columns)
        frame = pd.DataFrame(values, index=pd.Index(times, name="time"), columns=names)
        frame.attrs["units"] = dict(zip(names, units))
        frame.attrs["labels"] = {n: self.label(n) for n in names}
        frame.attrs["scenario"] = self.name
        if as_xarray:
            return results.dataset(self, values[None, ...], times, names, units)
        return frame

    def run_batch(self, params_table: pd.DataFrame | Mapping[str, Sequence[float]],
                  return_columns: Sequence[str] | None = None, threads: int | None = None,
                  start: float | None = None, stop: float | None = None, dt: float | None = None,
                  save_every: float | None = None, method: str | None = None,
                  progress: bool | None = None):
        """Runs one simulation per row of ``params_table`` (columns: constants) on the
        C++ lanes, across ``threads`` threads (default: every core) with the GIL
        released. Returns an xarray Dataset with dimensions (run, time, ...).

        A progress bar (tqdm) appears when the batch takes more than a moment;
        ``progress=False`` hides it, ``True`` always shows it.
        """
        table = pd.DataFrame(params_table)
        if len(table) == 0:
            raise ValueError("params_table has no rows: a batch needs at least one run")
        names = [str(c) for c in table.columns]
        values = table.to_numpy(dtype=float)
        # Numbers with_params set on a shared program: a column each, first, so that the
        # table's own columns (later ones win) override them.
        if self._run_params:
            fixed = np.tile(np.array(list(self._run_params.values()), dtype=float), (len(table), 1))
            names = list(self._run_params) + names
            values = np.hstack([fixed, values])
        columns = list(return_columns) if return_columns is not None else self.outputs
        bar = _ProgressBar(len(table), progress)
        try:
            times, result, out_names, units = self.program.run_batch(
                names, values, start, stop, dt, save_every, method, columns, threads or 0, bar.update)
        finally:
            bar.close()
        return results.dataset(self, result, times, out_names, units, runs=table.index)

    def __repr__(self) -> str:
        t = self.time
        return (f"<h2sim.Model {self.name!r}: {t['start']}-{t['stop']} {t['units']}, dt {t['dt']}, "
                f"{t['method']}, {len(self._scenario.variables())} variables>")

    def __reduce__(self):
        # Pickled by its scenario text and overrides, so that it crosses process
        # boundaries (concurrent.futures, distributed executors).
        if self._source is None:
            raise TypeError("only Models loaded from a file can be pickled")
        path, text, strict = self._source
        return (_restore, (path, text, strict, self._overrides))


def _split_params(params: Mapping[str, Any] | None) -> tuple[dict, dict]:
    numbers, schedules = {}, {}
    for name, value in (params or {}).items():
        if isinstance(value, pd.Series):
            schedules[name] = value
        else:
            numbers[name] = float(value)
    return numbers, schedules


def _apply(scenario: Any, name: str, value: Any) -> None:
    base, _, rest = name.partition("[")
    elements = [e.strip() for e in rest.rstrip("]").split(",")] if rest else []
    if isinstance(value, pd.Series):
        if elements:
            raise ValueError(f"{name}: a time series drives every element; name the variable without [elements]")
        series = value.dropna().sort_index()
        if series.empty:
            raise ValueError(f"{name}: the time series is empty")
        scenario.set_time_schedule(base, [float(t) for t in series.index], [float(v) for v in series.values], "linear")
    else:
        scenario.set_constant(base, float(value), elements)


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
